/**
 * Waiters on the dispatcher (ReputMessageService): whenDispatched() promises and message-arriving
 * listeners, both driven by the addon's coalesced onDispatched notification.
 */
import { MqError } from '../common/mq-error';
import type { KeepAlive } from './keep-alive';

interface Waiter {
  readonly target: number;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

export class DispatchWaiters {
  readonly #dispatchedPosition: () => number;
  /** Sorted by target, ascending. */
  #waiters: Waiter[] = [];
  readonly #listeners = new Set<() => void>();
  readonly #onListenerError: (err: unknown) => void;
  readonly #keepAlive: KeepAlive | undefined;

  constructor(dispatchedPosition: () => number, onListenerError: (err: unknown) => void, keepAlive?: KeepAlive) {
    this.#dispatchedPosition = dispatchedPosition;
    this.#onListenerError = onListenerError;
    this.#keepAlive = keepAlive;
  }

  get pending(): number {
    return this.#waiters.length;
  }

  /** Resolves once the dispatched position reaches `target` (a CommitLog end position). */
  whenReached(target: number): Promise<void> {
    if (this.#dispatchedPosition() >= target) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter = { target, resolve, reject };
      let i = this.#waiters.length;
      while (i > 0 && (this.#waiters[i - 1] as Waiter).target > target) i--;
      this.#waiters.splice(i, 0, waiter);
      this.#keepAlive?.hold();
    });
  }

  addListener(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  onDispatched(): void {
    const position = this.#dispatchedPosition();
    let done = 0;
    while (done < this.#waiters.length && (this.#waiters[done] as Waiter).target <= position) done++;
    if (done > 0) {
      for (const waiter of this.#waiters.splice(0, done)) {
        this.#keepAlive?.release();
        waiter.resolve();
      }
    }
    for (const listener of this.#listeners) {
      try {
        listener();
      } catch (err) {
        // A listener's failure must not stop the others or the dispatch notifications.
        this.#onListenerError(err);
      }
    }
  }

  rejectAll(reason: string): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) {
      this.#keepAlive?.release();
      waiter.reject(new MqError('ERR_STORE_SHUTDOWN', reason));
    }
  }
}
