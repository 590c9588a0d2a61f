/**
 * The timer wheel (RocketMQ 5 TimerMessageStore's job, designed for many timers due at once).
 *
 * Timer messages wait as ordinary records in rmq_sys_wheel_timer queue 0 (timer-message.ts). This
 * service tails that queue into TimerSlots (queue offset + due time only, never bodies) and runs
 * passes: index what arrived, take everything due at the pass's time T in (due, offset) order, read
 * those records in runs of neighbouring offsets and re-put them to their real topics in big
 * putMessages batches. It wakes at the exact earliest due time (not on a fixed tick) and looks for
 * new timer records every POLL_MS.
 *
 * Progress (timer-checkpoint.ts) is only taken between passes: after a complete pass every indexed
 * record due at or before T has been re-put and no other. A restart rebuilds the wheel from the
 * checkpoint's lowest pending offset; after a crash, copies re-put since the checkpoint are found in
 * the destination queues (delivered-scan.ts), so nothing is delivered twice or lost.
 */
import type { Clock, TimerHandle } from '../../common/clock';
import { AtomicFileWriter } from '../../common/config-file';
import type { Logger } from '../../common/logger';
import type { MessageToStore } from '../../message/message-types';
import { decodeRecord } from '../../message/record-decoder';
import type { MessageStore } from '../../store/message-store';
import { findDelivered, deliveryFingerprint, type DeliveryCandidate } from '../delay/delivered-scan';
import { realDestination, reputAll } from '../delay/reput';
import { forEachParked, parkedDue } from './parked-record';
import { readReputs } from './timer-reads';
import { loadTimerCheckpoint, saveTimerCheckpoint, timerCheckpointFile, timerCheckpointText, type TimerCheckpoint } from './timer-checkpoint';
import { TIMER_OUT_MS, TIMER_TOPIC } from './timer-message';
import { TimerSlots, type DueTimers } from './timer-slots';

/** Timers taken per delivery round of a pass. */
const ROUND = 8192;
/** Timer records indexed per pass (the rest in the next pass, right after). */
const INDEX_PER_PASS = 8192;
const READ_BATCH = 1024;
const READ_BYTES = 16 * 1024 * 1024;
/**
 * Timers due within this window are read and turned into their re-puts ahead of time, so at the
 * due time only the append is left (bounded by PREFETCH_MAX messages and PREFETCH_MAX_BYTES of bodies).
 */
const PREFETCH_MS = 2000;
const PREFETCH_MAX = 200_000;
const PREFETCH_MAX_BYTES = 64 * 1024 * 1024;
/** After the store refused a re-put (disk full, shutting down): the wait before trying again. */
const FAILURE_BACKOFF_MS = 1000;
/** How often the timer queue is checked for new records when nothing else is due sooner. */
const POLL_MS = 10;
const IDLE_PERSIST_MS = 60_000;

export interface TimerWheelServiceOptions {
  readonly store: MessageStore;
  readonly storePathRootDir: string;
  readonly precisionMs: number;
  readonly flushIntervalMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
}

export class TimerWheelService {
  readonly #o: TimerWheelServiceOptions;
  readonly #file: string;
  /** The periodic checkpoint saves, off the event loop. */
  readonly #writer: AtomicFileWriter;
  readonly #slots: TimerSlots;
  /** Next timer-queue offset to index. */
  #readOffset = 0;
  /** State as of the end of the last complete pass (what a checkpoint may claim). */
  #settled: Omit<TimerCheckpoint, 'lowOffset'> = { indexedOffset: 0, deliveredUpToMs: 0, commitLogOffset: 0 };
  #lastPersistAt = 0;
  #isDirty = false;
  #timer: TimerHandle | null = null;
  #running: Promise<void> | null = null;
  #shutdownPromise: Promise<void> | null = null;
  #isStopped = true;
  #deliveredTotal = 0;
  /** Re-puts prepared ahead of their due time, by timer-queue offset. */
  readonly #prepared = new Map<number, MessageToStore>();
  /** Body bytes held by #prepared (bounded by PREFETCH_MAX_BYTES). */
  #preparedBytes = 0;
  /** Every timer due up to this time was prepared when it was set. */
  #prefetchedUntil = 0;
  #isLoaded = false;
  /** The store refused the last re-put: wait a while before the next attempt. */
  #isBackingOff = false;

