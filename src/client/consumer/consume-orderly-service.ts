/**
 * Orderly consumption (RocketMQ ConsumeMessageOrderlyService): each queue is consumed by one loop
 * at a time, one batch (consumeMessageBatchMaxSize) after another in queue-offset order, and in
 * clustering only while this client holds the queue's broker lock (queue-locks.ts). A batch that
 * fails (SUSPEND_CURRENT_QUEUE_A_MOMENT or a throw) stays at the head of its queue: the queue waits
 * suspendCurrentQueueTimeMillis and the same batch is consumed again with its reconsume count one
 * higher, so later messages never overtake it. A message that fails with reconsumeTimes >=
 * maxReconsumeTimes (unbounded by default) is sent to %DLQ%<group> and the queue moves on.
 * Offsets move only past consumed messages. Different queues run side by side, at most
 * consumeThreadMax listener calls at once.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { silentLogger, type Logger } from '../../common/logger';
import { MessageConst } from '../../message/message-const';
import type { MessageExt } from '../../message/message-types';
import { orderlyConsumePool, type ConsumePool } from './consume-pool';
import type { ConsumeOrderlyContext, OrderlyListener, OrderlyOutcome } from './consume-orderly-types';
import { RETRY_GROUP_TOPIC_PREFIX, type QueueConsumeService } from './consume-service';
import type { ConsumerClient } from './consumer-client';
import { ConsumeSlots } from './consume-slots';
import type { MessageModelName, MessageQueue } from './consumer-types';
import type { OffsetStore } from './offset-store';
import type { ProcessQueue } from './process-queue';
import { QueueLocks } from './queue-locks';
import { sendMessageBack } from './send-back';
import { guardHook, type ConsumeHook } from '../trace/hooks';
import type { ConsumeReturnType } from '../trace/trace-codec';

/** RocketMQ's orderly default (maxReconsumeTimes -1 means Integer.MAX_VALUE for orderly listeners). */
export const DEFAULT_ORDERLY_MAX_RECONSUME_TIMES = 2 ** 31 - 1;
export const DEFAULT_SUSPEND_CURRENT_QUEUE_MS = 1000;

export interface ConsumeOrderlyOptions {
  readonly group: string;
  readonly messageModel: MessageModelName;
  readonly batchSize: number;
  readonly concurrency: number;
  /** -1: unbounded (Integer.MAX_VALUE). */
  readonly maxReconsumeTimes: number;
  readonly suspendCurrentQueueTimeMillis: number;
  /** Worker threads for a module listener. */
  readonly consumeThreadMin: number;
  readonly consumeThreadMax: number;
  readonly logger?: Logger;
  /** Told before and after each listener call (message trace). */
  readonly hooks?: readonly ConsumeHook[];
}

export class ConsumeOrderlyService implements QueueConsumeService {
  readonly #client: ConsumerClient;
  readonly #offsets: OffsetStore;
  readonly #options: ConsumeOrderlyOptions;
  readonly #logger: Logger;
  readonly #run: (messages: readonly MessageExt[], queue: MessageQueue) => Promise<OrderlyOutcome>;
  readonly #pool: ConsumePool<OrderlyOutcome> | undefined;
  /** Clustering only: broadcasting consumers do not lock (every one of them reads every queue). */
  readonly #locks: QueueLocks | undefined;
  readonly #loops = new Map<ProcessQueue, Promise<void>>();
  readonly #stop = new AbortController();
  readonly #slots = new ConsumeSlots(() => this.#options.concurrency);
  readonly #maxReconsumeTimes: number;
  #consumed = 0;

