/**
 * Runs a listener module on worker threads (piscina), so CPU-heavy consumers use every core. The
 * main thread keeps pulling, ordering and committing; only the listener call crosses threads. The
 * concurrent service (consume-worker.js) sends it any batch; the orderly one
 * (consume-orderly-worker.js) one batch per queue at a time, so each queue's messages stay in order.
 */
import { isAbsolute, join } from 'node:path';
import Piscina from 'piscina';
import type { MessageExt } from '../../message/message-types';
import type { OrderlyOutcome } from './consume-orderly-types';
import { optionError, type ConsumeConcurrentlyStatus, type MessageQueue } from './consumer-types';
import type { WorkerConsumeTask } from './worker-listener';

export interface ConsumePoolOptions {
  readonly modulePath: string;
  readonly minThreads: number;
  readonly maxThreads: number;
}

export type WorkerEntry = 'consume-worker.js' | 'consume-orderly-worker.js';

export class ConsumePool<Outcome> {
  readonly #pool: Piscina<WorkerConsumeTask, Outcome>;
  readonly #modulePath: string;

  constructor(workerEntry: WorkerEntry, options: ConsumePoolOptions) {
    if (!isAbsolute(options.modulePath)) throw optionError(`listener module path must be absolute, got "${options.modulePath}"`);
    this.#modulePath = options.modulePath;
    this.#pool = new Piscina({
      filename: join(__dirname, workerEntry),
      minThreads: options.minThreads,
      maxThreads: options.maxThreads,
    });
  }

  run(messages: readonly MessageExt[], queue: MessageQueue): Promise<Outcome> {
    return this.#pool.run({ modulePath: this.#modulePath, messages, queue: { ...queue } });
  }

  destroy(): Promise<void> {
    return this.#pool.destroy();
  }
}

export type ConcurrentConsumePool = ConsumePool<ConsumeConcurrentlyStatus>;

export function concurrentConsumePool(options: ConsumePoolOptions): ConcurrentConsumePool {
  return new ConsumePool('consume-worker.js', options);
}

export function orderlyConsumePool(options: ConsumePoolOptions): ConsumePool<OrderlyOutcome> {
  return new ConsumePool('consume-orderly-worker.js', options);
}
