/**
 * The delay-level scheduler (RocketMQ ScheduleMessageService): one cursor per level over
 * SCHEDULE_TOPIC_XXXX queue level-1. Every tick, each level delivers the messages whose time has
 * come (store time + the level's delay) back to REAL_TOPIC / REAL_QID, without the DELAY property,
 * in order, stopping at the first one not yet due. Cursors are persisted to
 * <storePathRootDir>/config/delayOffset.json ({"offsetTable": {"<level>": queueOffset}}) every
 * flush interval and at shutdown; a crash can re-deliver what was delivered since the last write
 * (at least once, as in RocketMQ).
 */
import * as path from 'node:path';
import {
  type Clock,
  type Logger,
  parseJavaJson,
  readConfigFile,
  type TimerHandle,
  writeConfigFileAtomically,
} from '../../common';
import { MessageConst, SCHEDULE_TOPIC, type MessageExt } from '../../message';
import { isStored, type MessageStore } from '../../store';

/** How often due messages are looked for (RocketMQ: 100 ms between empty scans). */
const TICK_MS = 100;
const BATCH = 32;

export interface ScheduleMessageServiceOptions {
  readonly store: MessageStore;
  readonly storePathRootDir: string;
  /** Delay of each level in ms, level 1 first. */
  readonly levelDelaysMs: readonly number[];
  readonly flushIntervalMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
}

export class ScheduleMessageService {
  readonly #options: ScheduleMessageServiceOptions;
  readonly #file: string;
  /** Next queue offset to deliver, per level (index = level - 1). */
  readonly #cursors: number[];
  #timer: TimerHandle | null = null;
  #lastPersistAt = 0;
  #isDirty = false;
  #isStopped = true;
  #running: Promise<void> | null = null;

  constructor(options: ScheduleMessageServiceOptions) {
    this.#options = options;
    this.#file = path.join(options.storePathRootDir, 'config', 'delayOffset.json');
    this.#cursors = options.levelDelaysMs.map(() => 0);
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
    for (const [level, queueOffset] of saved) if (level >= 1 && level <= this.#cursors.length) this.#cursors[level - 1] = queueOffset;
  }

  start(): void {
    if (!this.#isStopped) return;
    this.#isStopped = false;
    this.#lastPersistAt = this.#options.clock.now();
    this.#schedule();
  }

  /** Stops ticking, waits for a delivery in progress, persists the cursors. Idempotent. */
  async shutdown(): Promise<void> {
    this.#isStopped = true;
    this.#timer?.cancel();
    this.#timer = null;
    await this.#running;
    this.persist();
  }

  persist(): void {
    this.#isDirty = false;
    const offsetTable: Record<string, number> = {};
    this.#cursors.forEach((queueOffset, i) => { offsetTable[String(i + 1)] = queueOffset; });
    writeConfigFileAtomically(this.#file, JSON.stringify({ offsetTable }, null, 2));
  }

  /** One pass over every level; exposed for tests that drive time themselves. */
  async deliverDue(): Promise<number> {
    let delivered = 0;
    for (let level = 1; level <= this.#cursors.length; level++) delivered += await this.#deliverLevel(level);
    return delivered;
  }

  async #deliverLevel(level: number): Promise<number> {
    const { store, clock } = this.#options;
    const delayMs = this.#options.levelDelaysMs[level - 1] as number;
    const queueId = level - 1;
    let delivered = 0;
    for (;;) {
      const from = this.#cursors[queueId] as number;
      const result = store.getMessage(SCHEDULE_TOPIC, queueId, from, BATCH);
      if (result.status !== 'FOUND') {
        // Retention removed the head, or the cursor ran past a truncated queue: follow the store.
        if (result.status === 'OFFSET_TOO_SMALL' || result.status === 'OFFSET_OVERFLOW_BADLY') this.#advance(queueId, result.nextBeginOffset);
        return delivered;
      }
      for (const message of result.messages()) {
        if (message.storeTimestamp + delayMs > clock.now()) return delivered;
        if (!(await this.#deliver(message))) return delivered;
        this.#advance(queueId, message.queueOffset + 1);
        delivered++;
      }
      if (result.nextBeginOffset <= from) return delivered;
      this.#advance(queueId, Math.max(this.#cursors[queueId] as number, result.nextBeginOffset));
    }
  }

  /** Re-appends a due message to its real topic; false leaves it for the next tick. */
  async #deliver(message: MessageExt): Promise<boolean> {
    const properties = { ...message.properties };
    const topic = properties[MessageConst.REAL_TOPIC];
    const queueId = Number(properties[MessageConst.REAL_QID]);
    delete properties[MessageConst.DELAY];
    delete properties[MessageConst.TIMER_DELIVER_MS];
    delete properties[MessageConst.TIMER_DELAY_SEC];
    if (topic === undefined || !Number.isInteger(queueId) || queueId < 0) {
      // Not deliverable anywhere; skipping it keeps the level moving (logged, not silently dropped).
      this.#options.logger.error(`delayed message ${message.msgId} has no valid REAL_TOPIC/REAL_QID; skipped`);
      return true;
    }
    const result = await this.#options.store.putMessage({
      topic, queueId, body: message.body, flag: message.flag, properties, bornTimestamp: message.bornTimestamp,
      bornHost: message.bornHost, sysFlag: message.sysFlag, reconsumeTimes: message.reconsumeTimes,
    });
    if (!isStored(result.status)) {
      this.#options.logger.warn(`delivering delayed message ${message.msgId} to ${topic} failed: ${result.status}`);
      return false;
    }
    return true;
  }

  #advance(queueId: number, queueOffset: number): void {
    if (this.#cursors[queueId] !== queueOffset) {
      this.#cursors[queueId] = queueOffset;
      this.#isDirty = true;
    }
  }

  #schedule(): void {
    this.#timer = this.#options.clock.setTimer(() => {
      this.#running = this.#tick().finally(() => {
        this.#running = null;
        if (!this.#isStopped) this.#schedule();
      });
    }, TICK_MS);
  }

  async #tick(): Promise<void> {
    try {
      await this.deliverDue();
      const now = this.#options.clock.now();
      if (this.#isDirty && now - this.#lastPersistAt >= this.#options.flushIntervalMs) {
        this.#lastPersistAt = now;
        this.persist();
      }
    } catch (err) {
      // The cursors only move after a successful append; the next tick retries from there.
      this.#options.logger.error('delay-level delivery failed', err);
    }
  }
}

function parseDelayOffsets(text: string): Map<number, number> {
  const json = parseJavaJson(text) as { offsetTable?: Record<string, unknown> };
  if (typeof json !== 'object' || json === null || typeof json.offsetTable !== 'object' || json.offsetTable === null) {
    throw new Error('offsetTable is missing');
  }
  const out = new Map<number, number>();
  for (const [level, queueOffset] of Object.entries(json.offsetTable)) {
    if (!/^\d+$/.test(level) || typeof queueOffset !== 'number' || !Number.isSafeInteger(queueOffset) || queueOffset < 0) {
      throw new Error(`bad delay offset ${level}`);
    }
    out.set(Number(level), queueOffset);
  }
  return out;
}