  constructor(client: ConsumerClient, offsets: OffsetStore, listener: OrderlyListener | string, options: ConsumeOrderlyOptions) {
    this.#client = client;
    this.#offsets = offsets;
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
    this.#maxReconsumeTimes = options.maxReconsumeTimes < 0 ? DEFAULT_ORDERLY_MAX_RECONSUME_TIMES : options.maxReconsumeTimes;
    if (typeof listener === 'string') {
      const pool = orderlyConsumePool({ modulePath: listener, minThreads: options.consumeThreadMin, maxThreads: options.consumeThreadMax });
      this.#pool = pool;
      this.#run = (messages, queue) => pool.run(messages, queue);
    } else {
      this.#run = async (messages, queue) => {
        const context: ConsumeOrderlyContext = { queue, suspendCurrentQueueTimeMillis: -1 };
        const status = await listener(messages, context);
        return { status, suspendMs: context.suspendCurrentQueueTimeMillis };
      };
    }
    this.#locks = options.messageModel === 'CLUSTERING' ? new QueueLocks(client, { group: options.group, logger: this.#logger }) : undefined;
  }

  get consumedCount(): number {
    return this.#consumed;
  }

  start(): void {
    this.#locks?.start();
  }

  /**
   * A failed pull may mean the broker restarted (its lock table is gone) or closed our connection
   * (it freed our locks): every lock on that broker must be taken again before consuming on.
   */
  pullFailed(queue: MessageQueue): void {
    this.#locks?.invalidateBroker(queue.brokerName, 'a pull failed');
  }

  renewLocks(): void {
    this.#locks?.lockAll();
  }

  waitUntilPullable(queue: MessageQueue, pq: ProcessQueue): boolean | Promise<boolean> {
    if (this.#locks === undefined || this.#locks.isLocked(queue)) return !pq.isDropped && !this.#stop.signal.aborted;
    return this.#locks.waitUntilLocked(queue, AbortSignal.any([pq.dropSignal, this.#stop.signal]));
  }

  submit(_messages: readonly MessageExt[], pq: ProcessQueue, queue: MessageQueue): void {
    if (this.#loops.has(pq) || pq.isDropped || this.#stop.signal.aborted) return; // the running loop takes them in turn
    // Started a microtask later, so the loop is registered before its first check can unregister it.
    const loop = Promise.resolve().then(() => this.#consumeQueue(pq, queue))
      .catch((err: Error) => this.#logger.error(`orderly consumption of ${queue.topic}:${queue.queueId} stopped: ${err.message}`))
      .finally(() => {
        if (this.#loops.get(pq) === loop) this.#loops.delete(pq);
      });
    this.#loops.set(pq, loop);
  }

  /**
   * The in-flight batch finishes (its result committed while we still hold the lock), the offset is
   * persisted, then the lock is released: the next owner starts exactly where we stopped.
   */
  async releaseQueue(queue: MessageQueue, pq: ProcessQueue, commit: () => Promise<void>): Promise<void> {
    await this.#loops.get(pq);
    await commit();
    await this.#locks?.release([queue]);
  }

  async drain(): Promise<void> {
    this.#stop.abort();
    while (this.#loops.size > 0) await Promise.allSettled([...this.#loops.values()]);
  }

  async releaseAll(queues: readonly MessageQueue[]): Promise<void> {
    await this.#locks?.release(queues);
  }

  async close(): Promise<void> {
    this.#stop.abort();
    this.#locks?.stop();
    await this.#pool?.destroy();
  }

  async #consumeQueue(pq: ProcessQueue, queue: MessageQueue): Promise<void> {
    const stopped = AbortSignal.any([pq.dropSignal, this.#stop.signal]);
    // Local reconsume counts by queue offset: the stored message is never rewritten.
    const reconsumed = new Map<number, number>();
    while (!stopped.aborted) {
      const batch = pq.firstHeld(this.#options.batchSize);
      if (batch.length === 0) {
        this.#loops.delete(pq); // synchronously with the check, so a later submit() starts a new loop
        return;
      }
      if (this.#locks !== undefined && !this.#locks.isLocked(queue)) {
        if (!(await this.#locks.waitUntilLocked(queue, stopped))) return;
        continue;
      }
      const shown = batch.map((m) => this.#presented(m, reconsumed.get(m.queueOffset) ?? m.reconsumeTimes));
      const outcome = await this.#call(shown, queue);
      if (outcome.status === 'SUCCESS') {
        this.#consumed += batch.length;
        for (const m of batch) reconsumed.delete(m.queueOffset);
        this.#commit(batch, pq, queue);
        continue;
      }
      const exhausted = shown.filter((m) => m.reconsumeTimes >= this.#maxReconsumeTimes);
      const dead = exhausted.length === 0 ? [] : await this.#sendToDeadLetterQueue(exhausted, batch, queue);
      for (const m of shown) if (!dead.includes(m.queueOffset)) reconsumed.set(m.queueOffset, m.reconsumeTimes + 1);
      if (dead.length > 0) {
        for (const offset of dead) reconsumed.delete(offset);
        this.#commit(batch.filter((m) => dead.includes(m.queueOffset)), pq, queue);
        if (dead.length === batch.length) continue;
      }
      const suspendMs = outcome.suspendMs >= 0 ? outcome.suspendMs : this.#options.suspendCurrentQueueTimeMillis;
      await delay(suspendMs, undefined, { signal: stopped }).catch(() => undefined); // an abort only ends the wait early
    }
  }

  async #call(messages: readonly MessageExt[], queue: MessageQueue): Promise<OrderlyOutcome> {
    await this.#slots.acquire();
    const hooks = this.#options.hooks ?? [];
    const before = hooks.map((hook) => guardHook(() => hook.consumeBefore(messages)));
    let returnType: ConsumeReturnType = 'SUCCESS';
    try {
      const outcome = await this.#run(messages, queue);
      if (outcome.status !== 'SUCCESS' && outcome.status !== 'SUSPEND_CURRENT_QUEUE_A_MOMENT') {
        this.#logger.warn(`orderly listener of ${this.#options.group} returned ${String(outcome.status)}; treated as SUSPEND_CURRENT_QUEUE_A_MOMENT`);
        returnType = 'RETURNNULL';
        return { status: 'SUSPEND_CURRENT_QUEUE_A_MOMENT', suspendMs: outcome.suspendMs };
      }
      if (outcome.status !== 'SUCCESS') returnType = 'FAILED';
      return outcome;
    } catch (err) {
      this.#logger.warn(`orderly listener of ${this.#options.group} threw: ${(err as Error).message}`);
      returnType = 'EXCEPTION';
      return { status: 'SUSPEND_CURRENT_QUEUE_A_MOMENT', suspendMs: -1 };
    } finally {
      this.#slots.release();
      const outcome = { success: returnType === 'SUCCESS', returnType };
      hooks.forEach((hook, i) => guardHook(() => hook.consumeAfter(before[i], outcome)));
    }
  }

  /** Removes consumed messages; the offset moves only while the lock is ours (a lapsed lock's work is redone by the next owner). */
  #commit(done: readonly MessageExt[], pq: ProcessQueue, queue: MessageQueue): void {
    const offset = pq.remove(done);
    if (offset >= 0 && (this.#locks === undefined || this.#locks.isLocked(queue))) this.#offsets.update(queue, offset, true);
  }

  /** CONSUMER_SEND_MSG_BACK with delayLevel -1 (straight to %DLQ%<group>); returns the queue offsets that made it. */
  async #sendToDeadLetterQueue(exhausted: readonly MessageExt[], batch: readonly MessageExt[], queue: MessageQueue): Promise<number[]> {
    const sent: number[] = [];
    for (const shown of exhausted) {
      const message = batch.find((m) => m.queueOffset === shown.queueOffset)!;
      try {
        await sendMessageBack(this.#client, queue, message, this.#options.group, -1, this.#maxReconsumeTimes);
        this.#logger.warn(`${message.msgId} failed ${shown.reconsumeTimes + 1} time(s); moved to %DLQ%${this.#options.group}`);
        sent.push(message.queueOffset);
      } catch (err) {
        // Not dead-lettered: it stays at the head of its queue and is consumed again (as RocketMQ).
        this.#logger.warn(`sending ${message.msgId} to the DLQ failed (${(err as Error).message}); the queue stays suspended on it`);
      }
    }
    return sent;
  }

  /** What the listener sees: the local reconsume count, and retry-topic messages under their original topic. */
  #presented(message: MessageExt, reconsumeTimes: number): MessageExt {
    const original = message.properties[MessageConst.RETRY_TOPIC];
    const isRetry = original !== undefined && message.topic === RETRY_GROUP_TOPIC_PREFIX + this.#options.group;
    if (!isRetry && reconsumeTimes === message.reconsumeTimes) return message;
    return { ...message, reconsumeTimes, ...(isRetry ? { topic: original } : {}) };
  }
}
