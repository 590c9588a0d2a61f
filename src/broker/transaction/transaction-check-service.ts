/**
 * TransactionalMessageCheckService: every transactionCheckInterval, one pass over the half queue
 * from the check cursor to the end it had when the pass began. For each open transaction's newest
 * copy older than transactionTimeOut (CHECK_IMMUNITY_TIME_IN_SECONDS for a first check, when set):
 * after transactionCheckMax checks it is discarded (logged once); otherwise a copy with
 * TRANSACTION_CHECK_TIMES + 1 is appended and CHECK_TRANSACTION_STATE goes one-way to a live
 * producer connection of its PGROUP, which answers with END_TRANSACTION.
 *
 * The cursor only moves over records that are settled, so a young record does not hide later,
 * older-by-immunity ones: the pass looks past it, and copies made there are skipped as superseded
 * when the cursor reaches them. Between check passes, a settle-only pass every 200 ms reads what
 * arrived and moves the cursor over ended records (no checks), which keeps the broker's memory of
 * ended transactions to a fraction of a second's worth. Progress is saved after every pass and at shutdown.
 */
import type { Clock, TimerHandle } from '../../common/clock';
import type { Logger } from '../../common/logger';
import type { MessageExt, SocketAddress } from '../../message/message-types';
import { encodeRecord, recordSize } from '../../message/record-encoder';
import { CheckTransactionStateRequestHeader } from '../../protocol/headers/transaction-headers';
import { createRequest, type RemotingCommand } from '../../protocol/remoting-command';
import { RequestCode } from '../../protocol/request-code';
import type { MessageStore } from '../../store/message-store';
import type { ProducerRegistry } from '../registry/producer-registry';
import { TRANS_HALF_TOPIC, checkTimesOf, immunityMsOf, realDestinationOf, rootOffsetOf } from './half-message';
import { scanRecords } from './record-scan';
import type { TransactionalMessageService } from './transactional-message-service';

/** One pass stops after this long and resumes at the next interval (RocketMQ MAX_PROCESS_TIME_LIMIT). */
const MAX_PASS_MS = 60_000;
const READ_BATCH = 32;
/** Period of the settle-only passes between check passes. */
const SETTLE_TICK_MS = 200;

/** 'check' acts on half messages due for a check; 'settle' only reads and moves the cursor. */
export type PassMode = 'check' | 'settle';

export interface TransactionCheckSettings {
  /** transactionCheckInterval, ms. */
  readonly intervalMs: number;
  /** transactionTimeOut, ms. */
  readonly timeoutMs: number;
  /** transactionCheckMax. */
  readonly checkMax: number;
}

export interface TransactionCheckDeps {
  readonly store: MessageStore;
  readonly transactions: TransactionalMessageService;
  readonly producers: ProducerRegistry;
  readonly storeHost: SocketAddress;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface CheckPassReport {
  readonly checked: number;
  readonly discarded: number;
  /** Checks that found no live producer connection of the group. */
  readonly unanswerable: number;
}

export class TransactionalMessageCheckService {
  readonly #settings: TransactionCheckSettings;
  readonly #deps: TransactionCheckDeps;
  #timer: TimerHandle | null = null;
  #running: Promise<unknown> | null = null;
  #isStopped = true;
  #lastCheckPassAt = 0;

  constructor(settings: TransactionCheckSettings, deps: TransactionCheckDeps) {
    this.#settings = settings;
    this.#deps = deps;
  }

