/**
 * SYNC_FLUSH group commit, the TypeScript half. A put that must reach the disk registers the
 * CommitLog position its data ends at (`nextOffset`); entries arrive in append order, so the FIFO
 * is sorted by offset and, with one constant timeout, by deadline too. Each coalesced native
 * onFlushed notification completes every head entry the flushed position covers (one fsync serves
 * them all); one timer watches the head's deadline and completes expired entries with
 * FLUSH_DISK_TIMEOUT (RocketMQ's FlushDiskWatcher, without a thread).
 */
import type { Clock, TimerHandle } from '../../common/clock';
import type { Hold } from '../keep-alive';

export type FlushOutcome = 'PUT_OK' | 'FLUSH_DISK_TIMEOUT';

/** What waits for the disk: told once (the append batcher's pending puts are their own waiters). */
export interface FlushWaiter {
  flushDone(outcome: FlushOutcome): void;
}

export class GroupCommitService {
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #flushedPosition: () => number;
  // Parallel arrays rather than an entry object per waiter: numbers stay unboxed.
  #offsets: number[] = [];
  #deadlines: number[] = [];
  #waiters: FlushWaiter[] = [];
  #head = 0;
  #timer: TimerHandle | undefined;
  #timerDeadline = Infinity;
  readonly #waitHold: Hold | undefined;

  /**
   * `waitHold` is held once per waiter, from add() until the waiter is told (the store's KeepAlive,
   * as the native notification does not hold the loop, and the broker's busy poller).
   */
  constructor(clock: Clock, syncFlushTimeoutMs: number, flushedPosition: () => number, waitHold?: Hold) {
    this.#clock = clock;
    this.#timeoutMs = syncFlushTimeoutMs;
    this.#flushedPosition = flushedPosition;
    this.#waitHold = waitHold;
  }

  get pending(): number {
    return this.#waiters.length - this.#head;
  }

  /** Tells `waiter` once: PUT_OK when flushed position >= nextOffset, else FLUSH_DISK_TIMEOUT. */
  add(nextOffset: number, waiter: FlushWaiter): void {
    this.#offsets.push(nextOffset);
    this.#deadlines.push(this.#clock.now() + this.#timeoutMs);
    this.#waiters.push(waiter);
    this.#waitHold?.hold();
    this.#armTimer();
  }

  wait(nextOffset: number): Promise<FlushOutcome> {
    return new Promise((resolve) => this.add(nextOffset, { flushDone: resolve }));
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
    const waiters = this.#waiters.slice(this.#head);
    this.#reset();
    this.#cancelTimer();
    for (const waiter of waiters) this.#finish(waiter, outcome);
  }

  #completeFlushed(flushed: number): void {
    while (this.#head < this.#waiters.length && (this.#offsets[this.#head] as number) <= flushed) {
      this.#finish(this.#shift(), 'PUT_OK');
    }
    this.#compact();
  }

  #shift(): FlushWaiter {
    const waiter = this.#waiters[this.#head] as FlushWaiter;
    this.#waiters[this.#head] = DONE;
    this.#head++;
    return waiter;
  }

  #finish(waiter: FlushWaiter, outcome: FlushOutcome): void {
    this.#waitHold?.release();
    waiter.flushDone(outcome);
  }

  #onTimer(): void {
    this.#timer = undefined;
    this.#timerDeadline = Infinity;
    // A flush may have landed without its notification having run yet: count it first.
    this.#completeFlushed(this.#flushedPosition());
    const now = this.#clock.now();
    while (this.#head < this.#waiters.length && (this.#deadlines[this.#head] as number) <= now) {
      this.#finish(this.#shift(), 'FLUSH_DISK_TIMEOUT');
    }
    this.#compact();
    this.#armTimer();
  }

  #armTimer(): void {
    if (this.#head === this.#waiters.length) {
      this.#cancelTimer();
      return;
    }
    const deadline = this.#deadlines[this.#head] as number;
    if (this.#timer !== undefined && this.#timerDeadline === deadline) return;
    this.#cancelTimer();
    this.#timerDeadline = deadline;
    this.#timer = this.#clock.setTimer(this.#onTimerBound, deadline - this.#clock.now());
  }

  readonly #onTimerBound = (): void => this.#onTimer();

  #cancelTimer(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#timerDeadline = Infinity;
  }

  #compact(): void {
    if (this.#head === this.#waiters.length) {
      this.#reset();
    } else if (this.#head > 1024 && this.#head * 2 > this.#waiters.length) {
      this.#offsets = this.#offsets.slice(this.#head);
      this.#deadlines = this.#deadlines.slice(this.#head);
      this.#waiters = this.#waiters.slice(this.#head);
      this.#head = 0;
    }
  }

  #reset(): void {
    // Emptied in place: the arrays keep their capacity (and their unboxed double elements).
    this.#offsets.length = 0;
    this.#deadlines.length = 0;
    this.#waiters.length = 0;
    this.#head = 0;
  }
}

/** Fills a completed slot so the queue does not keep a finished waiter alive until compaction. */
const DONE: FlushWaiter = { flushDone: () => undefined };
