/**
 * QUERY_MESSAGE (12, by key through the index) and VIEW_MESSAGE_BY_ID (33, by commit-log offset
 * decoded from an offset msgId); both answer raw stored records (remoting-protocol.md §5.12).
 */
import { mqError } from '../../protocol/errors';
import { optionalBoolean, requiredInt, requiredString } from '../../protocol/headers/header-fields';
import { createResponse, type RemotingCommand } from '../../protocol/remoting-command';
import { ResponseCode } from '../../protocol/response-code';
import type { BrokerContext } from '../broker-context';

/** Apache defaultQueryMaxNum: used for unique-key queries. */
const DEFAULT_QUERY_MAX_NUM = 32;
/** Apache maxMsgsNumBatch: the cap on what a key query may ask. */
const MAX_QUERY_NUM = 64;

export function createQueryMessageHandler(broker: BrokerContext) {
  return (request: RemotingCommand): RemotingCommand => {
    const topic = requiredString(request, 'topic');
    const key = requiredString(request, 'key');
    const isUniqueKeyQuery = optionalBoolean(request, '_UNIQUE_KEY_QUERY', false);
    const askedMax = requiredInt(request, 'maxNum');
    const maxNum = isUniqueKeyQuery ? DEFAULT_QUERY_MAX_NUM : Math.min(Math.max(1, askedMax), MAX_QUERY_NUM);
    const beginTimestamp = Math.max(0, requiredInt(request, 'beginTimestamp'));
    const endTimestamp = Math.max(0, requiredInt(request, 'endTimestamp'));
    const result = broker.store.queryMessage(topic, key, maxNum, beginTimestamp, endTimestamp);
    const extFields = {
      indexLastUpdateTimestamp: String(result.indexLastUpdateTimestamp),
      indexLastUpdatePhyoffset: String(result.indexLastUpdatePhyOffset),
    };
    if (result.records === null || result.messageCount === 0) {
      return createResponse(ResponseCode.QUERY_NOT_FOUND, 'can not find message, maybe time range not correct', extFields);
    }
    return createResponse(ResponseCode.SUCCESS, undefined, extFields, result.records);
  };
}

/** The stored record at a commit-log offset, read through its ConsumeQueue entry; null when absent. */
export function rawRecordAt(broker: BrokerContext, physicalOffset: number): Buffer | null {
  const message = broker.store.lookMessageByOffset(physicalOffset);
  if (message === null) return null;
  // The decoded lookup carries no record bytes; the queue read returns them untouched.
  const raw = broker.store.getMessage(message.topic, message.queueId, message.queueOffset, 1).records;
  if (raw === null || raw.length < message.storeSize || raw.readBigInt64BE(28) !== BigInt(physicalOffset)) return null;
  return raw.subarray(0, message.storeSize);
}

export function createViewMessageByIdHandler(broker: BrokerContext) {
  return (request: RemotingCommand): RemotingCommand => {
    const physicalOffset = requiredInt(request, 'offset');
    if (physicalOffset < 0) throw mqError('ERR_INVALID_PARAMETER', `offset ${physicalOffset} must not be negative`);
    const record = rawRecordAt(broker, physicalOffset);
    if (record === null) return createResponse(ResponseCode.SYSTEM_ERROR, `can not find message by the offset, ${physicalOffset}`);
    return createResponse(ResponseCode.SUCCESS, undefined, {}, record);
  };
}
