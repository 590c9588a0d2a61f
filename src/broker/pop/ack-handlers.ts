/**
 * ACK_MESSAGE (200051), BATCH_ACK_MESSAGE (200151) and CHANGE_MESSAGE_INVISIBLETIME (200053) for popped messages. Both name
 * the message by its receipt handle (extraInfo) plus the header's queueId and offset. An ack writes
 * an ack record and settles the message; acking a handle already settled (acked, or revived after
 * its invisible time) succeeds and does nothing, as in RocketMQ. A change writes a checkpoint for
 * the message alone (popTime now, the new invisibleTime, same revive queue), then acks the old
 * handle; the client builds the new handle from the response's popTime/invisibleTime/reviveQid.
 */
import { mqError } from '../../protocol/errors';
import { createResponse, type RemotingCommand } from '../../protocol/remoting-command';
import { ResponseCode } from '../../protocol/response-code';
import { parseBatchAckBody } from '../../protocol/headers/pop-batch-ack';
import { parseReceiptHandle, realTopicOf, type ReceiptHandle } from '../../protocol/headers/pop-extra-info';
import {
  AckMessageRequestHeader, ChangeInvisibleTimeRequestHeader, ChangeInvisibleTimeResponseHeader,
} from '../../protocol/headers/pop-headers';
import type { PutMessageResult } from '../../store/message-store';
import { isStored } from '../../store/store-status';
import type { BrokerContext } from '../broker-context';
import { mapPutStatus } from '../status-mapping';
import type { Checkpoint } from './pop-book';
import { checkpointKey } from './pop-records';
import type { PopService } from './pop-service';

interface AckTarget {
  readonly group: string;
  readonly realTopic: string;
  readonly queueId: number;
  readonly offset: number;
  readonly handle: ReceiptHandle;
  /** The checkpoint still waiting for this message, if any. */
  readonly checkpoint: Checkpoint | undefined;
}

function resolveTarget(broker: BrokerContext, pop: PopService, fields: {
  consumerGroup: string; topic: string; queueId: number; extraInfo: string; offset: number;
}): AckTarget {
  const handle = parseReceiptHandle(fields.extraInfo);
  if (broker.config.brokerRole === 'SLAVE') throw mqError('ERR_NO_PERMISSION', `the broker[${broker.config.brokerIP1}] is a slave; acks go to the master`);
  if (broker.topics.get(fields.topic) === undefined) throw mqError('ERR_TOPIC_NOT_EXIST', `topic[${fields.topic}] not exist, apply first please!`);
  if (handle.reviveQid < 0 || handle.reviveQid >= broker.config.reviveQueueNum) {
    throw mqError('ERR_INVALID_PARAMETER', `extraInfo reviveQid ${handle.reviveQid} is not a revive queue of this broker (0..${broker.config.reviveQueueNum - 1})`);
  }
  const realTopic = realTopicOf(handle.retryType, fields.consumerGroup, fields.topic);
  const min = broker.store.getMinOffsetInQueue(realTopic, fields.queueId);
  const max = broker.store.getMaxOffsetInQueue(realTopic, fields.queueId);
  if (fields.offset < min || fields.offset >= max) {
    throw mqError('ERR_NO_MESSAGE', `offset is illegal, topic:${realTopic}, queueId:${fields.queueId}, offset:${fields.offset}, min:${min}, max:${max}`);
  }
  const key = checkpointKey(fields.consumerGroup, realTopic, fields.queueId, handle.ckQueueOffset, handle.popTime);
  const ck = pop.book.get(key);
  return {
    group: fields.consumerGroup, realTopic, queueId: fields.queueId, offset: fields.offset, handle,
    checkpoint: ck !== undefined && ck.pending.has(fields.offset) ? ck : undefined,
  };
}

function putFailure(broker: BrokerContext, result: PutMessageResult): RemotingCommand {
  const mapped = mapPutStatus(result.status, { isDiskFull: broker.store.isDiskFull, diskUsageRatio: -1, storeRemark: result.remark });
  return createResponse(mapped.code, mapped.remark);
}

function ackOld(pop: PopService, target: AckTarget, ck: Checkpoint): Promise<PutMessageResult> {
  return pop.writeAck({
    group: target.group, topic: target.realTopic, queueId: target.queueId, startOffset: ck.startOffset, popTime: ck.popTime,
    ackOffsets: [target.offset], brokerName: ck.brokerName,
  }, ck.reviveQid);
}

