/**
 * Messages pulled from one queue and not yet consumed, kept ordered by queue offset. The offset a
 * consumer may commit is the smallest one still held (or, when empty, one past the highest ever
 * held), so a crash never skips a message whose listener had not finished.
 */
import type { MessageExt } from '../../message/message-types';

/** RocketMQ's pullThresholdForQueue / pullThresholdSizeForQueue defaults. */
export const DEFAULT_MAX_HELD_COUNT = 1000;
export const DEFAULT_MAX_HELD_BYTES = 100 * 1024 * 1024;

export interface ProcessQueueLimits {
  readonly maxHeldCount?: number;
  readonly maxHeldBytes?: number;
}

export class ProcessQueue {
  // The held messages in queue-offset order (pulls of one queue are sequential and ascending): a
  // ring of slots from #head, a consumed message's slot cleared in place. Not a Map: an entry in
  // and out per message makes a long-lived Map keep replacing its hash table, and the chain of
  // replaced tables holds messages past their consumption (see IntSlotTable).
  #ring: Array<MessageExt | undefined> = new Array<MessageExt | undefined>(64).fill(undefined);
  #head = 0;
  /** Slots in use from #head, consumed holes included. */
  #span = 0;
  #count = 0;
  readonly #maxHeldCount: number;
  readonly #maxHeldBytes: number;
  #heldBytes = 0;
  #maxOffsetSeen = -1;
  readonly #dropped = new AbortController();

  constructor(limits: ProcessQueueLimits = {}) {
    this.#maxHeldCount = limits.maxHeldCount ?? DEFAULT_MAX_HELD_COUNT;
    this.#maxHeldBytes = limits.maxHeldBytes ?? DEFAULT_MAX_HELD_BYTES;
  }

  get count(): number {
    return this.#count;
  }

  get heldBytes(): number {
    return this.#heldBytes;
  }

  /** Set when the queue is rebalanced away or the consumer shuts down: stop pulling and committing. */
  get isDropped(): boolean {
    return this.#dropped.signal.aborted;
  }

  /** Aborted by drop(): wakes whatever waits on this queue (orderly lock and suspend waits). */
  get dropSignal(): AbortSignal {
    return this.#dropped.signal;
  }

  drop(): void {
    this.#dropped.abort();
  }

  /** Whether pulling should pause until consumption catches up (flow control). */
  get isFull(): boolean {
    return this.#count >= this.#maxHeldCount || this.#heldBytes >= this.#maxHeldBytes;
  }

  /** Adds pulled messages; an offset already held or below the highest seen is ignored. */
  put(messages: readonly MessageExt[]): void {
    for (const message of messages) {
      if (message.queueOffset <= this.#maxOffsetSeen) continue;
      if (this.#span === this.#ring.length) this.#grow();
      this.#ring[this.#slot(this.#span)] = message;
      this.#span++;
      this.#count++;
      this.#heldBytes += message.body.length;
      this.#maxOffsetSeen = message.queueOffset;
    }
  }

  /** The first `max` messages held, in queue-offset order (orderly consumption takes them from here). */
  firstHeld(max: number): MessageExt[] {
    const first: MessageExt[] = [];
    for (let i = 0; i < this.#span && first.length < max; i++) {
      const message = this.#at(i);
      if (message !== undefined) first.push(message);
    }
    return first;
  }

  /** Removes consumed messages and returns the offset now safe to commit (-1 if nothing was ever held). */
  remove(messages: readonly MessageExt[]): number {
    for (const message of messages) {
      const i = this.#indexOf(message.queueOffset);
      if (i < 0) continue;
      const slot = this.#slot(i);
      const held = this.#ring[slot]!;
      this.#ring[slot] = undefined;
      this.#count--;
      this.#heldBytes -= held.body.length;
    }
    // Consumed messages at the front leave the ring: the smallest held offset is at #head again.
    while (this.#span > 0 && this.#ring[this.#head] === undefined) {
      this.#head = this.#slot(1);
      this.#span--;
    }
    return this.commitOffset();
  }

  /** Smallest unconsumed offset, else one past the highest seen, else -1. */
  commitOffset(): number {
    if (this.#count > 0) return this.#ring[this.#head]!.queueOffset;
    return this.#maxOffsetSeen < 0 ? -1 : this.#maxOffsetSeen + 1;
  }

  /** The ring index of position `i` from #head (the ring's length is a power of two). */
  #slot(i: number): number {
    return (this.#head + i) & (this.#ring.length - 1);
  }

  #at(i: number): MessageExt | undefined {
    return this.#ring[this.#slot(i)];
  }

  /** Position from #head of the held message at `offset` (binary search: offsets ascend), or -1. */
  #indexOf(offset: number): number {
    let low = 0;
    let high = this.#span - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      // A consumed hole: look at the nearest held neighbour to steer the search.
      let probe = mid;
      while (probe <= high && this.#at(probe) === undefined) probe++;
      if (probe > high) {
        high = mid - 1;
        continue;
      }
      const at = this.#at(probe)!.queueOffset;
      if (at === offset) return probe;
      if (at < offset) low = probe + 1;
      else high = mid - 1;
    }
    return -1;
  }

  #grow(): void {
    const ring = new Array<MessageExt | undefined>(this.#ring.length * 2).fill(undefined);
    for (let i = 0; i < this.#span; i++) ring[i] = this.#at(i);
    this.#ring = ring;
    this.#head = 0;
  }
}
