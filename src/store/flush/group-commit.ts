/**
 * SYNC_FLUSH group commit, the TypeScript half. A put that must reach the disk registers the
 * CommitLog position its data ends at (`nextOffset`); entries arrive in append order, so the FIFO
 * is sorted by offset and, with one constant timeout, by deadline too. Each coalesced native
 * onFlushed notification completes every head entry the flushed position covers (one fsync serves
 * them all); one timer watches the head's deadline and completes expired entries with
 * FLUSH_DISK_TIMEOUT (RocketMQ's FlushDiskWatcher, without a thread).
 */
import type { Clock, TimerHandle } from '../../common/clock';
import type { KeepAlive } from '../keep-alive';

export type FlushOutcome = 'PUT_OK' | 'FLUSH_DISK_TIMEOUT';

interface Waiter {
  readonly nextOffset: number;
  readonly deadline: number;
  readonly done: (outcome: FlushOutcome) => void;
}

export class GroupCommitService {
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #flushedPosition: () => number;
  #queue: Waiter[] = [];
  #head = 0;
  #timer: TimerHandle | undefined;
  #timerDeadline = Infinity;
  readonly #keepAlive: KeepAlive | undefined;

  /** `keepAlive` is held while waiters exist (the native notification does not hold the loop). */
  constructor(clock: Clock, syncFlushTimeoutMs: number, flushedPosition: () => number, keepAlive?: KeepAlive) {
    this.#clock = clock;
    this.#timeoutMs = syncFlushTimeoutMs;
    this.#flushedPosition = flushedPosition;
    this.#keepAlive = keepAlive;
  }

  get pending(): number {
    return this.#queue.length - this.#head;
  }

  /** Calls `done` once: PUT_OK when flushed position >= nextOffset, else FLUSH_DISK_TIMEOUT. */
  add(nextOffset: number, done: (outcome: FlushOutcome) => void): void {
    this.#queue.push({ nextOffset, deadline: this.#clock.now() + this.#timeoutMs, done });
    this.#keepAlive?.hold();
    this.#armTimer();
  }

  wait(nextOffset: number): Promise<FlushOutcome> {
    return new Promise((resolve) => this.add(nextOffset, resolve));
  }

  /**
   * Completes what the flushed position now covers: on the native flush notification, and after
   * every append crossing (the notification queues behind a busy turn; reading the position is cheap).
   */
  onFlushed(): void {
    this.#completeFlushed(this.#flushedPosition());
    this.#armTimer();
  }

  /** Completes every waiter with `outcome` (shutdown: close() flushed everything). */
  completeAll(outcome: FlushOutcome): void {
    const waiters = this.#queue.slice(this.#head);
    this.#queue = [];
    this.#head = 0;
    this.#cancelTimer();
    for (const waiter of waiters) this.#finish(waiter, outcome);
  }

  #completeFlushed(flushed: number): void {
    while (this.#head < this.#queue.length) {
      const waiter = this.#queue[this.#head] as Waiter;
      if (waiter.nextOffset > flushed) break;
      this.#head++;
      this.#finish(waiter, 'PUT_OK');
    }
    this.#compact();
  }

  #finish(waiter: Waiter, outcome: FlushOutcome): void {
    this.#keepAlive?.release();
    waiter.done(outcome);
  }

  #onTimer(): void {
    this.#timer = undefined;
    this.#timerDeadline = Infinity;
    // A flush may have landed without its notification having run yet: count it first.
    this.#completeFlushed(this.#flushedPosition());
    const now = this.#clock.now();
    while (this.#head < this.#queue.length) {
      const waiter = this.#queue[this.#head] as Waiter;
      if (waiter.deadline > now) break;
      this.#head++;
      this.#finish(waiter, 'FLUSH_DISK_TIMEOUT');
    }
    this.#compact();
    this.#armTimer();
  }

  #armTimer(): void {
    const head = this.#queue[this.#head];
    if (head === undefined) {
      this.#cancelTimer();
      return;
    }
    if (this.#timer !== undefined && this.#timerDeadline === head.deadline) return;
    this.#cancelTimer();
    this.#timerDeadline = head.deadline;
    this.#timer = this.#clock.setTimer(() => this.#onTimer(), head.deadline - this.#clock.now());
  }

  #cancelTimer(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#timerDeadline = Infinity;
  }

  #compact(): void {
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }
}
