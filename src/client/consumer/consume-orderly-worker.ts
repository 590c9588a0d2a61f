/**
 * Worker-thread entry of the orderly consume pool: loads the user's listener module (once per
 * worker) and runs it on one batch. A module exports `consume(messages, context)` (or a default
 * function) returning 'SUCCESS' or 'SUSPEND_CURRENT_QUEUE_A_MOMENT'; a throw or any other value
 * suspends the queue. The main thread keeps one call per queue in flight, so order holds.
 */
import type { ConsumeOrderlyContext, OrderlyListener, OrderlyOutcome } from './consume-orderly-types';
import { loadListenerModule, withBufferBodies, type WorkerConsumeTask } from './worker-listener';

export default async function runOrderlyConsumeTask(task: WorkerConsumeTask): Promise<OrderlyOutcome> {
  const listener = loadListenerModule<OrderlyListener>(task.modulePath);
  const context: ConsumeOrderlyContext = { queue: task.queue, suspendCurrentQueueTimeMillis: -1 };
  const status = await listener(withBufferBodies(task.messages), context);
  return { status: status === 'SUCCESS' ? 'SUCCESS' : 'SUSPEND_CURRENT_QUEUE_A_MOMENT', suspendMs: context.suspendCurrentQueueTimeMillis };
}
