/**
 * Injected time source (Kafka's `Time`): every timeout, deadline and retention decision reads the
 * clock through this interface so tests can drive time deterministically.
 */
export type TimerHandle = { cancel(): void };

export interface Clock {
  /** Wall-clock milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` once after `delayMs`; the timer never keeps the process alive on its own. */
  setTimer(fn: () => void, delayMs: number): TimerHandle;
}

export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  setTimer(fn: () => void, delayMs: number): TimerHandle {
    const t = setTimeout(fn, Math.max(0, delayMs));
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
});

/**
 * A clock that only moves when told to. Timers fire, in deadline order, inside `advance`.
 * Used by tests and benchmarks; it has no hidden global state.
 */
export class ManualClock implements Clock {
  #now: number;
  #timers: Array<{ at: number; seq: number; fn: () => void; cancelled: boolean }> = [];
  #seq = 0;

  constructor(startMs = 0) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimer(fn: () => void, delayMs: number): TimerHandle {
    const timer = { at: this.#now + Math.max(0, delayMs), seq: this.#seq++, fn, cancelled: false };
    this.#timers.push(timer);
    return { cancel: () => { timer.cancelled = true; } };
  }

  /** Pending (not cancelled, not fired) timers. */
  get pendingTimers(): number {
    return this.#timers.filter((t) => !t.cancelled).length;
  }

  advance(ms: number): void {
    this.set(this.#now + ms);
  }

  set(nowMs: number): void {
    for (;;) {
      const due = this.#timers
        .filter((t) => !t.cancelled && t.at <= nowMs)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (due === undefined) break;
      due.cancelled = true;
      this.#now = Math.max(this.#now, due.at);
      due.fn();
    }
    this.#timers = this.#timers.filter((t) => !t.cancelled);
    this.#now = Math.max(this.#now, nowMs);
  }
}
