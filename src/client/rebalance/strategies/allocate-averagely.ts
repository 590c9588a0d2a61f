/**
 * AllocateMessageQueueAveragely: queues (sorted) are cut into contiguous ranges, one per consumer
 * (sorted ids); the first `queues % consumers` consumers get one extra queue. With more consumers
 * than queues the last ones get nothing.
 */
import { checkAllocateArgs, type AllocateStrategy } from './allocate-strategy';

export const allocateAveragely: AllocateStrategy = (consumerGroup, currentClientId, queues, clientIds) => {
  const index = checkAllocateArgs(consumerGroup, currentClientId, queues, clientIds);
  if (index < 0) return [];
  const total = queues.length;
  const consumers = clientIds.length;
  const remainder = total % consumers;
  const size = total <= consumers ? 1 : Math.floor(total / consumers) + (remainder > 0 && index < remainder ? 1 : 0);
  const start = remainder > 0 && index < remainder ? index * size : index * size + remainder;
  const range = Math.min(size, total - start);
  const result = [];
  for (let i = 0; i < range; i++) result.push(queues[(start + i) % total]!);
  return result;
};
