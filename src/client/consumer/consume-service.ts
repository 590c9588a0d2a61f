/**
 * Concurrent consumption: batches of pulled messages go to the listener (in-thread, or a piscina
 * pool) under a concurrency limit; results decide what happens next. CONSUME_SUCCESS removes the
 * batch from its process queue; RECONSUME_LATER or a throw sends each message back to the broker
 * (CONSUMER_SEND_MSG_BACK -> %RETRY%<group>) and, where the send-back fails, consumes it again here
 * later. The committed offset moves only after a batch's result (the process queue's smallest
 * unconsumed offset), so a crash never skips a message whose listener had not finished.
 */
import { silentLogger, type Logger } from '../../common/logger';
import { MessageConst } from '../../message/message-const';
import type { MessageExt } from '../../message/message-types';
import type { ConcurrentConsumePool } from './consume-pool';
import type { ConsumerClient } from './consumer-client';
import { ConsumeSlots } from './consume-slots';
import type { ConcurrentListener, ConsumeConcurrentlyStatus, MessageModelName, MessageQueue } from './consumer-types';
import type { OffsetStore } from './offset-store';
import type { ProcessQueue } from './process-queue';
import { sendMessageBack } from './send-back';
import { guardHook, type ConsumeHook } from '../trace/hooks';
import type { ConsumeReturnType } from '../trace/trace-codec';

const NO_HOOKS: readonly ConsumeHook[] = [];
const NO_HOOK_CONTEXTS: readonly unknown[] = [];
const NO_MESSAGES: readonly MessageExt[] = [];

export const RETRY_GROUP_TOPIC_PREFIX = '%RETRY%';
/** RocketMQ's maxReconsumeTimes for concurrent listeners when the option is left at -1. */
export const DEFAULT_CONCURRENT_MAX_RECONSUME_TIMES = 16;

/** What the PushConsumer drives: the concurrent service here, or the orderly one (consume-orderly-service.ts). */
export interface QueueConsumeService {
  readonly consumedCount: number;
  start(): void;
  /** Hands pulled messages (already in `pq`) to the listener. */
  submit(messages: readonly MessageExt[], pq: ProcessQueue, queue: MessageQueue): void;
  /**
   * True when `queue` may be pulled (orderly: once its lock is held); false when it is dropped or
   * the service stops. A plain boolean when known at once (no promise per pull).
   */
  waitUntilPullable(queue: MessageQueue, pq: ProcessQueue): boolean | Promise<boolean>;
  /** A queue rebalanced away (`pq` already dropped): finish with it, run `commit` (persist its offset), let it go. */
  releaseQueue(queue: MessageQueue, pq: ProcessQueue, commit: () => Promise<void>): Promise<void>;
  /** A pull of `queue` failed (orderly: its broker may have restarted or dropped us, so its locks must be taken again). */
  pullFailed(queue: MessageQueue): void;
  /** Called after each rebalance (orderly: renews every queue lock, e.g. after a broker restart). */
  renewLocks(): void;
  /** Stops starting listener calls and waits for the running ones. */
  drain(): Promise<void>;
  /** After the final offset commit of a shutdown: gives up every queue (orderly: UNLOCK_BATCH_MQ). */
  releaseAll(queues: readonly MessageQueue[]): Promise<void>;
  /** Stops timers and worker threads it owns; running listener calls are not waited for. */
  close(): Promise<void>;
}

export interface ConsumeServiceOptions {
  readonly group: string;
  readonly messageModel: MessageModelName;
  readonly batchSize: number;
  readonly concurrency: number;
  readonly maxReconsumeTimes: number;
  readonly localRetryDelayMs: number;
  readonly logger?: Logger;
  /** Told before and after each listener call (message trace). */
  readonly hooks?: readonly ConsumeHook[];
}

export class ConsumeService implements QueueConsumeService {
  readonly #client: ConsumerClient;
  readonly #offsets: OffsetStore;
  /** The listener: in-thread (a status or a promise of one) or on the worker pool (a promise). */
  readonly #call: (messages: readonly MessageExt[], queue: MessageQueue) => ConsumeConcurrentlyStatus | PromiseLike<ConsumeConcurrentlyStatus>;
  readonly #options: ConsumeServiceOptions;
  readonly #logger: Logger;
  /** Batches submitted and not finished; drain() waits for 0. */
  #running = 0;
  readonly #retryTopic: string;
  readonly #idleWaiters: Array<() => void> = [];
  readonly #slots = new ConsumeSlots(() => this.#options.concurrency);
  readonly #retryTimers = new Set<NodeJS.Timeout>();
  #consumed = 0;

