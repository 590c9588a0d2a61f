/**
 * What the broker knows about transactions, in memory: which are still open (root half offset ->
 * latest copy) and which ended (root -> outcome, op offset, horizon), plus the read positions over
 * the half and op queues. No I/O here; TransactionalMessageService feeds it from the store.
 *
 * Progress that survives a restart is two queue offsets (the check cursor over the half queue, and
 * the op queue offset from which every still-relevant op record can be read again). An ended
 * transaction's outcome is remembered until every record of it has been read (its horizon), which
 * keeps memory to what arrived since the last read. The op cursor comes from samples (half bound,
 * op read position) taken at each checkpoint: every op record below a sample's op position ended a
 * transaction whose records all lie below that sample's half bound, so once the check cursor
 * reaches the bound those op records are never needed again. Re-reading both queues from the saved
 * cursors after a restart therefore rebuilds the same book, with memory O(samples), not O(ops).
 */
import type { OpEntry, TransactionOutcome } from './op-record';

interface Ended {
  readonly outcome: TransactionOutcome;
  readonly horizon: number;
}

interface Sample {
  /** One past every half record known when the sample was taken. */
  readonly halfBound: number;
  /** The op read position then. */
  readonly opPos: number;
}

export interface Progress {
  /** Next half-queue offset the check pass has not settled. */
  readonly half: number;
  /** First op-queue offset to re-read after a restart. */
  readonly op: number;
}

export class TransactionBook {
  /** Open transactions: root half offset -> the newest copy's half offset. */
  readonly #open = new Map<number, number>();
  readonly #ended = new Map<number, Ended>();
  #samples: Sample[] = [];
  /** One past the highest half offset known (read, copied or named by an end). */
  #halfBound: number;
  #opCursor: number;
  /** Check cursor: every half record below it is settled (ended, superseded or checked). */
  halfCursor: number;
  /** Half records below this have been read into the book. */
  halfReadPos: number;
  /** Op records below this have been read into the book. */
  opReadPos: number;

  constructor(progress: Progress) {
    this.halfCursor = progress.half;
    this.halfReadPos = progress.half;
    this.opReadPos = progress.op;
    this.#halfBound = progress.half;
    this.#opCursor = progress.op;
  }

  get openCount(): number {
    return this.#open.size;
  }

  get endedCount(): number {
    return this.#ended.size;
  }

  /** A half record read from the queue (the first record of a transaction or a check's copy). */
  noteHalfRecord(copy: number, root: number): void {
    if (copy + 1 > this.#halfBound) this.#halfBound = copy + 1;
    if (this.#ended.has(root)) return;
    const latest = this.#open.get(root);
    if (latest === undefined || copy > latest) this.#open.set(root, copy);
  }

  /** A transaction ended (op record at `opOffset`); the first news wins. */
  noteEnded(entry: OpEntry): void {
    this.#open.delete(entry.root);
    if (entry.horizon > this.#halfBound) this.#halfBound = entry.horizon;
    if (!this.#ended.has(entry.root)) this.#ended.set(entry.root, { outcome: entry.outcome, horizon: entry.horizon });
  }

  /**
   * Whether the transaction of `copy` (root `root`) is open. A copy the book has not read yet is
   * open unless its root ended: it was just appended.
   */
  isOpen(copy: number, root: number): boolean {
    if (this.#ended.has(root)) return false;
    return this.#open.has(root) || copy >= this.halfReadPos;
  }

  outcomeOf(root: number): TransactionOutcome | undefined {
    return this.#ended.get(root)?.outcome;
  }

  /** Whether `copy` is the newest record of an open transaction (the only one a check acts on). */
  isLatestOpenCopy(copy: number, root: number): boolean {
    return !this.#ended.has(root) && this.#open.get(root) === copy;
  }

  /** The newest known copy of an open transaction. */
  latestCopy(root: number): number | undefined {
    return this.#open.get(root);
  }

  /** A check appended a new copy of an open transaction. */
  noteCopy(root: number, copy: number): void {
    if (copy + 1 > this.#halfBound) this.#halfBound = copy + 1;
    if (!this.#ended.has(root)) this.#open.set(root, copy);
  }

  /**
   * Forgets outcomes whose every record has been read, and op offsets the check cursor no longer
   * needs; returns the progress to persist. Call it right after reading the queues.
   */
  checkpoint(): Progress {
    for (const [root, ended] of this.#ended) if (ended.horizon <= this.halfReadPos) this.#ended.delete(root);
    const last = this.#samples[this.#samples.length - 1];
    if (last === undefined || last.halfBound !== this.#halfBound || last.opPos !== this.opReadPos) {
      this.#samples.push({ halfBound: this.#halfBound, opPos: this.opReadPos });
    }
    while (this.#samples.length > 0 && this.#samples[0]!.halfBound <= this.halfCursor) this.#opCursor = this.#samples.shift()!.opPos;
    return { half: this.halfCursor, op: this.#opCursor };
  }
}
