/**
 * Runs a listener module on worker threads (piscina), so CPU-heavy consumers use every core. The
 * main thread keeps pulling, ordering and committing; only the listener call crosses threads.
 */
import { isAbsolute, join } from 'node:path';
import Piscina from 'piscina';
import type { MessageExt } from '../../message';
import { optionError, type ConsumeConcurrentlyStatus, type MessageQueue } from './consumer-types';
import type { ConsumeTask } from './consume-worker';

export interface ConsumePoolOptions {
  readonly modulePath: string;
  readonly minThreads: number;
  readonly maxThreads: number;
}

export class ConsumePool {
  readonly #pool: Piscina<ConsumeTask, ConsumeConcurrentlyStatus>;
  readonly #modulePath: string;

  constructor(options: ConsumePoolOptions) {
    if (!isAbsolute(options.modulePath)) throw optionError(`listener module path must be absolute, got "${options.modulePath}"`);
    this.#modulePath = options.modulePath;
    this.#pool = new Piscina({
      filename: join(__dirname, 'consume-worker.js'),
      minThreads: options.minThreads,
      maxThreads: options.maxThreads,
    });
  }

  run(messages: readonly MessageExt[], queue: MessageQueue): Promise<ConsumeConcurrentlyStatus> {
    return this.#pool.run({ modulePath: this.#modulePath, messages, queue: { ...queue } });
  }

  destroy(): Promise<void> {
    return this.#pool.destroy();
  }
}
