/**
 * Waiters on the dispatcher (ReputMessageService): whenDispatched() promises and message-arriving
 * listeners, both driven by the addon's coalesced onDispatched notification. The notification is
 * asked for only while someone waits (`setDemand`): unasked, every append would cost the event loop
 * a wake-up from the dispatcher thread.
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
  /**
   * Replaced, never changed in place: onDispatched walks the array it started with while a listener
   * may unsubscribe, and a Set that gains and loses a member per held pull would keep replacing its
   * hash table (V8 chains the replaced ones, which keeps garbage alive past scavenges).
   */
  #listeners: ReadonlyArray<() => void> = [];
  readonly #onListenerError: (err: unknown) => void;
  readonly #keepAlive: KeepAlive | undefined;
  readonly #setDemand: (wanted: boolean) => void;
  #isDemanded: boolean | undefined;

  constructor(
    dispatchedPosition: () => number,
    onListenerError: (err: unknown) => void,
    keepAlive?: KeepAlive,
    setDemand: (wanted: boolean) => void = () => {},
  ) {
    this.#dispatchedPosition = dispatchedPosition;
    this.#onListenerError = onListenerError;
    this.#keepAlive = keepAlive;
    this.#setDemand = setDemand;
  }

  /** Tells the dispatcher whether anyone waits now (`force`: even if that did not change). */
  updateDemand(force = false): void {
    const wanted = this.#waiters.length > 0 || this.#listeners.length > 0;
    if (wanted === this.#isDemanded && !force) return;
    this.#isDemanded = wanted;
    this.#setDemand(wanted);
  }

  get pending(): number {
    return this.#waiters.length;
  }

  /** Resolves once the dispatched position reaches `target` (a CommitLog end position). */
  whenReached(target: number): Promise<void> {
    if (this.#dispatchedPosition() >= target) return Promise.resolve();
    const promise = new Promise<void>((resolve, reject) => {
      const waiter = { target, resolve, reject };
      let i = this.#waiters.length;
      while (i > 0 && (this.#waiters[i - 1] as Waiter).target > target) i--;
      this.#waiters.splice(i, 0, waiter);
      this.#keepAlive?.hold();
    });
    this.updateDemand();
    // The dispatcher may have passed the target before the notifications were turned on.
    if (this.#dispatchedPosition() >= target) this.onDispatched();
    return promise;
  }

  /**
   * `listener` runs after every dispatcher advance until the returned function is called. Subscribe
   * only while there is something to wake, then re-check what you wait for: advances before the
   * subscription are not reported.
   */
  addListener(listener: () => void): () => void {
    // A wrapper per subscription, so the same function subscribed twice is two subscriptions.
    const subscription = (): void => listener();
    this.#listeners = [...this.#listeners, subscription];
    this.updateDemand();
    return () => {
      const i = this.#listeners.indexOf(subscription);
      if (i < 0) return;
      this.#listeners = this.#listeners.filter((_, j) => j !== i);
      this.updateDemand();
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
      this.updateDemand();
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
    this.updateDemand();
  }
}
