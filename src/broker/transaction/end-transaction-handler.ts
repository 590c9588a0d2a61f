/**
 * END_TRANSACTION (37): a producer's verdict on a half message, usually one-way. The half message is
 * found by commitLogOffset and must belong to the request's producer group at the stated queue
 * offset (RocketMQ's checks and remarks, answered SYSTEM_ERROR); then commit stores the real
 * message and an op record, rollback only the op record. A repeated verdict is answered SUCCESS and
 * does nothing; a contrary one (commit after rollback or discard) is TRANSACTION_FAILED. UNKNOW
 * (0) leaves the half message to the check service.
 */
import { MessageSysFlag } from '../../message/message-const';
import { mqError } from '../../protocol/errors';
import { EndTransactionRequestHeader } from '../../protocol/headers/transaction-headers';
import { createResponse, type RemotingCommand } from '../../protocol/remoting-command';
import { ResponseCode } from '../../protocol/response-code';
import type { BrokerContext } from '../broker-context';
import { mapPutStatus } from '../status-mapping';
import type { TransactionalMessageService } from './transactional-message-service';

export function createEndTransactionHandler(broker: BrokerContext, transactions: TransactionalMessageService) {
  return async (request: RemotingCommand): Promise<RemotingCommand> => {
    if (broker.config.brokerRole === 'SLAVE') {
      return createResponse(ResponseCode.SLAVE_NOT_AVAILABLE, 'Message store is slave mode, so end transaction is forbidden.');
    }
    const header = EndTransactionRequestHeader.decodeFrom(request);
    const verdict = header.commitOrRollback;
    if (verdict === MessageSysFlag.TRANSACTION_NOT_TYPE) {
      return createResponse(ResponseCode.SUCCESS, 'transaction state unknown; the broker will check it again');
    }
    if (verdict !== MessageSysFlag.TRANSACTION_COMMIT_TYPE && verdict !== MessageSysFlag.TRANSACTION_ROLLBACK_TYPE) {
      throw mqError('ERR_HEADER_FIELD_MALFORMED', `commitOrRollback field wrong: ${verdict} (0 unknown, 8 commit, 12 rollback)`);
    }
    const half = transactions.lookupHalf(header.commitLogOffset);
    if (half === undefined) {
      throw mqError('ERR_TRANSACTION_HALF_NOT_FOUND', `Find prepared transaction message failed: no half message at commit log offset ${header.commitLogOffset}`);
    }
    if (half.properties['PGROUP'] !== header.producerGroup) {
      throw mqError('ERR_TRANSACTION_GROUP_WRONG', `The producer group wrong: the half message belongs to ${half.properties['PGROUP'] ?? '(none)'}, not ${header.producerGroup}`);
    }
    if (half.queueOffset !== header.tranStateTableOffset) {
      throw mqError('ERR_TRANSACTION_OFFSET_WRONG', `The transaction state table offset wrong: ${header.tranStateTableOffset}, the half message is at ${half.queueOffset}`);
    }
    const outcome = verdict === MessageSysFlag.TRANSACTION_COMMIT_TYPE ? 'commit' : 'rollback';
    const result = await transactions.end(half, outcome);
    switch (result.kind) {
      case 'ended':
        return createResponse(ResponseCode.SUCCESS, undefined);
      case 'repeated':
        return createResponse(ResponseCode.SUCCESS, `the transaction already ended with ${outcome}`);
      case 'already-ended':
        throw mqError('ERR_TRANSACTION_FAILED', `cannot ${outcome}: the transaction of half message ${half.queueOffset} already ended${result.previous === undefined ? '' : ` with ${result.previous}`}`);
      case 'not-stored': {
        const mapped = mapPutStatus(result.result.status, { isDiskFull: broker.store.isDiskFull, diskUsageRatio: -1, storeRemark: result.result.remark });
        return createResponse(mapped.code, mapped.remark);
      }
      default:
        return unreachable(result);
    }
  };
}

function unreachable(value: never): never {
  throw new Error(`unhandled end result ${JSON.stringify(value)}`);
}
