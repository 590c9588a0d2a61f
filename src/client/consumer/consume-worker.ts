/**
 * Worker-thread entry of the piscina consume pool. It loads the user's listener module (once per
 * worker) and runs it on one batch. No sockets here: the main thread pulls, sends back and commits.
 * A listener module exports `consume(messages, context)` (or a default function) returning
 * 'CONSUME_SUCCESS' or 'RECONSUME_LATER'; a throw counts as RECONSUME_LATER.
 */
import type { MessageExt } from '../../message';
import type { ConcurrentListener, ConsumeConcurrentlyStatus } from './consumer-types';

export interface ConsumeTask {
  readonly modulePath: string;
  readonly messages: readonly MessageExt[];
  readonly queue: { topic: string; brokerName: string; queueId: number };
}

const listeners = new Map<string, ConcurrentListener>();

function loadListener(modulePath: string): ConcurrentListener {
  let listener = listeners.get(modulePath);
  if (listener === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require(modulePath) as { consume?: unknown; default?: unknown };
    const candidate = typeof loaded === 'function' ? loaded : loaded.consume ?? loaded.default;
    if (typeof candidate !== 'function') throw new TypeError(`${modulePath} exports no consume(messages, context) function`);
    listener = candidate as ConcurrentListener;
    listeners.set(modulePath, listener);
  }
  return listener;
}

export default async function runConsumeTask(task: ConsumeTask): Promise<ConsumeConcurrentlyStatus> {
  const listener = loadListener(task.modulePath);
  // Structured clone turns Buffers into Uint8Arrays; give the listener Buffers back (no copy).
  const messages = task.messages.map((m) => ({ ...m, body: Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength) }));
  const status = await listener(messages, { queue: task.queue, delayLevelWhenNextConsume: 0 });
  return status === 'CONSUME_SUCCESS' ? 'CONSUME_SUCCESS' : 'RECONSUME_LATER';
}
