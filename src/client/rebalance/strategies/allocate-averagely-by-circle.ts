/**
 * AllocateMessageQueueAveragelyByCircle: queues are dealt out like cards: queue i goes to consumer
 * i % consumers.
 */
import { checkAllocateArgs, type AllocateStrategy } from './allocate-strategy';

export const allocateAveragelyByCircle: AllocateStrategy = (consumerGroup, currentClientId, queues, clientIds) => {
  const index = checkAllocateArgs(consumerGroup, currentClientId, queues, clientIds);
  if (index < 0) return [];
  const result = [];
  for (let i = index; i < queues.length; i += clientIds.length) result.push(queues[i]!);
  return result;
};