  start(): void {
    if (!this.#isStopped) return;
    this.#isStopped = false;
    this.#lastCheckPassAt = this.#deps.clock.now();
    this.#schedule();
  }

  /** Stops the timer, waits for a pass in progress and saves the progress. Idempotent. */
  async shutdown(): Promise<void> {
    this.#isStopped = true;
    this.#timer?.cancel();
    this.#timer = null;
    await this.#running;
    this.#deps.transactions.saveProgress();
  }

  /** One pass now (the timer calls this; tests may too). */
  async runPass(mode: PassMode = 'check'): Promise<CheckPassReport> {
    const { store, transactions, clock } = this.#deps;
    transactions.catchUp();
    const book = transactions.book;
    const end = store.getMaxOffsetInQueue(TRANS_HALF_TOPIC, 0);
    const started = clock.now();
    const report = { checked: 0, discarded: 0, unanswerable: 0 };
    let offset = book.halfCursor;
    let isSettledPrefix = true;
    scan: while (offset < end && clock.now() - started < MAX_PASS_MS) {
      const result = store.getMessage(TRANS_HALF_TOPIC, 0, offset, READ_BATCH);
      if (result.status !== 'FOUND') {
        if (result.status !== 'OFFSET_TOO_SMALL' || result.nextBeginOffset <= offset) break;
        offset = result.nextBeginOffset; // retention removed the head
        if (isSettledPrefix) book.halfCursor = offset;
        continue;
      }
      const batch: { queueOffset: number; decode: () => MessageExt; mayBeCopy: boolean }[] = [];
      scanRecords(result.records ?? Buffer.alloc(0), (queueOffset, decode, mayBeCopy) => batch.push({ queueOffset, decode, mayBeCopy }));
      if (batch.length === 0) break;
      for (const record of batch) {
        if (record.queueOffset >= end) break scan;
        const isSettled = await this.#visit(record, started, report, mode);
        if (isSettledPrefix && isSettled) book.halfCursor = record.queueOffset + 1;
        else isSettledPrefix = false;
        // A settle pass only moves the cursor: past the first unsettled record it has nothing to do.
        if (!isSettledPrefix && mode === 'settle') break scan;
        offset = record.queueOffset + 1;
      }
    }
    transactions.saveProgress();
    return report;
  }

  /** Acts on one half record; true when it needs nothing more from this service. */
  async #visit(
    record: { queueOffset: number; decode: () => MessageExt; mayBeCopy: boolean }, now: number,
    report: { checked: number; discarded: number; unanswerable: number }, mode: PassMode,
  ): Promise<boolean> {
    const { transactions } = this.#deps;
    // Most records are ended transactions' first records: settled without decoding them.
    const root = record.mayBeCopy ? rootOffsetOf(record.decode()) : record.queueOffset;
    if (!transactions.book.isLatestOpenCopy(record.queueOffset, root)) return true;
    if (mode === 'settle' || transactions.isBusy(root)) return false; // an END_TRANSACTION is being applied
    const half = record.decode();
    const checkTimes = checkTimesOf(half);
    const waitMs = checkTimes === 0 ? (immunityMsOf(half) ?? this.#settings.timeoutMs) : this.#settings.timeoutMs;
    if (now - half.storeTimestamp < waitMs) return false;
    return transactions.exclusive(root, async () => {
      if (!transactions.book.isLatestOpenCopy(half.queueOffset, root)) return true;
      if (checkTimes >= this.#settings.checkMax) {
        const isDiscarded = await transactions.discard(half);
        if (isDiscarded) {
          report.discarded++;
          this.#deps.logger.warn(`transaction of half message ${root} (msgId ${half.properties['UNIQ_KEY'] ?? half.msgId}, group ${half.properties['PGROUP'] ?? '?'}) discarded after ${checkTimes} checks`);
        }
        return isDiscarded;
      }
      const copy = await transactions.appendCheckCopy(half, checkTimes + 1);
      if (copy === undefined) return false;
      report.checked++;
      if (!this.#sendCheck(copy)) report.unanswerable++;
      return true;
    });
  }

  /** CHECK_TRANSACTION_STATE to one live producer of the copy's group; false when there is none. */
  #sendCheck(copy: MessageExt): boolean {
    const group = copy.properties['PGROUP'] ?? '';
    const live = this.#deps.producers.clients(group).filter((c) => !c.connection.isClosed);
    if (live.length === 0) {
      this.#deps.logger.warn(`transaction check of half message ${copy.queueOffset}: no live producer of group ${group}`);
      return false;
    }
    const producer = live[Math.floor(Math.random() * live.length)]!;
    producer.connection.invokeOneway(checkRequestOf(copy, this.#deps.storeHost));
    return true;
  }

  #schedule(): void {
    const { intervalMs } = this.#settings;
    this.#timer = this.#deps.clock.setTimer(() => {
      const now = this.#deps.clock.now();
      const isCheckDue = now - this.#lastCheckPassAt >= intervalMs;
      if (isCheckDue) this.#lastCheckPassAt = now;
      this.#running = this.runPass(isCheckDue ? 'check' : 'settle').catch((err: unknown) => {
        // Progress only moves over settled records; the next pass retries the rest.
        this.#deps.logger.error('transaction check pass failed', err);
      }).finally(() => {
        this.#running = null;
        if (!this.#isStopped) this.#schedule();
      });
    }, Math.min(intervalMs, SETTLE_TICK_MS));
  }
}

/** The request a producer sees: header offsets of the copy, body = the copy as a stored record of its real topic. */
export function checkRequestOf(copy: MessageExt, storeHost: SocketAddress): RemotingCommand {
  const uniqKey = copy.properties['UNIQ_KEY'];
  const real = realDestinationOf(copy) ?? { topic: copy.topic, queueId: copy.queueId };
  const message = {
    topic: real.topic, queueId: real.queueId, body: copy.body, flag: copy.flag, properties: copy.properties,
    bornTimestamp: copy.bornTimestamp, bornHost: copy.bornHost, sysFlag: copy.sysFlag, reconsumeTimes: copy.reconsumeTimes,
  };
  const record = Buffer.alloc(recordSize(message, storeHost));
  const length = encodeRecord(record, 0, message, storeHost, {
    bodyCRC: copy.bodyCRC, queueOffset: copy.queueOffset, physicalOffset: copy.commitLogOffset, storeTimestamp: copy.storeTimestamp,
  });
  const header = CheckTransactionStateRequestHeader.encode({
    topic: real.topic, tranStateTableOffset: copy.queueOffset, commitLogOffset: copy.commitLogOffset,
    msgId: uniqKey, transactionId: uniqKey, offsetMsgId: copy.msgId,
  });
  return createRequest(RequestCode.CHECK_TRANSACTION_STATE, header, record.subarray(0, length));
}
