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

  async acquire(): Promise<void> {
    if (this.#active < this.#limit()) {
      this.#active++;
      return;
    }
    await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next !== undefined) next();
    else this.#active--;
  }
}
