/**
 * Long polling: a pull that found nothing is parked per (topic, queueId) until a message arrives
 * in that queue or the client's suspend time runs out (RocketMQ PullRequestHoldService). Held
 * requests are checked against the queue's max offset whenever the store reports dispatched
 * messages (subscribed only while something is held: the reports cost the loop a wake-up each) and
 * on a periodic scan (5 s); a woken request is re-executed by its `wake` callback,
 * whose result becomes the response. Any arrival in the queue wakes the pull; the pull handler
 * parks it again when everything that arrived was filtered out by its tags.
 */
import type { Clock, TimerHandle } from '../../common/clock';
import type { MessageStore } from '../../store/message-store';

export type WakeReason = 'arrival' | 'timeout' | 'shutdown';

export interface HeldPull {
  readonly topic: string;
  readonly queueId: number;
  /** The request wakes once the queue's max offset passes this offset. */
  readonly queueOffset: number;
  readonly deadline: number;
  /** Re-executes the pull; called exactly once per hold. */
  readonly wake: (reason: WakeReason) => void;
}

export class PullHoldService {
  readonly #store: MessageStore;
  readonly #clock: Clock;
  readonly #checkIntervalMs: number;
  /**
   * Held pulls per `topic@queueId`. A queue's key stays once seen (an empty list when nothing is
   * held): deleting and re-adding keys at a pull's pace would keep the Map replacing its hash table,
   * and the chain of replaced tables holds what they held past its time (see IntSlotTable).
   */
  readonly #held = new Map<string, HeldPull[]>();
  #heldCount = 0;
  #unsubscribe: (() => void) | null = null;
  #isStarted = false;
  #timer: TimerHandle | null = null;
  #timerAt = Number.POSITIVE_INFINITY;
  #isStopped = false;

  constructor(store: MessageStore, clock: Clock, checkIntervalMs = 5000) {
    this.#store = store;
    this.#clock = clock;
    this.#checkIntervalMs = checkIntervalMs;
  }

  get heldCount(): number {
    return this.#heldCount;
  }

  start(): void {
    if (this.#isStarted) return;
    this.#isStarted = true;
    this.#isStopped = false;
    this.#schedule();
  }

  /** Parks a pull; a stopped service wakes it at once. */
  hold(pull: HeldPull): void {
    if (this.#isStopped) {
      pull.wake('shutdown');
      return;
    }
    const key = keyOf(pull.topic, pull.queueId);
    const list = this.#held.get(key);
    if (list === undefined) this.#held.set(key, [pull]);
    else list.push(pull);
    this.#heldCount++;
    this.#unsubscribe ??= this.#store.onMessageArriving(() => this.checkAll());
    if (pull.deadline < this.#timerAt && this.#isStarted) {
      this.#timer?.cancel();
      this.#schedule();
    }
    // A message may have arrived between the read and the hold (or the subscription): check now.
    this.#checkQueue(key);
  }

  /** Wakes every held pull whose queue moved or whose deadline passed. */
  checkAll(): void {
    // Keys added by a woken pull's re-park are visited too (harmless: its check finds nothing
    // new). No copy of the key list.
    for (const key of this.#held.keys()) this.#checkQueue(key);
  }

  /** Wakes everything (shutdown) and stops. Idempotent. */
  shutdown(): void {
    this.#isStopped = true;
    this.#isStarted = false;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#timer?.cancel();
    this.#timer = null;
    const all = [...this.#held.values()].flat();
    this.#held.clear();
    this.#heldCount = 0;
    for (const pull of all) pull.wake('shutdown');
  }

  #checkQueue(key: string): void {
    const list = this.#held.get(key);
    if (list === undefined || list.length === 0) return;
    const first = list[0] as HeldPull;
    const maxOffset = this.#store.getMaxOffsetInQueue(first.topic, first.queueId);
    const now = this.#clock.now();
    // The common cases allocate nothing: nothing to wake (most checks of an idle queue), or one
    // held pull woken (one consumer per queue).
    let wakes = 0;
    for (const pull of list) if (maxOffset > pull.queueOffset || now >= pull.deadline) wakes++;
    if (wakes === 0) return;
    let woken: HeldPull[];
    if (wakes === list.length) {
      woken = list;
      this.#held.set(key, []);
    } else {
      woken = list.filter((pull) => maxOffset > pull.queueOffset || now >= pull.deadline);
      this.#held.set(key, list.filter((pull) => !(maxOffset > pull.queueOffset || now >= pull.deadline)));
    }
    this.#heldCount -= wakes;
    if (this.#heldCount === 0 && this.#unsubscribe !== null) {
      this.#unsubscribe();
      this.#unsubscribe = null;
    }
    for (const pull of woken) pull.wake(maxOffset > pull.queueOffset ? 'arrival' : 'timeout');
  }

  #schedule(): void {
    const delay = this.#nextCheckDelay();
    this.#timerAt = this.#clock.now() + delay;
    this.#timer = this.#clock.setTimer(() => {
      if (this.#isStopped) return;
      this.checkAll();
      this.#schedule();
    }, delay);
  }

  /** The periodic scan, pulled earlier when a held request's deadline comes first. */
  #nextCheckDelay(): number {
    let delay = this.#checkIntervalMs;
    const now = this.#clock.now();
    for (const list of this.#held.values()) for (const pull of list) delay = Math.min(delay, Math.max(0, pull.deadline - now));
    return delay;
  }
}

function keyOf(topic: string, queueId: number): string {
  return `${topic}@${queueId}`;
}
