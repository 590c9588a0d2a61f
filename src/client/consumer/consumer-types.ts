/** Shapes shared by the push and lite-pull consumers. */
import type { MessageExt } from '../../message/message-types';
import { clientOptionError, clientStateError } from '../client-config';
import { compareMessageQueues, messageQueueKey, type MessageQueue } from '../message-queue';

export type { MessageQueue } from '../message-queue';
export type { AllocateStrategy } from '../rebalance/strategies/allocate-strategy';
// Constants rather than `export { ... } from`: a re-export compiles to a getter, and an exports
// object of getters is a slow (dictionary) object every caller's property load goes through.
export const queueKey = messageQueueKey;
export const compareQueues = compareMessageQueues;
export const stateError = clientStateError;
export const optionError = clientOptionError;

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

