/**
 * The delay-level scheduler (RocketMQ ScheduleMessageService): one cursor per level over
 * SCHEDULE_TOPIC_XXXX queue level-1. Every tick, each level re-puts the messages whose time has come
 * (store time + the level's delay) to REAL_TOPIC / REAL_QID without the DELAY property, in order,
 * stopping at the first one not yet due; a level's due messages go to the store in batches
 * (putMessages), not one by one.
 *
 * Cursors are persisted to <storePathRootDir>/config/delayOffset.json
 * ({"offsetTable": {"<level>": queueOffset}, "commitLogOffset": n}) every flush interval and at
 * shutdown, always between deliveries. commitLogOffset is the CommitLog end at that moment: after a
 * kill -9, the messages re-put since then are found in their destination queues (delivered-scan.ts)
 * and the cursors moved past them before the first tick, so a crash neither redelivers nor loses.
 */
import * as path from 'node:path';
import type { Clock, TimerHandle } from '../../common/clock';
import { AtomicFileWriter, parseJavaJson, readConfigFile, writeConfigFileAtomically } from '../../common/config-file';
import type { Logger } from '../../common/logger';
import { SCHEDULE_TOPIC } from '../../message/message-const';
import type { MessageToStore } from '../../message/message-types';
import { decodeRecord } from '../../message/record-decoder';
import type { MessageStore } from '../../store/message-store';
import { DELAY_DROPPED, forEachParked, parkedStoreTimestamp, reputOfParked } from '../timer/parked-record';
import { deliveryFingerprint, findDelivered, type DeliveryCandidate } from './delivered-scan';
import { realDestination, reputAll } from './reput';

/** How often due messages are looked for (RocketMQ: 100 ms between empty scans). */
const TICK_MS = 100;
const READ_BATCH = 1024;
const READ_BYTES = 16 * 1024 * 1024;
/** Due messages of one level re-put per tick (bounds memory after a long downtime). */
const MAX_PER_LEVEL_TICK = 16_384;
const IDLE_PERSIST_MS = 60_000;

export interface ScheduleMessageServiceOptions {
  readonly store: MessageStore;
  readonly storePathRootDir: string;
  /** Delay of each level in ms, level 1 first. */
  readonly levelDelaysMs: readonly number[];
  readonly flushIntervalMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
}

interface SavedProgress {
  readonly cursors: Map<number, number>;
  /** Absent in files written before it existed: a scan then starts at the CommitLog's beginning. */
  readonly commitLogOffset: number;
}

export class ScheduleMessageService {
  readonly #options: ScheduleMessageServiceOptions;
  readonly #file: string;
  /** The periodic saves, off the event loop. */
  readonly #writer: AtomicFileWriter;
  /** Next queue offset to deliver, per level (index = level - 1). */
  readonly #cursors: number[];
  #savedCommitLogOffset = 0;
  #timer: TimerHandle | null = null;
  #lastPersistAt = 0;
  #isDirty = false;
  #isStopped = true;
  #isRecovered = false;
  #running: Promise<void> | null = null;
  #shutdownPromise: Promise<void> | null = null;
  /** Earliest due time seen by the last pass (the next tick is set for it, at most TICK_MS away). */
  #nextDue = Infinity;