  constructor(client: ConsumerClient, offsets: OffsetStore, listener: ConcurrentListener | ConcurrentConsumePool, options: ConsumeServiceOptions) {
    this.#client = client;
    this.#offsets = offsets;
    this.#options = options;
    this.#retryTopic = RETRY_GROUP_TOPIC_PREFIX + options.group;
    this.#logger = options.logger ?? silentLogger;
    this.#call = typeof listener === 'function'
      ? (messages, queue) => listener(messages, { queue, delayLevelWhenNextConsume: 0 })
      : (messages, queue) => listener.run(messages, queue);
  }

  /** Messages whose listener call succeeded. */
  get consumedCount(): number {
    return this.#consumed;
  }

  start(): void {
    // Nothing runs in the background until messages arrive.
  }

  waitUntilPullable(): boolean {
    return true; // any owned queue may be pulled
  }

  async releaseQueue(_queue: MessageQueue, _pq: ProcessQueue, commit: () => Promise<void>): Promise<void> {
    await commit(); // running listeners finish on their own; a dropped queue's results are not committed
  }

  renewLocks(): void {
    // No locks.
  }

  pullFailed(): void {
    // The pull loop backs off and tries again; nothing to invalidate.
  }

  async releaseAll(): Promise<void> {
    // No locks to give back.
  }

  async close(): Promise<void> {
    for (const timer of this.#retryTimers) clearTimeout(timer);
    this.#retryTimers.clear();
  }

  /** Hands pulled messages (already in `pq`) to the listener in batches. */
  submit(messages: readonly MessageExt[], pq: ProcessQueue, queue: MessageQueue): void {
    const size = this.#options.batchSize;
    for (let i = 0; i < messages.length; i += size) {
      const batch = i === 0 && messages.length <= size ? (messages as MessageExt[]) : messages.slice(i, i + size);
      this.#running++;
      if (this.#slots.tryAcquire()) this.#invoke(batch, pq, queue);
      else void this.#slots.acquire().then(() => this.#invoke(batch, pq, queue));
    }
  }

  /** Cancels pending local retries (their messages stay unconsumed) and waits for running listeners. */
  async drain(): Promise<void> {
    for (const timer of this.#retryTimers) clearTimeout(timer);
    this.#retryTimers.clear();
    while (this.#running > 0) await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * One batch, holding a slot. A listener that answers with a plain status is settled in the same
   * turn: no promise and no async frame per batch (at a pull per message, that bookkeeping was the
   * largest part of the consumer's garbage, and what its scavenges copied when the loop fell
   * behind). A promise is settled when it settles.
   */
  #invoke(batch: MessageExt[], pq: ProcessQueue, queue: MessageQueue): void {
    let before = NO_HOOK_CONTEXTS;
    let answer: ConsumeConcurrentlyStatus | PromiseLike<ConsumeConcurrentlyStatus>;
    try {
      const messages = this.#restoreRetryTopics(batch);
      const hooks = this.#options.hooks ?? NO_HOOKS;
      if (hooks.length > 0) before = hooks.map((hook) => guardHook(() => hook.consumeBefore(messages)));
      answer = this.#call(messages, queue);
    } catch (err) {
      this.#listenerFailed(batch, pq, queue, before, err);
      return;
    }
    if (isThenable(answer)) {
      answer.then(
        (status) => this.#listenerAnswered(batch, pq, queue, before, status),
        (err: unknown) => this.#listenerFailed(batch, pq, queue, before, err),
      );
    } else {
      this.#listenerAnswered(batch, pq, queue, before, answer);
    }
  }

  #listenerAnswered(batch: MessageExt[], pq: ProcessQueue, queue: MessageQueue, before: readonly unknown[], answer: unknown): void {
    if (answer === 'CONSUME_SUCCESS') return this.#afterListener(batch, pq, queue, before, 'CONSUME_SUCCESS', 'SUCCESS');
    if (answer === 'RECONSUME_LATER') return this.#afterListener(batch, pq, queue, before, 'RECONSUME_LATER', 'FAILED');
    this.#logger.warn(`listener of ${this.#options.group} returned ${String(answer)}; treated as RECONSUME_LATER`);
    this.#afterListener(batch, pq, queue, before, 'RECONSUME_LATER', 'RETURNNULL');
  }

  #listenerFailed(batch: MessageExt[], pq: ProcessQueue, queue: MessageQueue, before: readonly unknown[], err: unknown): void {
    this.#logger.warn(`listener of ${this.#options.group} threw: ${(err as Error | undefined)?.message ?? String(err)}`);
    this.#afterListener(batch, pq, queue, before, 'RECONSUME_LATER', 'EXCEPTION');
  }

  #afterListener(
    batch: MessageExt[], pq: ProcessQueue, queue: MessageQueue, before: readonly unknown[],
    status: ConsumeConcurrentlyStatus, returnType: ConsumeReturnType,
  ): void {
    this.#slots.release();
    const hooks = this.#options.hooks ?? NO_HOOKS;
    if (hooks.length > 0) {
      const outcome = { success: status === 'CONSUME_SUCCESS', returnType };
      hooks.forEach((hook, i) => guardHook(() => hook.consumeAfter(before[i], outcome)));
    }
    if (status === 'RECONSUME_LATER' && this.#options.messageModel === 'CLUSTERING') {
      this.#sendBack(batch, queue).then(
        (failed) => this.#finish(batch, pq, queue, status, failed),
        (err: unknown) => this.#batchFailed(queue, err),
      );
      return;
    }
    if (status === 'RECONSUME_LATER') {
      // Broadcasting has no retry topic (RocketMQ drops such messages too).
      this.#logger.warn(`broadcasting consumer ${this.#options.group} drops ${batch.length} message(s) it failed to consume`);
    }
    this.#finish(batch, pq, queue, status, NO_MESSAGES);
  }

