/**
 * A queue allocation strategy (AllocateMessageQueueStrategy): a pure function of the group, this
 * client's id, every queue of the topic and every client id of the group. Every member computes
 * the same split from the same inputs, so each queue has exactly one owner. Callers pass queues
 * and ids sorted (the rebalance does), and the strategies do not sort them again.
 */
import { mqError } from '../../../protocol/errors';
import type { MessageQueue } from '../../message-queue';

export type AllocateStrategy = (
  consumerGroup: string,
  currentClientId: string,
  queues: readonly MessageQueue[],
  clientIds: readonly string[],
) => MessageQueue[];

/**
 * Checks the arguments every strategy needs and returns this client's index among the ids, or -1
 * when it is not there (it then gets no queue, as in Java, which only logs).
 */
export function checkAllocateArgs(
  consumerGroup: string,
  currentClientId: string,
  queues: readonly MessageQueue[],
  clientIds: readonly string[],
): number {
  if (typeof consumerGroup !== 'string' || consumerGroup === '') throw invalid('consumerGroup must be a non-empty string');
  if (typeof currentClientId !== 'string' || currentClientId === '') throw invalid('currentClientId must be a non-empty string');
  if (!Array.isArray(queues)) throw invalid('queues must be an array');
  if (!Array.isArray(clientIds)) throw invalid('clientIds must be an array');
  if (queues.length === 0 || clientIds.length === 0) return -1;
  return clientIds.indexOf(currentClientId);
}

function invalid(message: string): Error {
  return mqError('ERR_INVALID_ARGUMENT', `allocate: ${message}`);
}
