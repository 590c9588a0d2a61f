/**
 * A response a handler gives later without a promise. The hot send path answers this way: a
 * promise chain per request (the store's promise, each `then`, the closures they keep) is most of
 * what a thousand sends waiting for the disk leave for the scavenger to copy, while a LaterAnswer
 * is one object that the store's completion and the dispatcher's bookkeeping both live in.
 *
 * The handler returns the instance; the dispatcher attaches to it; the subclass settles it once
 * with answer() or fail(). Settling before the attach (a store that refuses at once) is kept and
 * delivered on attach.
 */
import type { RemotingCommand } from '../protocol/remoting-command';

/** Takes a settled LaterAnswer; `state` is what the taker attached with (no closure per request). */
export interface LaterAnswerTaker<S> {
  takeLaterAnswer(state: S, request: RemotingCommand, response: RemotingCommand | null, error: unknown): void;
}

const PENDING = 0;
const ANSWERED = 1;
const FAILED = 2;

export abstract class LaterAnswer {
  readonly request: RemotingCommand;
  #taker: LaterAnswerTaker<unknown> | undefined;
  #takerState: unknown;
  #outcome = PENDING;
  #response: RemotingCommand | null = null;
  #error: unknown;

  constructor(request: RemotingCommand) {
    this.request = request;
  }

  /** Once, by whoever the handler returned this to. */
  attach<S>(taker: LaterAnswerTaker<S>, state: S): void {
    if (this.#taker !== undefined) throw new Error('a LaterAnswer is attached once');
    this.#taker = taker as LaterAnswerTaker<unknown>;
    this.#takerState = state;
    if (this.#outcome !== PENDING) this.#deliver();
  }

  /** The promise form, for callers outside the dispatcher (allocates; not for the hot path). */
  toPromise(): Promise<RemotingCommand | null> {
    return new Promise((resolve, reject) => {
      this.attach<null>({ takeLaterAnswer: (_state, _request, response, error) => (error === undefined ? resolve(response) : reject(error)) }, null);
    });
  }

  /** The response (null: nothing to send). Later calls, and calls after fail(), are ignored. */
  protected answer(response: RemotingCommand | null): void {
    if (this.#outcome !== PENDING) return;
    this.#outcome = ANSWERED;
    this.#response = response;
    if (this.#taker !== undefined) this.#deliver();
  }

  /** The handler failed: answered as a thrown error would be. `error` must not be undefined. */
  protected fail(error: unknown): void {
    if (this.#outcome !== PENDING) return;
    this.#outcome = FAILED;
    this.#error = error ?? new Error('the handler failed without a reason');
    if (this.#taker !== undefined) this.#deliver();
  }

  #deliver(): void {
    const taker = this.#taker as LaterAnswerTaker<unknown>;
    const state = this.#takerState;
    this.#takerState = undefined;
    taker.takeLaterAnswer(state, this.request, this.#response, this.#outcome === FAILED ? this.#error : undefined);
    this.#response = null;
  }
}
