/**
 * The default allocation (RocketMQ AllocateMessageQueueAveragely): contiguous blocks, the first
 * `queues % consumers` members taking one extra. A local copy so the consumer works on its own;
 * the shared strategies in src/client/rebalance/strategies plug into the same AllocateStrategy type.
 */
import type { AllocateStrategy, MessageQueue } from './consumer-types';

export const allocateAveragely: AllocateStrategy = (_group, currentId, queues, consumerIds) => {
  const index = consumerIds.indexOf(currentId);
  if (index < 0 || queues.length === 0) return [];
  const mod = queues.length % consumerIds.length;
  const size = queues.length <= consumerIds.length ? 1
    : Math.floor(queues.length / consumerIds.length) + (index < mod ? 1 : 0);
  const start = queues.length <= consumerIds.length ? index
    : index * Math.floor(queues.length / consumerIds.length) + Math.min(index, mod);
  const out: MessageQueue[] = [];
  for (let i = 0; i < size && start + i < queues.length; i++) out.push(queues[start + i] as MessageQueue);
  return out;
};
