/**
 * The consume services' bound on listener calls in flight: up to `limit()` at once; a released
 * slot passes straight to the longest waiter (FIFO, so queues take turns).
 */
export class ConsumeSlots {
  readonly #limit: () => number;
  readonly #waiters: Array<() => void> = [];
  #active = 0;

  constructor(limit: () => number) {
    this.#limit = limit;
  }

  /** Takes a slot if one is free now (no promise: the common case costs nothing). */
  tryAcquire(): boolean {
    if (this.#active >= this.#limit()) return false;
    this.#active++;
    return true;
  }

  async acquire(): Promise<void> {
    if (this.tryAcquire()) return;
    await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next !== undefined) next();
    else this.#active--;
  }
}
