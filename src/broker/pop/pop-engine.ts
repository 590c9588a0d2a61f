/**
 * One pop, apart from any wire format (the remoting handler formats it; a gRPC endpoint can too):
 * reads up to maxMsgNums matching messages from the group's pop offsets of one queue or all queues
 * of the topic and of its pop retry topic, moves the pop offsets past what it read (filtered-out
 * messages included, as RocketMQ does), and writes one checkpoint per queue that gave messages.
 */
import type { MessageExt } from '../../message/message-types';
import { forEachRecord } from '../../message/record-decoder';
import { popRetryTopicV1, retryTypeOf, type PoppedQueue } from '../../protocol/headers/pop-extra-info';
import { PopInitMode } from '../../protocol/headers/pop-headers';
import type { PutMessageResult } from '../../store/message-store';
import { isStored } from '../../store/store-status';
import type { BrokerContext } from '../broker-context';
import { recordMatches, type SubscriptionFilter } from '../filter/message-filter';
import type { CheckpointData } from './pop-records';
import type { PopService } from './pop-service';

/** What a pop asks for (PopMessageRequestHeader's fields that matter here). */
export interface PopQuery {
  readonly consumerGroup: string;
  readonly topic: string;
  /** -1 = any queue. */
  readonly queueId: number;
  readonly maxMsgNums: number;
  readonly invisibleTime: number;
  readonly initMode: number;
}

/** The messages one queue gave: stored records (under `topic`, the retry topic for redeliveries). */
export interface PoppedFromQueue extends PoppedQueue {
  readonly topic: string;
  readonly messages: MessageExt[];
  readonly records: Buffer[];
  readonly nextOffset: number;
}

export interface PopBatch {
  readonly popTime: number;
  readonly reviveQid: number;
  /** Messages left behind the pop offsets of the queues looked at. */
  readonly restNum: number;
  /** Empty when nothing was found. */
  readonly queues: readonly PoppedFromQueue[];
}

/** The queues one pop reads: the topic's (one or all, rotating the start) and the retry topic's. */
function queuesOf(broker: BrokerContext, header: PopQuery, retryFirst: boolean, rotate: number): Array<[string, number]> {
  const normal: Array<[string, number]> = [];
  const readQueues = broker.topics.get(header.topic)?.readQueueNums ?? 0;
  if (header.queueId >= 0) normal.push([header.topic, header.queueId]);
  else for (let i = 0; i < readQueues; i++) normal.push([header.topic, (rotate + i) % readQueues]);
  const retryTopic = popRetryTopicV1(header.consumerGroup, header.topic);
  const retryQueues = broker.topics.get(retryTopic)?.readQueueNums ?? 0;
  const retry: Array<[string, number]> = [];
  for (let i = 0; i < retryQueues; i++) retry.push([retryTopic, i]);
  return retryFirst ? [...retry, ...normal] : [...normal, ...retry];
}

function popOffsetOf(broker: BrokerContext, pop: PopService, header: PopQuery, topic: string, queueId: number): number {
  return pop.book.popOffset(header.consumerGroup, topic, queueId, () => {
    const committed = broker.offsets.queryOffset(header.consumerGroup, topic, queueId);
    if (committed >= 0) return committed;
    const min = broker.store.getMinOffsetInQueue(topic, queueId);
    // MAX starts at the last message, except on a queue nothing was ever deleted from (RocketMQ
    // initPopOffsetByCheckMsgInMem: its first message is still there to be read).
    const initial = header.initMode === PopInitMode.MIN || topic !== header.topic || min <= 0
      ? min : Math.max(min, broker.store.getMaxOffsetInQueue(topic, queueId) - 1);
    broker.offsets.commitOffset(header.consumerGroup, topic, queueId, initial);
    pop.book.noteCommitted(header.consumerGroup, topic, queueId, initial);
    return initial;
  }, broker.offsets.queryOffset(header.consumerGroup, topic, queueId));
}

/** Whether anything is there for this pop now (its long poll wakes on this). */
export function hasPoppable(broker: BrokerContext, pop: PopService, header: PopQuery): boolean {
  for (const [topic, queueId] of queuesOf(broker, header, false, 0)) {
    if (broker.store.getMaxOffsetInQueue(topic, queueId) > popOffsetOf(broker, pop, header, topic, queueId)) return true;
  }
  return false;
}

/** One pop; `failed` when a checkpoint could not be written (its messages stay in flight in memory). */
export async function popOnce(
  broker: BrokerContext, pop: PopService, header: PopQuery, filter: SubscriptionFilter, retryFirst: boolean,
): Promise<PopBatch | { readonly failed: PutMessageResult }> {
  const popTime = broker.clock.now();
  const reviveQid = pop.nextReviveQid();
  const group = header.consumerGroup;
  const popped: PoppedFromQueue[] = [];
  let remaining = header.maxMsgNums;
  let restNum = 0;
  // Everything up to the checkpoint writes runs in one turn: no other pop sees these offsets.
  for (const [topic, queueId] of queuesOf(broker, header, retryFirst, popTime)) {
    const offset = popOffsetOf(broker, pop, header, topic, queueId);
    if (remaining === 0) {
      restNum += Math.max(0, broker.store.getMaxOffsetInQueue(topic, queueId) - offset);
      continue;
    }
    const isRetry = topic !== header.topic;
    const result = broker.store.getMessage(topic, queueId, offset, remaining, !isRetry && filter.codes.length > 0 ? { tagsCodes: filter.codes } : undefined);
    if (result.nextBeginOffset < 0) continue;
    const messages: MessageExt[] = [];
    const records: Buffer[] = [];
    if (result.status === 'FOUND' && result.records !== null) {
      const buffer = result.records;
      forEachRecord(buffer, (message, at) => {
        if (isRetry || recordMatches(filter, message)) {
          messages.push(message);
          records.push(buffer.subarray(at, at + message.storeSize));
        }
      });
    }
    restNum += Math.max(0, result.maxOffset - result.nextBeginOffset);
    if (result.nextBeginOffset !== offset) pop.book.setPopOffset(group, topic, queueId, result.nextBeginOffset);
    if (messages.length === 0) {
      // Only filtered-out (or vanished) messages: nothing in flight, the offset is committed as is.
      if (result.nextBeginOffset > offset) pop.commitPopOffset(group, topic, queueId, result.nextBeginOffset);
      continue;
    }
    remaining -= messages.length;
    popped.push({
      topic, retryType: retryTypeOf(topic), queueId, startOffset: offset, offsets: messages.map((m) => m.queueOffset),
      messages, records, nextOffset: result.nextBeginOffset,
    });
  }
  if (popped.length === 0) return { popTime, reviveQid, restNum, queues: [] };
  const writes = await Promise.all(popped.map((q) => pop.writeCheckpoint(checkpointOf(broker, header, q, popTime, reviveQid))));
  const failed = writes.find((w) => !isStored(w.status));
  if (failed !== undefined) return { failed };
  for (const q of popped) pop.commitPopOffset(group, q.topic, q.queueId, q.nextOffset);
  return { popTime, reviveQid, restNum, queues: popped };
}

function checkpointOf(broker: BrokerContext, header: PopQuery, q: PoppedFromQueue, popTime: number, reviveQid: number): CheckpointData {
  return {
    group: header.consumerGroup, topic: q.topic, queueId: q.queueId, startOffset: q.startOffset, popTime,
    invisibleTime: header.invisibleTime, reviveQid, offsets: q.offsets, brokerName: broker.config.brokerName,
  };
}

