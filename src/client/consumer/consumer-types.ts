/** Shapes shared by the push and lite-pull consumers. */
import type { MessageExt } from '../../message';

export type { MessageQueue } from '../message-queue';
export { messageQueueKey as queueKey, compareMessageQueues as compareQueues } from '../message-queue';
export type { AllocateStrategy } from '../rebalance/strategies';
export { clientStateError as stateError, clientOptionError as optionError } from '../client-config';
import type { MessageQueue } from '../message-queue';

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

