/**
 * Messages pulled from one queue and not yet consumed, kept ordered by queue offset. The offset a
 * consumer may commit is the smallest one still held (or, when empty, one past the highest ever
 * held), so a crash never skips a message whose listener had not finished.
 */
import type { MessageExt } from '../../message';

/** RocketMQ's pullThresholdForQueue / pullThresholdSizeForQueue defaults. */
export const DEFAULT_MAX_HELD_COUNT = 1000;
export const DEFAULT_MAX_HELD_BYTES = 100 * 1024 * 1024;

export interface ProcessQueueLimits {
  readonly maxHeldCount?: number;
  readonly maxHeldBytes?: number;
}

export class ProcessQueue {
  // Insertion order == queue-offset order: pulls of one queue are sequential and ascending.
  readonly #held = new Map<number, MessageExt>();
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
    return this.#held.size;
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
    return this.#held.size >= this.#maxHeldCount || this.#heldBytes >= this.#maxHeldBytes;
  }

  /** Adds pulled messages; an offset already held or below the highest seen is ignored. */
  put(messages: readonly MessageExt[]): void {
    for (const message of messages) {
      if (message.queueOffset <= this.#maxOffsetSeen) continue;
      this.#held.set(message.queueOffset, message);
      this.#heldBytes += message.body.length;
      this.#maxOffsetSeen = message.queueOffset;
    }
  }

  /** The first `max` messages held, in queue-offset order (orderly consumption takes them from here). */
  firstHeld(max: number): MessageExt[] {
    const first: MessageExt[] = [];
    for (const message of this.#held.values()) {
      if (first.length >= max) break;
      first.push(message);
    }
    return first;
  }

  /** Removes consumed messages and returns the offset now safe to commit (-1 if nothing was ever held). */
  remove(messages: readonly MessageExt[]): number {
    for (const message of messages) {
      const held = this.#held.get(message.queueOffset);
      if (held === undefined) continue;
      this.#held.delete(message.queueOffset);
      this.#heldBytes -= held.body.length;
    }
    return this.commitOffset();
  }

  /** Smallest unconsumed offset, else one past the highest seen, else -1. */
  commitOffset(): number {
    for (const offset of this.#held.keys()) return offset;
    return this.#maxOffsetSeen < 0 ? -1 : this.#maxOffsetSeen + 1;
  }
}
