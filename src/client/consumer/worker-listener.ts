/**
 * What the piscina consume pools' worker entries (consume-worker.ts, consume-orderly-worker.ts)
 * share: the task they receive, loading the user's listener module once per worker, and giving
 * the listener Buffers again after the structured clone.
 */
import type { MessageExt } from '../../message/message-types';

export interface WorkerConsumeTask {
  readonly modulePath: string;
  readonly messages: readonly MessageExt[];
  readonly queue: { topic: string; brokerName: string; queueId: number };
}

const listeners = new Map<string, unknown>();

/** The module's `consume` export (or default export, or the module itself when it is a function). */
export function loadListenerModule<F>(modulePath: string): F {
  let listener = listeners.get(modulePath);
  if (listener === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require(modulePath) as { consume?: unknown; default?: unknown };
    const candidate = typeof loaded === 'function' ? loaded : loaded.consume ?? loaded.default;
    if (typeof candidate !== 'function') throw new TypeError(`${modulePath} exports no consume(messages, context) function`);
    listener = candidate;
    listeners.set(modulePath, listener);
  }
  return listener as F;
}

/** Structured clone turns Buffers into Uint8Arrays; the listener gets Buffers back (no copy). */
export function withBufferBodies(messages: readonly MessageExt[]): MessageExt[] {
  return messages.map((m) => ({ ...m, body: Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength) }));
}
