/**
 * Worker-thread entry of the orderly consume pool: loads the user's listener module (once per
 * worker) and runs it on one batch. A module exports `consume(messages, context)` (or a default
 * function) returning 'SUCCESS' or 'SUSPEND_CURRENT_QUEUE_A_MOMENT'; a throw or any other value
 * suspends the queue. The main thread keeps one call per queue in flight, so order holds.
 */
import type { MessageExt } from '../../message';
import type { ConsumeOrderlyContext, OrderlyListener, OrderlyOutcome } from './consume-orderly-types';

export interface OrderlyConsumeTask {
  readonly modulePath: string;
  readonly messages: readonly MessageExt[];
  readonly queue: { topic: string; brokerName: string; queueId: number };
}

const listeners = new Map<string, OrderlyListener>();

function loadListener(modulePath: string): OrderlyListener {
  let listener = listeners.get(modulePath);
  if (listener === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require(modulePath) as { consume?: unknown; default?: unknown };
    const candidate = typeof loaded === 'function' ? loaded : loaded.consume ?? loaded.default;
    if (typeof candidate !== 'function') throw new TypeError(`${modulePath} exports no consume(messages, context) function`);
    listener = candidate as OrderlyListener;
    listeners.set(modulePath, listener);
  }
  return listener;
}

export default async function runOrderlyConsumeTask(task: OrderlyConsumeTask): Promise<OrderlyOutcome> {
  const listener = loadListener(task.modulePath);
  // Structured clone turns Buffers into Uint8Arrays; give the listener Buffers back (no copy).
  const messages = task.messages.map((m) => ({ ...m, body: Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength) }));
  const context: ConsumeOrderlyContext = { queue: task.queue, suspendCurrentQueueTimeMillis: -1 };
  const status = await listener(messages, context);
  return { status: status === 'SUCCESS' ? 'SUCCESS' : 'SUSPEND_CURRENT_QUEUE_A_MOMENT', suspendMs: context.suspendCurrentQueueTimeMillis };
}
