/**
 * POP's in-memory state: each group's next offset to pop per (topic, queue), and the checkpoints
 * in flight (popped, not yet all acked or revived). The revive log (pop-records.ts) is the durable
 * copy; PopService rebuilds this book from it at start.
 */
import { checkpointKey, type CheckpointData } from './pop-records';

export interface Checkpoint extends CheckpointData {
  readonly key: string;
  readonly deadline: number;
  /** Offsets neither acked nor revived yet. */
  readonly pending: Set<number>;
  /** Position of the checkpoint record in its revive queue; -1 while its put is under way. */
  reviveOffset: number;
  isReviving: boolean;
}

function queueKey(group: string, topic: string, queueId: number): string {
  return `${group}\u0001${topic}\u0001${queueId}`;
}

export class PopBook {
  readonly #checkpoints = new Map<string, Checkpoint>();
  readonly #popOffsets = new Map<string, number>();
  /** Ends of checkpoints replayed at start: a queue's pop offset never goes below them. */
  readonly #floors = new Map<string, number>();
  /** The consumer offset POP last committed per queue. */
  readonly #committed = new Map<string, number>();

  get size(): number {
    return this.#checkpoints.size;
  }

  /** Registers a checkpoint (again, on replay: the first registration wins). */
  add(data: CheckpointData, reviveOffset: number): Checkpoint {
    const key = checkpointKey(data.group, data.topic, data.queueId, data.startOffset, data.popTime);
    const existing = this.#checkpoints.get(key);
    if (existing !== undefined) return existing;
    const ck: Checkpoint = { ...data, key, deadline: data.popTime + data.invisibleTime, pending: new Set(data.offsets), reviveOffset, isReviving: false };
    this.#checkpoints.set(key, ck);
    return ck;
  }

  get(key: string): Checkpoint | undefined {
    return this.#checkpoints.get(key);
  }

  /** Marks `offset` of checkpoint `key` done; true when it was pending. A settled checkpoint leaves. */
  settle(key: string, offset: number): boolean {
    const ck = this.#checkpoints.get(key);
    if (ck === undefined || !ck.pending.delete(offset)) return false;
    if (ck.pending.size === 0) this.#checkpoints.delete(key);
    return true;
  }

  remove(key: string): void {
    this.#checkpoints.delete(key);
  }

  /** Checkpoints past their deadline whose record is written and that are not being revived. */
  expired(now: number): Checkpoint[] {
    const out: Checkpoint[] = [];
    for (const ck of this.#checkpoints.values()) if (ck.deadline <= now && !ck.isReviving && ck.reviveOffset >= 0) out.push(ck);
    return out;
  }

  /** Lowest revive-queue position still needed by an unsettled checkpoint of `reviveQid`. */
  minReviveOffset(reviveQid: number): number | undefined {
    let min: number | undefined;
    for (const ck of this.#checkpoints.values()) {
      if (ck.reviveQid === reviveQid && ck.reviveOffset >= 0 && (min === undefined || ck.reviveOffset < min)) min = ck.reviveOffset;
    }
    return min;
  }

  /** Messages popped and not yet acked or revived, for (group, topic) or the group overall. */
  inFlight(group: string, topic?: string): number {
    let n = 0;
    for (const ck of this.#checkpoints.values()) if (ck.group === group && (topic === undefined || ck.topic === topic)) n += ck.pending.size;
    return n;
  }

  /**
   * The next offset to pop; `initial` gives it when the queue has none (committed offset or init
   * mode). `committed` is the group's consumer offset now: when it is not the last one POP
   * committed, someone reset it (admin) and popping restarts from there.
   */
  popOffset(group: string, topic: string, queueId: number, initial: () => number, committed?: number): number {
    const key = queueKey(group, topic, queueId);
    const known = this.#popOffsets.get(key);
    const ours = this.#committed.get(key);
    if (known !== undefined && committed !== undefined && ours !== undefined && committed >= 0 && committed !== ours) {
      this.#popOffsets.set(key, committed);
      this.#committed.set(key, committed);
      return committed;
    }
    if (known !== undefined) return known;
    const offset = Math.max(initial(), this.#floors.get(key) ?? 0);
    this.#popOffsets.set(key, offset);
    return offset;
  }

  setPopOffset(group: string, topic: string, queueId: number, offset: number): void {
    this.#popOffsets.set(queueKey(group, topic, queueId), offset);
  }

  /** Remembers what POP itself committed as the group's consumer offset (see popOffset). */
  noteCommitted(group: string, topic: string, queueId: number, offset: number): void {
    this.#committed.set(queueKey(group, topic, queueId), offset);
  }

  /** Replay: everything this checkpoint popped is behind the queue's pop offset. */
  raiseFloor(ck: CheckpointData): void {
    const key = queueKey(ck.group, ck.topic, ck.queueId);
    const end = Math.max(...ck.offsets) + 1;
    if (end > (this.#floors.get(key) ?? 0)) this.#floors.set(key, end);
    const known = this.#popOffsets.get(key);
    if (known !== undefined && known < end) this.#popOffsets.set(key, end);
  }
}
