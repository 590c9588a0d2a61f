/** Shapes shared by the push and lite-pull consumers. */
import type { MessageExt } from '../../message';

/** One readable queue of a topic on one broker. */
export interface MessageQueue {
  readonly topic: string;
  readonly brokerName: string;
  readonly queueId: number;
}

/** A stable map key for a queue ("topic@broker@id"). */
export function queueKey(mq: MessageQueue): string {
  return `${mq.topic}@${mq.brokerName}@${mq.queueId}`;
}

/** Java's MessageQueue ordering: topic, then broker name, then queue id. */
export function compareQueues(a: MessageQueue, b: MessageQueue): number {
  if (a.topic !== b.topic) return a.topic < b.topic ? -1 : 1;
  if (a.brokerName !== b.brokerName) return a.brokerName < b.brokerName ? -1 : 1;
  return a.queueId - b.queueId;
}

export const MessageModel = { CLUSTERING: 'CLUSTERING', BROADCASTING: 'BROADCASTING' } as const;
export type MessageModelName = keyof typeof MessageModel;

export const ConsumeFromWhere = { LAST_OFFSET: 'LAST_OFFSET', FIRST_OFFSET: 'FIRST_OFFSET', TIMESTAMP: 'TIMESTAMP' } as const;
export type ConsumeFromWhereName = keyof typeof ConsumeFromWhere;

export type ConsumeConcurrentlyStatus = 'CONSUME_SUCCESS' | 'RECONSUME_LATER';

/** What a listener is told besides the messages. */
export interface ConsumeContext {
  readonly queue: MessageQueue;
  /** Delay level for the send-back on RECONSUME_LATER; 0 lets the broker decide (3 + reconsumeTimes). */
  delayLevelWhenNextConsume: number;
}

export type ConcurrentListener = (
  messages: readonly MessageExt[],
  context: ConsumeContext,
) => ConsumeConcurrentlyStatus | Promise<ConsumeConcurrentlyStatus>;

/**
 * Queue allocation (a rebalance strategy): this client's share of `queues` among `consumerIds`.
 * Both lists arrive sorted, so every member computes the same split.
 */
export type AllocateStrategy = (
  group: string,
  currentId: string,
  queues: readonly MessageQueue[],
  consumerIds: readonly string[],
) => MessageQueue[];
