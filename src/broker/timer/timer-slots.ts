/**
 * The in-memory timer wheel: pending timers bucketed in slots of `slotMs` by due time, each slot a
 * Float64Array of keys `(due - slotStart) * span + queueOffset` (one safe integer per timer: 8 bytes,
 * no bodies, no objects), and a min-heap of the slot numbers in use. A slot is sorted once, when it
 * is first consumed, so timers leave in (due time, queue offset) order; a late arrival in a slot
 * being consumed just marks it unsorted again.
 */

interface Slot {
  keys: Float64Array;
  length: number;
  /** Keys before it have been taken. */
  start: number;
  sorted: boolean;
}

export interface DueTimers {
  readonly offsets: number[];
  readonly dues: number[];
}

const INITIAL_SLOT_CAPACITY = 16;

export class TimerSlots {
  readonly #slotMs: number;
  /** Queue offsets must stay below it; a key is rel * span + offset < 2^53. */
  readonly #span: number;
  readonly #slots = new Map<number, Slot>();
  readonly #heap: number[] = [];
  #size = 0;

  constructor(slotMs: number) {
    if (!Number.isInteger(slotMs) || slotMs < 1) throw new RangeError(`slotMs must be a positive integer, got ${slotMs}`);
    this.#slotMs = slotMs;
    this.#span = 2 ** (53 - Math.ceil(Math.log2(slotMs + 1)));
  }

  /** Pending timers. */
  get size(): number {
    return this.#size;
  }

  add(queueOffset: number, dueMs: number): void {
    if (!Number.isSafeInteger(queueOffset) || queueOffset < 0 || queueOffset >= this.#span) throw new RangeError(`queue offset ${queueOffset} out of range`);
    const index = Math.floor(dueMs / this.#slotMs);
    const key = (dueMs - index * this.#slotMs) * this.#span + queueOffset;
    let slot = this.#slots.get(index);
    if (slot === undefined) {
      slot = { keys: new Float64Array(INITIAL_SLOT_CAPACITY), length: 0, start: 0, sorted: true };
      this.#slots.set(index, slot);
      this.#push(index);
    } else if (slot.length === slot.keys.length) {
      const grown = new Float64Array(slot.keys.length * 2);
      grown.set(slot.keys.subarray(0, slot.length));
      slot.keys = grown;
    }
    if (slot.sorted && slot.length > slot.start && (slot.keys[slot.length - 1] as number) > key) slot.sorted = false;
    slot.keys[slot.length++] = key;
    this.#size++;
  }

  /** The earliest due time pending, or undefined when empty. */
  nextDue(): number | undefined {
    const index = this.#heap[0];
    if (index === undefined) return undefined;
    const slot = this.#sortedSlot(index);
    return index * this.#slotMs + Math.floor((slot.keys[slot.start] as number) / this.#span);
  }

  /** Removes and returns up to `max` timers due at or before `now`, in (due, queue offset) order. */
  takeDue(now: number, max: number): DueTimers {
    const offsets: number[] = [];
    const dues: number[] = [];
    const span = this.#span;
    while (offsets.length < max) {
      const index = this.#heap[0];
      if (index === undefined || index * this.#slotMs > now) break;
      const slot = this.#sortedSlot(index);
      const base = index * this.#slotMs;
      while (slot.start < slot.length && offsets.length < max) {
        const key = slot.keys[slot.start] as number;
        const rel = Math.floor(key / span);
        if (base + rel > now) break;
        offsets.push(key - rel * span);
        dues.push(base + rel);
        slot.start++;
        this.#size--;
      }
      if (slot.start < slot.length) break;
      this.#slots.delete(index);
      this.#pop();
    }
    return { offsets, dues };
  }

  /**
   * Calls `fn` for each pending timer due in [fromMs, untilMs] (slot by slot, not sorted within a
   * slot), without taking them; `fn` returning false stops the walk.
   */
  peek(fromMs: number, untilMs: number, fn: (queueOffset: number, dueMs: number) => boolean): void {
    const span = this.#span;
    for (let index = Math.floor(fromMs / this.#slotMs); index <= Math.floor(untilMs / this.#slotMs); index++) {
      const slot = this.#slots.get(index);
      if (slot === undefined) continue;
      const base = index * this.#slotMs;
      for (let i = slot.start; i < slot.length; i++) {
        const key = slot.keys[i] as number;
        const rel = Math.floor(key / span);
        const due = base + rel;
        if (due >= fromMs && due <= untilMs && !fn(key - rel * span, due)) return;
      }
    }
  }

  /** The lowest queue offset pending (Infinity when empty): where a rebuild must start reading. */
  minOffset(): number {
    let min = Infinity;
    const span = this.#span;
    for (const slot of this.#slots.values()) {
      for (let i = slot.start; i < slot.length; i++) {
        const key = slot.keys[i] as number;
        const offset = key - Math.floor(key / span) * span;
        if (offset < min) min = offset;
      }
    }
    return min;
  }

  #sortedSlot(index: number): Slot {
    const slot = this.#slots.get(index) as Slot;
    if (!slot.sorted) {
      slot.keys.subarray(slot.start, slot.length).sort();
      slot.sorted = true;
    }
    return slot;
  }

  #push(value: number): void {
    const heap = this.#heap;
    heap.push(value);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((heap[parent] as number) <= value) break;
      heap[i] = heap[parent] as number;
      i = parent;
    }
    heap[i] = value;
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop() as number;
    if (heap.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && (heap[right] as number) < (heap[left] as number) ? right : left;
      if ((heap[child] as number) >= last) break;
      heap[i] = heap[child] as number;
      i = child;
    }
    heap[i] = last;
  }
}