  constructor(options: TimerWheelServiceOptions) {
    this.#o = options;
    this.#file = timerCheckpointFile(options.storePathRootDir);
    this.#writer = new AtomicFileWriter(this.#file, (err) => {
      this.#isDirty = true;
      options.logger.error(`cannot save the timer checkpoint to ${this.#file}`, err);
    });
    this.#slots = new TimerSlots(options.precisionMs);
  }

  get file(): string {
    return this.#file;
  }

  /** Timers indexed and not yet delivered. */
  get pendingCount(): number {
    return this.#slots.size;
  }

  get deliveredCount(): number {
    return this.#deliveredTotal;
  }

  /** Rebuilds the wheel from the checkpoint and the timer queue (the store must be started). */
  async load(): Promise<void> {
    const { store, clock } = this.#o;
    const checkpoint = loadTimerCheckpoint(this.#file);
    await store.whenDispatched(store.getMaxPhysicalOffset());
    this.#settled = { indexedOffset: checkpoint.indexedOffset, deliveredUpToMs: checkpoint.deliveredUpToMs, commitLogOffset: checkpoint.commitLogOffset };
    const now = clock.now();
    const candidates: DeliveryCandidate[] = [];
    const candidateTimers: DueTimers = { offsets: [], dues: [] };
    this.#readOffset = Math.max(checkpoint.lowOffset, store.getMinOffsetInQueue(TIMER_TOPIC, 0));
    this.#indexAll((queueOffset, due, buf, start, end) => {
      if (queueOffset < checkpoint.indexedOffset && due <= checkpoint.deliveredUpToMs) return false;
      if (due > now) return true;
      // Due before the crash could have been: maybe re-put after the checkpoint; decided below.
      const message = decodeRecord(buf, start, end);
      const destination = realDestination(message);
      if (destination === undefined) return true;
      candidates.push({ ...destination, fingerprint: deliveryFingerprint(message) });
      candidateTimers.offsets.push(queueOffset);
      candidateTimers.dues.push(due);
      return false;
    });
    const delivered = findDelivered(store, candidates, checkpoint.commitLogOffset);
    candidateTimers.offsets.forEach((offset, i) => {
      if (!delivered.has(i)) this.#slots.add(offset, candidateTimers.dues[i] as number);
    });
    this.#isLoaded = true;
    // The copies found are only on record once a complete pass moves the checkpoint past them.
    this.#isDirty = delivered.size > 0;
    if (delivered.size > 0) this.#o.logger.info(`timer wheel: ${delivered.size} timers re-put before a crash were not delivered again`);
  }

  start(): void {
    if (!this.#isStopped) return;
    this.#isStopped = false;
    this.#lastPersistAt = this.#o.clock.now();
    this.#wake(0);
  }

  /** Stops passes, waits for one in progress, writes the checkpoint. Idempotent. */
  shutdown(): Promise<void> {
    // Once: a broker whose start failed closes its services, then may be shut down again.
    this.#shutdownPromise ??= this.#shutdown();
    return this.#shutdownPromise;
  }

  async #shutdown(): Promise<void> {
    this.#isStopped = true;
    this.#timer?.cancel();
    this.#timer = null;
    await this.#running;
    this.#prepared.clear();
    this.#preparedBytes = 0;
    await this.#writer.idle();
    if (this.#isLoaded) this.persist();
  }

  /** Writes the checkpoint of the last complete pass now, on the caller's thread; only between passes. */
  persist(): void {
    saveTimerCheckpoint(this.#file, this.#checkpoint());
  }

  #checkpoint(): TimerCheckpoint {
    this.#isDirty = false;
    return { ...this.#settled, lowOffset: Math.min(this.#slots.minOffset(), this.#readOffset) };
  }

  /** One pass (exposed for tests): index, deliver everything due now; returns how many were re-put. */
  async runPass(): Promise<number> {
    const { clock, store } = this.#o;
    let budget = INDEX_PER_PASS;
    this.#indexAll(() => true, () => --budget > 0);
    const indexedOffset = this.#readOffset;
    const passTime = clock.now();
    let delivered = 0;
    for (;;) {
      const due = this.#slots.takeDue(passTime, ROUND);
      if (due.offsets.length === 0) break;
      const stored = await this.#deliver(due);
      delivered += stored;
      if (stored < due.offsets.length) {
        this.#isBackingOff = true;
        return delivered;
      }
    }
    this.#isBackingOff = false;
    // An idle pass changes nothing a restart needs: the last checkpoint stays valid, no write.
    if (delivered > 0 || indexedOffset !== this.#settled.indexedOffset) this.#isDirty = true;
    this.#settled = { indexedOffset, deliveredUpToMs: passTime, commitLogOffset: store.getMaxPhysicalOffset() };
    if (this.#shouldPersist(clock.now())) {
      this.#lastPersistAt = clock.now();
      this.#writer.save(timerCheckpointText(this.#checkpoint()));
    }
    await this.#prefetch(clock.now());
    return delivered;
  }

  /**
   * Reads timer records from #readOffset on; `keep` says whether one goes into the wheel. Stops at
   * the end of the queue or when `more` says so.
   */
  #indexAll(keep: (queueOffset: number, due: number, buf: Buffer, start: number, end: number) => boolean, more: () => boolean = () => true): void {
    const { store, logger } = this.#o;
    for (;;) {
      const result = store.getMessage(TIMER_TOPIC, 0, this.#readOffset, READ_BATCH, { maxBytes: READ_BYTES });
      if (result.status !== 'FOUND' || result.records === null) {
        if (result.status === 'OFFSET_TOO_SMALL') this.#readOffset = result.nextBeginOffset;
        return;
      }
      const before = this.#readOffset;
      const buf = result.records;
      let stop = false;
      forEachParked(buf, (queueOffset, start, end) => {
        if (stop || queueOffset < this.#readOffset) return;
        const due = parkedDue(buf, start, end);
        if (Number.isNaN(due)) logger.error(`timer record ${queueOffset} has no valid ${TIMER_OUT_MS}; skipped`);
        else if (keep(queueOffset, due, buf, start, end)) this.#slots.add(queueOffset, due);
        this.#readOffset = queueOffset + 1;
        if (!more()) stop = true;
      });
      if (stop) return;
      if (this.#readOffset === before) {
        if (result.nextBeginOffset <= before) return;
        this.#readOffset = result.nextBeginOffset;
      }
    }
  }

  /** Re-puts `due` in its order; what the store refused goes back into the wheel. */
  async #deliver(due: DueTimers): Promise<number> {
    const prepared = this.#prepared;
    let records: Map<number, MessageToStore | null>;
    try {
      records = readReputs(this.#o.store, this.#o.logger, due.offsets.filter((offset) => !prepared.has(offset)));
    } catch (err) {
      // Nothing was re-put: all of them go back into the wheel (the pass fails and backs off).
      due.offsets.forEach((offset, i) => this.#slots.add(offset, due.dues[i] as number));
      throw err;
    }
    const messages: MessageToStore[] = [];
    const sent: number[] = [];
    due.offsets.forEach((offset, i) => {
      const early = prepared.get(offset);
      if (early !== undefined) {
        prepared.delete(offset);
        this.#preparedBytes -= early.body.length;
      }
      const reput = early ?? records.get(offset);
      if (reput === undefined || reput === null) {
        // Retention removed it, or it names no real topic: nothing can be delivered.
        this.#o.logger.error(`timer record ${offset} is ${reput === undefined ? 'gone' : 'without REAL_TOPIC/REAL_QID'}; skipped`);
        return;
      }
      messages.push(reput);
      sent.push(i);
    });
    const stored = await reputAll(this.#o.store, messages, this.#o.logger, 'due timer messages');
    this.#deliveredTotal += stored;
    if (stored === messages.length) return due.offsets.length;
    for (let k = stored; k < sent.length; k++) {
      const i = sent[k] as number;
      this.#slots.add(due.offsets[i] as number, due.dues[i] as number);
    }
    return sent[stored] as number;
  }

  #wake(delayMs: number): void {
    this.#timer?.cancel();
    this.#timer = this.#o.clock.setTimer(() => {
      this.#timer = null;
      if (this.#isStopped) return;
      if (!this.#hasWork()) {
        this.#wake(this.#nextDelay());
        return;
      }
      this.#running = this.#runSafely().finally(() => {
        this.#running = null;
        if (!this.#isStopped) this.#wake(this.#nextDelay());
      });
    }, delayMs);
  }

  async #runSafely(): Promise<void> {
    try {
      await this.runPass();
    } catch (err) {
      this.#isBackingOff = true;
      this.#o.logger.error('timer wheel pass failed', err);
    }
  }

  /** Until the earliest due time, or sooner to index what is waiting, at most a flush interval. */
  #nextDelay(): number {
    if (this.#isBackingOff) return FAILURE_BACKOFF_MS;
    if (this.#o.store.getMaxOffsetInQueue(TIMER_TOPIC, 0) > this.#readOffset) return 0;
    // New timer records are looked for every POLL_MS (one cheap native call), rather than through
    // the store's per-append arrival notifications, which would wake the event loop on every send.
    let delay = POLL_MS;
    const next = this.#slots.nextDue();
    if (next !== undefined) delay = Math.min(delay, Math.max(0, this.#wakeAt(next) - this.#o.clock.now()));
    return delay;
  }

  /** Early enough to prepare what falls due at `next`, then at `next` itself. */
  #wakeAt(next: number): number {
    return next > this.#prefetchedUntil ? next - PREFETCH_MS : next;
  }

  /** Whether a pass has anything to do now: records to index, timers due or to prepare, a checkpoint. */
  #hasWork(): boolean {
    const now = this.#o.clock.now();
    if (this.#isBackingOff || this.#o.store.getMaxOffsetInQueue(TIMER_TOPIC, 0) > this.#readOffset) return true;
    const next = this.#slots.nextDue();
    if (next !== undefined && this.#wakeAt(next) <= now) return true;
    return this.#shouldPersist(now);
  }

  /**
   * Changes are checkpointed every flush interval; an idle wheel still writes once a minute, so
   * the CommitLog position a crash recovery scans from never gets far behind.
   */
  #shouldPersist(now: number): boolean {
    const since = now - this.#lastPersistAt;
    return since >= IDLE_PERSIST_MS || (this.#isDirty && since >= this.#o.flushIntervalMs);
  }

  /** Prepares the re-puts of the timers due within PREFETCH_MS that are not prepared yet. */
  async #prefetch(now: number): Promise<void> {
    const until = now + PREFETCH_MS;
    const found: number[] = [];
    let room = PREFETCH_MAX - this.#prepared.size;
    // Only the window not covered yet: what was prepared stays, later arrivals are read when due.
    this.#slots.peek(Math.max(now, this.#prefetchedUntil + 1), until, (offset) => {
      if (!this.#prepared.has(offset)) found.push(offset);
      return --room > 0;
    });
    // Past the cap, the rest are read at their due time instead.
    this.#prefetchedUntil = until;
    const wanted = Float64Array.from(found).sort();
    for (let i = 0; i < wanted.length; i += ROUND) {
      // A round at a time, yielding between rounds (sends and pulls go on), and never past a due time.
      if (i > 0) await new Promise((resolve) => setImmediate(resolve));
      if (this.#isStopped || (this.#slots.nextDue() ?? Infinity) <= this.#o.clock.now()) return;
      if (this.#preparedBytes >= PREFETCH_MAX_BYTES) return;
      for (const [offset, reput] of readReputs(this.#o.store, this.#o.logger, wanted.subarray(i, i + ROUND))) {
        if (reput === null) continue;
        this.#prepared.set(offset, reput);
        this.#preparedBytes += reput.body.length;
      }
    }
  }
}
