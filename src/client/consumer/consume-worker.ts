/**
 * Worker-thread entry of the piscina consume pool. It loads the user's listener module (once per
 * worker) and runs it on one batch. No sockets here: the main thread pulls, sends back and commits.
 * A listener module exports `consume(messages, context)` (or a default function) returning
 * 'CONSUME_SUCCESS' or 'RECONSUME_LATER'; a throw counts as RECONSUME_LATER.
 */
import type { ConcurrentListener, ConsumeConcurrentlyStatus } from './consumer-types';
import { loadListenerModule, withBufferBodies, type WorkerConsumeTask } from './worker-listener';

export default async function runConsumeTask(task: WorkerConsumeTask): Promise<ConsumeConcurrentlyStatus> {
  const listener = loadListenerModule<ConcurrentListener>(task.modulePath);
  const status = await listener(withBufferBodies(task.messages), { queue: task.queue, delayLevelWhenNextConsume: 0 });
  return status === 'CONSUME_SUCCESS' ? 'CONSUME_SUCCESS' : 'RECONSUME_LATER';
}
