/**
 * Long polling for POP_MESSAGE: a pop that found nothing waits here until a message it could pop
 * is dispatched or its pollTime runs out. The mechanism is PullHoldService's: subscribe to the
 * store's dispatch notifications only while something is held, ask each held pop whether anything
 * is there for it (its `isReady`, which compares queue max offsets with the group's pop offsets),
 * and a timer for the earliest deadline. At most `perTopicLimit` pops wait per topic
 * (RocketMQ popPollingSize); hold() refuses beyond that and the handler answers POLLING_FULL.
 */
import type { Clock, TimerHandle } from '../../common/clock';
import type { MessageStore } from '../../store/message-store';

export type PopWakeReason = 'arrival' | 'timeout' | 'shutdown';

export interface HeldPop {
  readonly topic: string;
  readonly deadline: number;
  /** Whether a message this pop could take is in the store now. */
  readonly isReady: () => boolean;
  /** Re-executes the pop; called exactly once per hold. */
  readonly wake: (reason: PopWakeReason) => void;
}

export class PopHoldService {
  readonly #store: MessageStore;
  readonly #clock: Clock;
  readonly #perTopicLimit: number;
  readonly #held = new Map<string, Set<HeldPop>>();
  #unsubscribe: (() => void) | null = null;
  #timer: TimerHandle | null = null;
  #timerAt = Number.POSITIVE_INFINITY;
  #isStopped = false;

  constructor(store: MessageStore, clock: Clock, perTopicLimit: number) {
    this.#store = store;
    this.#clock = clock;
    this.#perTopicLimit = perTopicLimit;
  }

  get heldCount(): number {
    let n = 0;
    for (const set of this.#held.values()) n += set.size;
    return n;
  }

  /** Parks a pop; false when its topic already has perTopicLimit waiting (POLLING_FULL). */
  hold(pop: HeldPop): boolean {
    if (this.#isStopped) {
      pop.wake('shutdown');
      return true;
    }
    let set = this.#held.get(pop.topic);
    if (set === undefined) {
      set = new Set();
      this.#held.set(pop.topic, set);
    }
    if (set.size >= this.#perTopicLimit) return false;
    set.add(pop);
    this.#unsubscribe ??= this.#store.onMessageArriving(() => this.checkAll());
    if (pop.deadline < this.#timerAt) this.#arm(pop.deadline);
    // Something may have been dispatched between the read and the hold.
    this.#check(pop.topic);
    return true;
  }

  checkAll(): void {
    for (const topic of [...this.#held.keys()]) this.#check(topic);
  }

  shutdown(): void {
    this.#isStopped = true;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#timer?.cancel();
    this.#timer = null;
    const all = [...this.#held.values()].flatMap((set) => [...set]);
    this.#held.clear();
    for (const pop of all) pop.wake('shutdown');
  }

  #check(topic: string): void {
    const set = this.#held.get(topic);
    if (set === undefined) return;
    const now = this.#clock.now();
    const woken: Array<[HeldPop, PopWakeReason]> = [];
    for (const pop of set) {
      if (isReadySafely(pop)) woken.push([pop, 'arrival']);
      else if (now >= pop.deadline) woken.push([pop, 'timeout']);
    }
    for (const [pop] of woken) set.delete(pop);
    if (set.size === 0) this.#held.delete(topic);
    if (this.#held.size === 0 && this.#unsubscribe !== null) {
      this.#unsubscribe();
      this.#unsubscribe = null;
    }
    for (const [pop, reason] of woken) pop.wake(reason);
  }

  #arm(at: number): void {
    this.#timer?.cancel();
    this.#timerAt = at;
    this.#timer = this.#clock.setTimer(() => {
      this.#timer = null;
      this.#timerAt = Number.POSITIVE_INFINITY;
      if (this.#isStopped) return;
      this.checkAll();
      let next = Number.POSITIVE_INFINITY;
      for (const set of this.#held.values()) for (const pop of set) next = Math.min(next, pop.deadline);
      if (next !== Number.POSITIVE_INFINITY) this.#arm(next);
    }, Math.max(0, at - this.#clock.now()));
  }
}

/** A check that throws (store closing) wakes the pop: its re-execution answers with the error. */
function isReadySafely(pop: HeldPop): boolean {
  try {
    return pop.isReady();
  } catch {
    return true;
  }
}