  constructor(options: ScheduleMessageServiceOptions) {
    this.#options = options;
    this.#file = path.join(options.storePathRootDir, 'config', 'delayOffset.json');
    this.#cursors = options.levelDelaysMs.map(() => 0);
    this.#writer = new AtomicFileWriter(this.#file, (err) => {
      this.#isDirty = true;
      options.logger.error(`cannot save delay-level progress to ${this.#file}`, err);
    });
  }

  get file(): string {
    return this.#file;
  }

  cursor(level: number): number {
    return this.#cursors[level - 1] ?? 0;
  }

  load(): void {
    const saved = readConfigFile(this.#file, parseDelayOffsets);
    if (saved === undefined) return;
    for (const [level, queueOffset] of saved.cursors) if (level >= 1 && level <= this.#cursors.length) this.#cursors[level - 1] = queueOffset;
    this.#savedCommitLogOffset = saved.commitLogOffset;
  }

  /** Recovers from a crash (see the module comment), then ticks. */
  start(): void {
    if (!this.#isStopped) return;
    this.#isStopped = false;
    this.#lastPersistAt = this.#options.clock.now();
    this.#running = this.#recover().finally(() => {
      this.#running = null;
      if (!this.#isStopped) this.#schedule();
    });
  }

  /** Stops ticking, waits for a delivery in progress, persists the cursors. Idempotent. */
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
    await this.#writer.idle();
    this.persist();
  }

  /** Writes the progress now, on the caller's thread (shutdown, recovery); ticks save through the writer. */
  persist(): void {
    writeConfigFileAtomically(this.#file, this.#progressSnapshot());
  }

  #progressSnapshot(): string {
    this.#isDirty = false;
    const offsetTable: Record<string, number> = {};
    this.#cursors.forEach((queueOffset, i) => { offsetTable[String(i + 1)] = queueOffset; });
    // Written between deliveries only, so every re-put so far lies before this position.
    this.#savedCommitLogOffset = this.#options.store.getMaxPhysicalOffset();
    return JSON.stringify({ offsetTable, commitLogOffset: this.#savedCommitLogOffset }, null, 2);
  }

  /** One pass over every level; exposed for tests that drive time themselves. */
  async deliverDue(): Promise<number> {
    const now = this.#options.clock.now();
    this.#nextDue = Infinity;
    let delivered = 0;
    for (let level = 1; level <= this.#cursors.length; level++) delivered += await this.#deliverLevel(level, now);
    return delivered;
  }

  /** Moves each cursor past the messages re-put after the last persist (a crash left them unsaved). */
  async #recover(): Promise<void> {
    if (this.#isRecovered) return;
    const { store, clock, logger } = this.#options;
    try {
      await store.whenDispatched(store.getMaxPhysicalOffset());
      const now = clock.now();
      const candidates: DeliveryCandidate[] = [];
      const positions: Array<{ level: number; queueOffset: number }> = [];
      for (let level = 1; level <= this.#cursors.length; level++) {
        this.#forEachDue(level, now, (queueOffset, buf, start, end) => {
          const message = decodeRecord(buf, start, end);
          const destination = realDestination(message);
          if (destination === undefined) return;
          candidates.push({ ...destination, fingerprint: deliveryFingerprint(message) });
          positions.push({ level, queueOffset });
        });
      }
      const delivered = findDelivered(store, candidates, this.#savedCommitLogOffset);
      for (const index of delivered) {
        const { level, queueOffset } = positions[index] as { level: number; queueOffset: number };
        // Levels deliver in order, so everything before a copy found was delivered (or skipped) too.
        if (queueOffset + 1 > this.cursor(level)) this.#advance(level - 1, queueOffset + 1);
      }
      if (delivered.size > 0) {
        logger.info(`delay levels: ${delivered.size} messages re-put before a crash were not delivered again`);
        this.persist();
      }
      this.#isRecovered = true;
    } catch (err) {
      logger.error('delay-level crash recovery failed; delivery stays stopped', err);
      this.#isStopped = true;
    }
  }

  /**
   * Calls `fn` with each record (its bytes, undecoded) of `level` from its cursor on that is due at
   * `now`, at most `limit`; returns the due time of the first one not due yet (Infinity if none).
   */
  #forEachDue(level: number, now: number, fn: (queueOffset: number, buf: Buffer, start: number, end: number) => void, limit = Infinity): number {
    let seen = 0;
    let nextDue = Infinity;
    const delayMs = this.#options.levelDelaysMs[level - 1] as number;
    let from = this.cursor(level);
    for (;;) {
      const result = this.#options.store.getMessage(SCHEDULE_TOPIC, level - 1, from, READ_BATCH, { maxBytes: READ_BYTES });
      const buf = result.records;
      if (result.status !== 'FOUND' || buf === null) return nextDue;
      let stop = false;
      forEachParked(buf, (queueOffset, start, end) => {
        if (stop || queueOffset < from) return;
        const due = parkedStoreTimestamp(buf, start) + delayMs;
        if (due > now) nextDue = due;
        if (due > now || seen++ >= limit) stop = true;
        else fn(queueOffset, buf, start, end);
      });
      if (stop || result.nextBeginOffset <= from) return nextDue;
      from = result.nextBeginOffset;
    }
  }

  /** Re-puts the due messages of `level`; #nextDue learns when its next one falls due. */
  async #deliverLevel(level: number, now: number): Promise<number> {
    const { store, logger } = this.#options;
    const queueId = level - 1;
    const start = this.#cursors[queueId] as number;
    const head = store.getMessage(SCHEDULE_TOPIC, queueId, start, 1);
    if (head.status !== 'FOUND') {
      // Retention removed the head, or the cursor ran past a truncated queue: follow the store.
      if (head.status === 'OFFSET_TOO_SMALL' || head.status === 'OFFSET_OVERFLOW_BADLY') this.#advance(queueId, head.nextBeginOffset);
      return 0;
    }
    const messages: MessageToStore[] = [];
    /** Cursor after each message put (entry i = after messages[i]); skipped ones just move it. */
    const cursorAfter: number[] = [];
    let skippedUpTo = start;
    const nextDue = this.#forEachDue(level, now, (queueOffset, buf, start, end) => {
      const reput = reputOfParked(buf, start, end, DELAY_DROPPED);
      if (reput === undefined) {
        // Not deliverable anywhere; skipping it keeps the level moving (logged, not silently dropped).
        logger.error(`delayed message at ${SCHEDULE_TOPIC} queue ${queueId} offset ${queueOffset} has no valid REAL_TOPIC/REAL_QID; skipped`);
        if (messages.length === 0) skippedUpTo = queueOffset + 1;
        else cursorAfter[cursorAfter.length - 1] = queueOffset + 1;
        return;
      }
      messages.push(reput);
      cursorAfter.push(queueOffset + 1);
    }, MAX_PER_LEVEL_TICK);
    this.#nextDue = Math.min(this.#nextDue, messages.length >= MAX_PER_LEVEL_TICK ? now : nextDue);
    if (skippedUpTo > start) this.#advance(queueId, skippedUpTo);
    if (messages.length === 0) return 0;
    const stored = await reputAll(store, messages, logger, `delayed messages of level ${level}`);
    if (stored > 0) this.#advance(queueId, cursorAfter[stored - 1] as number);
    return stored;
  }

  #advance(queueId: number, queueOffset: number): void {
    if (this.#cursors[queueId] !== queueOffset) {
      this.#cursors[queueId] = queueOffset;
      this.#isDirty = true;
    }
  }

  #schedule(): void {
    // At the exact due time of the next message when it is near, else after TICK_MS (new messages
    // are at least one level's delay away, so nothing new can fall due sooner).
    const delay = Math.max(0, Math.min(TICK_MS, this.#nextDue - this.#options.clock.now()));
    this.#timer = this.#options.clock.setTimer(() => {
      this.#running = this.#tick().finally(() => {
        this.#running = null;
        if (!this.#isStopped) this.#schedule();
      });
    }, delay);
  }

  async #tick(): Promise<void> {
    try {
      await this.deliverDue();
      const now = this.#options.clock.now();
      // Idle levels still persist once a minute: the CommitLog position a crash recovery scans
      // from never gets far behind.
      const since = now - this.#lastPersistAt;
      if (since >= IDLE_PERSIST_MS || (this.#isDirty && since >= this.#options.flushIntervalMs)) {
        this.#lastPersistAt = now;
        this.#writer.save(this.#progressSnapshot());
      }
    } catch (err) {
      // The cursors only move after a successful append; the next tick retries from there.
      this.#options.logger.error('delay-level delivery failed', err);
    }
  }
}

function parseDelayOffsets(text: string): SavedProgress {
  const json = parseJavaJson(text) as { offsetTable?: Record<string, unknown>; commitLogOffset?: unknown };
  if (typeof json !== 'object' || json === null || typeof json.offsetTable !== 'object' || json.offsetTable === null) {
    throw new Error('offsetTable is missing');
  }
  const cursors = new Map<number, number>();
  for (const [level, queueOffset] of Object.entries(json.offsetTable)) {
    if (!/^\d+$/.test(level) || typeof queueOffset !== 'number' || !Number.isSafeInteger(queueOffset) || queueOffset < 0) {
      throw new Error(`bad delay offset ${level}`);
    }
    cursors.set(Number(level), queueOffset);
  }
  const position = json.commitLogOffset;
  if (position !== undefined && (typeof position !== 'number' || !Number.isSafeInteger(position) || position < 0)) throw new Error('bad commitLogOffset');
  return { cursors, commitLogOffset: position ?? 0 };
}