  /** Commits what the batch settled; `toRetryHere` (send-back failed) is consumed again locally. */
  #finish(batch: MessageExt[], pq: ProcessQueue, queue: MessageQueue, status: ConsumeConcurrentlyStatus, toRetryHere: readonly MessageExt[]): void {
    try {
      const done = toRetryHere.length === 0 ? batch : batch.filter((m) => !toRetryHere.includes(m));
      if (status === 'CONSUME_SUCCESS') this.#consumed += batch.length;
      const offset = pq.remove(done);
      if (offset >= 0 && !pq.isDropped) this.#offsets.update(queue, offset, true);
      if (toRetryHere.length > 0 && !pq.isDropped) this.#retryLocally(toRetryHere, pq, queue);
    } catch (err) {
      this.#batchFailed(queue, err);
      return;
    }
    this.#batchDone();
  }

  /** A bug past the listener: the batch's messages stay unconsumed (held, so never committed past). */
  #batchFailed(queue: MessageQueue, err: unknown): void {
    this.#logger.error(`consuming a batch of ${queue.topic} failed: ${(err as Error | undefined)?.message ?? String(err)}`);
    this.#batchDone();
  }

  #batchDone(): void {
    if (--this.#running === 0 && this.#idleWaiters.length > 0) for (const wake of this.#idleWaiters.splice(0)) wake();
  }

  /** Sends each message back; returns those whose send-back failed. */
  async #sendBack(batch: readonly MessageExt[], queue: MessageQueue): Promise<MessageExt[]> {
    const failed: MessageExt[] = [];
    for (const message of batch) {
      try {
        const maxReconsumeTimes = this.#options.maxReconsumeTimes < 0 ? DEFAULT_CONCURRENT_MAX_RECONSUME_TIMES : this.#options.maxReconsumeTimes;
        await sendMessageBack(this.#client, queue, message, this.#options.group, 0, maxReconsumeTimes);
      } catch (err) {
        this.#logger.warn(`send-back of ${message.msgId} failed (${(err as Error).message}); consuming it again locally`);
        failed.push(message);
      }
    }
    return failed;
  }

  #retryLocally(messages: readonly MessageExt[], pq: ProcessQueue, queue: MessageQueue): void {
    const timer = setTimeout(() => {
      this.#retryTimers.delete(timer);
      if (!pq.isDropped) this.submit(messages, pq, queue);
    }, this.#options.localRetryDelayMs);
    timer.unref();
    this.#retryTimers.add(timer);
  }

  /**
   * The listener's own array (it may reorder or empty it: `batch` must stay intact for the offset
   * bookkeeping), with retried messages under their original topic.
   */
  #restoreRetryTopics(batch: MessageExt[]): MessageExt[] {
    return batch.map((message) => this.#restoreRetryTopic(message));
  }

  /** Messages from %RETRY%<group> are shown under the topic they were first sent to. */
  #restoreRetryTopic(message: MessageExt): MessageExt {
    const original = message.properties[MessageConst.RETRY_TOPIC];
    if (original === undefined || message.topic !== this.#retryTopic) return message;
    return { ...message, topic: original };
  }
}

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
