/**
 * Runs an orderly listener module on worker threads (piscina). The orderly service calls it for
 * one batch per queue at a time, so different queues use different workers while each queue's
 * messages stay in order.
 */
import { isAbsolute, join } from 'node:path';
import Piscina from 'piscina';
import type { MessageExt } from '../../message';
import type { OrderlyOutcome } from './consume-orderly-types';
import type { OrderlyConsumeTask } from './consume-orderly-worker';
import { optionError, type MessageQueue } from './consumer-types';

export class ConsumeOrderlyPool {
  readonly #pool: Piscina<OrderlyConsumeTask, OrderlyOutcome>;
  readonly #modulePath: string;

  constructor(options: { readonly modulePath: string; readonly minThreads: number; readonly maxThreads: number }) {
    if (!isAbsolute(options.modulePath)) throw optionError(`listener module path must be absolute, got "${options.modulePath}"`);
    this.#modulePath = options.modulePath;
    this.#pool = new Piscina({ filename: join(__dirname, 'consume-orderly-worker.js'), minThreads: options.minThreads, maxThreads: options.maxThreads });
  }

  run(messages: readonly MessageExt[], queue: MessageQueue): Promise<OrderlyOutcome> {
    return this.#pool.run({ modulePath: this.#modulePath, messages, queue: { ...queue } });
  }

  destroy(): Promise<void> {
    return this.#pool.destroy();
  }
}
