/**
 * LOCK_BATCH_MQ (41) and UNLOCK_BATCH_MQ (42) for orderly consumers (remoting-protocol.md §5.10):
 * body {"consumerGroup","clientId","onlyThisBroker","mqSet":[{"brokerName","queueId","topic"}]};
 * LOCK answers {"lockOKMQSet":[...]} with the queues the client holds now. `onlyThisBroker` is
 * ignored: a master has no replica to forward the lock to here.
 */
import { mqError } from '../../protocol/errors';
import { createResponse, type RemotingCommand } from '../../protocol/remoting-command';
import { ResponseCode } from '../../protocol/response-code';
import type { BrokerContext } from '../broker-context';
import type { MessageQueueRef, QueueLockManager } from '../registry/queue-lock-manager';

interface LockBody {
  readonly consumerGroup: string;
  readonly clientId: string;
  readonly mqSet: MessageQueueRef[];
}

function decodeLockBody(body: Buffer | undefined): LockBody {
  let json: unknown;
  try {
    json = JSON.parse((body ?? Buffer.alloc(0)).toString('utf8'));
  } catch (err) {
    throw mqError('ERR_BODY_MALFORMED', `lock body is not JSON: ${(err as Error).message}`, err);
  }
  const o = json as Record<string, unknown>;
  if (typeof o !== 'object' || o === null || !isNonEmptyString(o['consumerGroup']) || !isNonEmptyString(o['clientId']) || !Array.isArray(o['mqSet'])) {
    throw mqError('ERR_BODY_MALFORMED', 'lock body needs a non-empty consumerGroup and clientId, and an mqSet array');
  }
  const mqSet = (o['mqSet'] as unknown[]).map((mq) => {
    const m = mq as Record<string, unknown>;
    if (typeof m !== 'object' || m === null || typeof m['topic'] !== 'string' || typeof m['brokerName'] !== 'string' || !Number.isInteger(m['queueId'])) {
      throw mqError('ERR_BODY_MALFORMED', 'each mqSet entry needs topic, brokerName and an integer queueId');
    }
    return { brokerName: m['brokerName'] as string, queueId: m['queueId'] as number, topic: m['topic'] as string };
  });
  return { consumerGroup: o['consumerGroup'] as string, clientId: o['clientId'] as string, mqSet };
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

export function createLockBatchHandler(broker: BrokerContext, locks: QueueLockManager) {
  return (request: RemotingCommand): RemotingCommand => {
    const body = decodeLockBody(request.body);
    const held = locks.tryLock(body.consumerGroup, body.clientId, body.mqSet, broker.clock.now());
    const lockOKMQSet = held.map((mq) => ({ brokerName: mq.brokerName, queueId: mq.queueId, topic: mq.topic }));
    return createResponse(ResponseCode.SUCCESS, undefined, {}, Buffer.from(JSON.stringify({ lockOKMQSet }), 'utf8'));
  };
}

export function createUnlockBatchHandler(locks: QueueLockManager) {
  return (request: RemotingCommand): RemotingCommand => {
    const body = decodeLockBody(request.body);
    locks.unlock(body.consumerGroup, body.clientId, body.mqSet);
    return createResponse(ResponseCode.SUCCESS);
  };
}