export function createAckMessageHandler(broker: BrokerContext, pop: PopService) {
  return async (request: RemotingCommand): Promise<RemotingCommand> => {
    const target = resolveTarget(broker, pop, AckMessageRequestHeader.decodeFrom(request));
    const ck = target.checkpoint;
    if (ck === undefined) return createResponse(ResponseCode.SUCCESS);
    const result = await ackOld(pop, target, ck);
    return isStored(result.status) ? createResponse(ResponseCode.SUCCESS) : putFailure(broker, result);
  };
}

export function createChangeInvisibleTimeHandler(broker: BrokerContext, pop: PopService) {
  return async (request: RemotingCommand): Promise<RemotingCommand> => {
    const header = ChangeInvisibleTimeRequestHeader.decodeFrom(request);
    if (header.invisibleTime < 1) throw mqError('ERR_INVALID_PARAMETER', `invisibleTime[${header.invisibleTime}] must be positive`);
    const target = resolveTarget(broker, pop, header);
    const old = target.checkpoint;
    if (old === undefined || old.isReviving) {
      throw mqError('ERR_NO_MESSAGE', `the receipt handle of ${target.realTopic}:${target.queueId}@${target.offset} is no longer valid: the message was acked or is visible again`);
    }
    // Strictly after the old popTime: the new checkpoint must not share the old one's identity.
    const popTime = Math.max(broker.clock.now(), target.handle.popTime + 1);
    const written = await pop.writeCheckpoint({
      group: target.group, topic: target.realTopic, queueId: target.queueId, startOffset: target.offset, popTime,
      invisibleTime: header.invisibleTime, reviveQid: old.reviveQid, offsets: [target.offset], brokerName: broker.config.brokerName,
    });
    if (!isStored(written.status)) {
      pop.book.remove(checkpointKey(target.group, target.realTopic, target.queueId, target.offset, popTime));
      return putFailure(broker, written);
    }
    const acked = await ackOld(pop, target, old);
    if (!isStored(acked.status)) {
      // The old record stays unacked on disk; in memory only the new deadline counts from now on.
      pop.book.settle(old.key, target.offset);
    }
    const extFields = ChangeInvisibleTimeResponseHeader.encode({ popTime, invisibleTime: header.invisibleTime, reviveQid: old.reviveQid });
    return createResponse(ResponseCode.SUCCESS, undefined, extFields);
  };
}

/**
 * BATCH_ACK_MESSAGE (200151): the body's BatchAcks, one per checkpoint, each written as one batch
 * ack record ("bAck") for its offsets still pending. Offsets already settled are skipped, as a
 * single ack of a settled handle is.
 */
export function createBatchAckHandler(broker: BrokerContext, pop: PopService) {
  return async (request: RemotingCommand): Promise<RemotingCommand> => {
    const acks = parseBatchAckBody(request.body);
    if (broker.config.brokerRole === 'SLAVE') throw mqError('ERR_NO_PERMISSION', `the broker[${broker.config.brokerIP1}] is a slave; acks go to the master`);
    const writes: Array<Promise<PutMessageResult>> = [];
    for (const a of acks) {
      if (a.reviveQid < 0 || a.reviveQid >= broker.config.reviveQueueNum) {
        throw mqError('ERR_INVALID_PARAMETER', `batch ack reviveQid ${a.reviveQid} is not a revive queue of this broker`);
      }
      const realTopic = realTopicOf(a.retryType, a.group, a.topic);
      const ck = pop.book.get(checkpointKey(a.group, realTopic, a.queueId, a.startOffset, a.popTime));
      const pending = ck === undefined ? [] : a.offsets.filter((o) => ck.pending.has(o));
      if (ck === undefined || pending.length === 0) continue;
      writes.push(pop.writeAck({
        group: a.group, topic: realTopic, queueId: a.queueId, startOffset: a.startOffset, popTime: a.popTime, ackOffsets: pending, brokerName: ck.brokerName,
      }, ck.reviveQid));
    }
    const failed = (await Promise.all(writes)).find((r) => !isStored(r.status));
    return failed === undefined ? createResponse(ResponseCode.SUCCESS) : putFailure(broker, failed);
  };
}
