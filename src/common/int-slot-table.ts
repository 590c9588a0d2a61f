/**
 * A table keyed by small increasing integers (request opaques), for entries that come and go at a
 * high rate, without a Map. A long-lived Map that takes and drops an entry per message keeps
 * replacing its hash table, and V8 links each replaced table to its successor (for live
 * iterators): once one table is old (a mark-compact promotes whatever young is alive), the chain
 * of its successors, and every entry they held, stays alive in each scavenge until the next
 * mark-compact. In a client at 10,000 requests/s that chain was most of what its scavenges copied
 * and promoted (1-1.5 MB each), which kept the old generation growing and marking again. Here a
 * key lives in slot `key % capacity` of fixed arrays, written in place and cleared on delete; a key
 * whose slot is taken (more than `capacity` keys apart still present) goes to a small overflow Map.
 */
export class IntSlotTable<V> {
  readonly #mask: number;
  readonly #keys: Int32Array;
  readonly #values: Array<V | undefined>;
  readonly #overflow = new Map<number, V>();
  #size = 0;

  /** `capacity` is rounded up to a power of two. */
  constructor(capacity = 1024) {
    let size = 1;
    while (size < capacity) size <<= 1;
    this.#mask = size - 1;
    this.#keys = new Int32Array(size);
    this.#values = new Array<V | undefined>(size).fill(undefined);
  }

  get size(): number {
    return this.#size;
  }

  /** Adds or replaces the entry of `key` (a non-negative int32). */
  set(key: number, value: V): void {
    const slot = key & this.#mask;
    const held = this.#values[slot];
    if (held !== undefined && this.#keys[slot] === key) {
      this.#values[slot] = value;
      return;
    }
    // A key never lives in both places: one that went to the overflow stays there.
    if (this.#overflow.size > 0 && this.#overflow.has(key)) {
      this.#overflow.set(key, value);
      return;
    }
    this.#size++;
    if (held === undefined) {
      this.#keys[slot] = key;
      this.#values[slot] = value;
    } else {
      this.#overflow.set(key, value);
    }
  }

  get(key: number): V | undefined {
    const slot = key & this.#mask;
    if (this.#keys[slot] === key) {
      const value = this.#values[slot];
      if (value !== undefined) return value;
    }
    return this.#overflow.size === 0 ? undefined : this.#overflow.get(key);
  }

  /** Removes and returns the entry of `key`. */
  take(key: number): V | undefined {
    const slot = key & this.#mask;
    if (this.#keys[slot] === key) {
      const value = this.#values[slot];
      if (value !== undefined) {
        this.#values[slot] = undefined;
        this.#size--;
        return value;
      }
    }
    if (this.#overflow.size === 0) return undefined;
    const value = this.#overflow.get(key);
    if (value !== undefined) {
      this.#overflow.delete(key);
      this.#size--;
    }
    return value;
  }

  /** Every entry, in no particular order; entries may be taken during the walk. */
  forEach(fn: (value: V, key: number) => void): void {
    const values = this.#values;
    for (let slot = 0; slot < values.length; slot++) {
      const value = values[slot];
      if (value !== undefined) fn(value, this.#keys[slot]!);
    }
    for (const [key, value] of [...this.#overflow]) fn(value, key);
  }

  clear(): void {
    this.#values.fill(undefined);
    this.#overflow.clear();
    this.#size = 0;
  }
}
