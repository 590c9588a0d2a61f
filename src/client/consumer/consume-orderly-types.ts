/** The orderly listener (RocketMQ MessageListenerOrderly) and what it is told and returns. */
import type { MessageExt } from '../../message/message-types';
import type { MessageQueue } from './consumer-types';

/**
 * SUCCESS commits the batch; SUSPEND_CURRENT_QUEUE_A_MOMENT (or a throw) keeps it at the head of its
 * queue, which waits suspendCurrentQueueTimeMillis before the batch is consumed again.
 */
export type ConsumeOrderlyStatus = 'SUCCESS' | 'SUSPEND_CURRENT_QUEUE_A_MOMENT';

export interface ConsumeOrderlyContext {
  readonly queue: MessageQueue;
  /** Set to override the consumer's suspendCurrentQueueTimeMillis for this suspension; -1 = the consumer's. */
  suspendCurrentQueueTimeMillis: number;
}

export type OrderlyListener = (
  messages: readonly MessageExt[],
  context: ConsumeOrderlyContext,
) => ConsumeOrderlyStatus | Promise<ConsumeOrderlyStatus>;

/** A listener call's outcome as the orderly service sees it (also what a worker thread answers). */
export interface OrderlyOutcome {
  readonly status: ConsumeOrderlyStatus;
  /** -1 = the consumer's suspendCurrentQueueTimeMillis. */
  readonly suspendMs: number;
}
