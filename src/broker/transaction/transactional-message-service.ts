/**
 * The broker's transaction state over the store (RocketMQ TransactionalMessageService): reads the
 * half and op queues into a TransactionBook, ends transactions (commit: the real message, then the
 * op record; rollback: the op record), appends check copies and discards, and keeps the progress as
 * offsets of the CID_SYS_RMQ_TRANS group (persisted with the consumer offsets, so it survives a
 * restart). Everything done to one transaction is serialised (`exclusive`), so a commit racing a
 * check, or two ends of the same transaction, cannot both take effect.
 */
import type { Clock } from '../../common/clock';
import type { Logger } from '../../common/logger';
import { MessageSysFlag } from '../../message/message-const';
import type { MessageExt, MessageToStore, SocketAddress } from '../../message/message-types';
import { mqError } from '../../protocol/errors';
import type { MessageStore, PutMessageResult } from '../../store/message-store';
import { isStored } from '../../store/store-status';
import { applyDelayLevel } from '../delay/delay-redirect';
import type { ConsumerOffsetManager } from '../offset/consumer-offset-manager';
import {
  TRANS_HALF_TOPIC,
  TRANS_OP_HALF_TOPIC,
  TRANS_SYSTEM_GROUP,
  checkCopyOf,
  committedMessageOf,
  discardedMessageOf,
  realDestinationOf,
  rootOffsetOf,
} from './half-message';
import { opRecordOf, parseOpRecord, type OpEntry, type TransactionOutcome } from './op-record';
import { scanRecords } from './record-scan';
import { TransactionBook } from './transaction-book';

const READ_BATCH = 256;

export interface TransactionServiceOptions {
  readonly store: MessageStore;
  readonly offsets: ConsumerOffsetManager;
  readonly storeHost: SocketAddress;
  readonly delayLevelCount: number;
  readonly clock: Clock;
  readonly logger: Logger;
}

export type EndResult =
  | { readonly kind: 'ended' }
  | { readonly kind: 'repeated' }
  | { readonly kind: 'already-ended'; readonly previous: TransactionOutcome | undefined }
  | { readonly kind: 'not-stored'; readonly result: PutMessageResult };

export class TransactionalMessageService {
  readonly #options: TransactionServiceOptions;
  readonly #locks = new Map<number, Promise<unknown>>();
  /** Op queue offsets this broker wrote and has not read back yet. */
  readonly #ownOps = new Set<number>();
  #book: TransactionBook;

  constructor(options: TransactionServiceOptions) {
    this.#options = options;
    this.#book = new TransactionBook({ half: 0, op: 0 });
  }

  get book(): TransactionBook {
    return this.#book;
  }

  /** Restores the persisted progress and reads both queues from there. */
  load(): void {
    const { offsets } = this.#options;
    const half = Math.max(0, offsets.queryOffset(TRANS_SYSTEM_GROUP, TRANS_HALF_TOPIC, 0));
    const op = Math.max(0, offsets.queryOffset(TRANS_SYSTEM_GROUP, TRANS_OP_HALF_TOPIC, 0));
    this.#book = new TransactionBook({ half, op });
    this.catchUp();
  }

  /** Reads every half record, then every op record, appended since the last read. */
  catchUp(): void {
    const book = this.#book;
    book.halfReadPos = this.#readQueue(TRANS_HALF_TOPIC, book.halfReadPos, (queueOffset, decode, mayBeCopy) => {
      book.noteHalfRecord(queueOffset, mayBeCopy ? rootOffsetOf(decode()) : queueOffset);
    });
    const ownOps = this.#ownOps;
    book.opReadPos = this.#readQueue(TRANS_OP_HALF_TOPIC, book.opReadPos, (queueOffset, decode) => {
      // This broker's own op records were noted when written (until a restart, when all are read).
      if (ownOps.delete(queueOffset)) return;
      for (const entry of parseOpRecord(decode())) book.noteEnded(entry);
    });
  }

  /** Records the progress as CID_SYS_RMQ_TRANS offsets (written to disk with the consumer offsets). */
  saveProgress(): void {
    const progress = this.#book.checkpoint();
    const { offsets } = this.#options;
    // A broker that never saw a transaction keeps no CID_SYS_RMQ_TRANS entries.
    if (progress.half === 0 && progress.op === 0 && offsets.queryOffset(TRANS_SYSTEM_GROUP, TRANS_HALF_TOPIC, 0) === -1) return;
    this.#options.offsets.commitOffset(TRANS_SYSTEM_GROUP, TRANS_HALF_TOPIC, 0, progress.half);
    this.#options.offsets.commitOffset(TRANS_SYSTEM_GROUP, TRANS_OP_HALF_TOPIC, 0, progress.op);
  }

  /** The half record at a commit-log offset, or undefined when there is none there. */
  lookupHalf(commitLogOffset: number): MessageExt | undefined {
    if (!Number.isSafeInteger(commitLogOffset) || commitLogOffset < 0) return undefined;
    let record: MessageExt | null;
    try {
      record = this.#options.store.lookMessageByOffset(commitLogOffset);
    } catch {
      // An offset inside a record or past the end is "no half message here", not a broker failure.
      return undefined;
    }
    return record !== null && record.topic === TRANS_HALF_TOPIC && record.commitLogOffset === commitLogOffset ? record : undefined;
  }

  isBusy(root: number): boolean {
    return this.#locks.has(root);
  }

  /** Runs `work` after any other work on the same transaction has finished. */
  exclusive<T>(root: number, work: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(root) ?? Promise.resolve();
    const run = previous.then(work, work);
    const settled = run.then(() => undefined, () => undefined);
    this.#locks.set(root, settled);
    void settled.then(() => {
      if (this.#locks.get(root) === settled) this.#locks.delete(root);
    });
    return run;
  }

  /** END_TRANSACTION's effect on the transaction of `half` (commit or rollback), at most once. */
  end(half: MessageExt, outcome: 'commit' | 'rollback'): Promise<EndResult> {
    const root = rootOffsetOf(half);
    return this.exclusive(root, async (): Promise<EndResult> => {
      if (!this.#book.isOpen(half.queueOffset, root)) {
        const previous = this.#book.outcomeOf(root);
        return previous === outcome ? { kind: 'repeated' } : { kind: 'already-ended', previous };
      }
      const op = this.#opFor(half, root, outcome);
      if (outcome === 'rollback') {
        this.#noteOp(op, await this.#options.store.putMessage(op.record));
        return { kind: 'ended' };
      }
      // The real message and its op record in one atomic append group: one store round trip, and
      // the op can never be stored without the message it marks done.
      const [real, opResult] = await this.#options.store.putMessages([this.#realMessageOf(half), op.record]);
      if (!isStored(real!.status)) return { kind: 'not-stored', result: real! };
      this.#noteOp(op, opResult!);
      return { kind: 'ended' };
    });
  }

  /** Appends the next check copy; returns it as stored, or undefined when the append failed. */
  async appendCheckCopy(half: MessageExt, checkTimes: number): Promise<MessageExt | undefined> {
    const copy = checkCopyOf(half, checkTimes);
    const result = await this.#options.store.putMessage(copy);
    if (!isStored(result.status)) {
      this.#options.logger.warn(`transaction check: re-appending half message ${half.queueOffset} failed: ${result.status}`);
      return undefined;
    }
    this.#book.noteCopy(rootOffsetOf(half), result.queueOffset);
    return {
      ...half, properties: copy.properties as Record<string, string>, queueOffset: result.queueOffset,
      commitLogOffset: result.physicalOffset, msgId: result.msgId, storeTimestamp: result.storeTimestamp, storeSize: result.wroteBytes,
    };
  }

  /** Gives up on a transaction: kept in TRANS_CHECK_MAX_TIME_TOPIC, ended with a "discard" op record. */
  async discard(half: MessageExt): Promise<boolean> {
    const kept = await this.#options.store.putMessage(discardedMessageOf(half));
    if (!isStored(kept.status)) {
      this.#options.logger.warn(`transaction check: keeping discarded half message ${half.queueOffset} failed: ${kept.status}`);
      return false;
    }
    const op = this.#opFor(half, rootOffsetOf(half), 'discard');
    this.#noteOp(op, await this.#options.store.putMessage(op.record));
    return true;
  }

  #realMessageOf(half: MessageExt): MessageToStore {
    const destination = realDestinationOf(half);
    if (destination === undefined) {
      throw mqError('ERR_MESSAGE_ILLEGAL', `half message at queue offset ${half.queueOffset} has no valid REAL_TOPIC / REAL_QID`);
    }
    const message = committedMessageOf(half, destination);
    // A DELAY level on a transactional message applies once it is committed, as for a plain send.
    const target = applyDelayLevel(message.properties, destination, MessageSysFlag.TRANSACTION_COMMIT_TYPE, this.#options.delayLevelCount);
    return { ...message, topic: target.topic, queueId: target.queueId };
  }

  /** The op record ending the transaction of `half`. */
  #opFor(half: MessageExt, root: number, outcome: TransactionOutcome): { entry: OpEntry; record: MessageToStore; named: number } {
    // Every copy of this transaction is at or below the newest one the book knows (or `half` itself).
    const horizon = Math.max(half.queueOffset, this.#book.latestCopy(root) ?? -1) + 1;
    const entry = { root, outcome, horizon };
    return { entry, record: opRecordOf(entry, half.queueOffset, this.#options.storeHost, this.#options.clock.now()), named: half.queueOffset };
  }

  #noteOp(op: { entry: OpEntry; named: number }, result: PutMessageResult): void {
    // Remembered in memory even when the op record failed, so this broker never acts twice.
    this.#book.noteEnded(op.entry);
    if (isStored(result.status) && result.queueOffset >= this.#book.opReadPos) this.#ownOps.add(result.queueOffset);
    if (!isStored(result.status)) {
      this.#options.logger.error(`transaction ${op.entry.outcome} of half message ${op.named}: writing the op record failed (${result.status}); it may be checked again after a restart`);
    }
  }

  /** Feeds records of `topic` queue 0 from `from` to `visit`; returns the next offset to read. */
  #readQueue(topic: string, from: number, visit: (queueOffset: number, decode: () => MessageExt, mayBeCopy: boolean) => void): number {
    let next = from;
    for (;;) {
      const result = this.#options.store.getMessage(topic, 0, next, READ_BATCH);
      if (result.status === 'OFFSET_TOO_SMALL' && result.nextBeginOffset > next) {
        next = result.nextBeginOffset; // retention removed the head
        continue;
      }
      if (result.status !== 'FOUND' || result.records === null) return next;
      next = scanRecords(result.records, visit) ?? next;
      if (result.nextBeginOffset > next) next = result.nextBeginOffset;
    }
  }
}
