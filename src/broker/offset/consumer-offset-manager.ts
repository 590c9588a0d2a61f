/**
 * Committed consumer offsets: "topic@group" -> queueId -> queueOffset, persisted to
 * <storePathRootDir>/config/consumerOffset.json ({"offsetTable": {...}}, RocketMQ's layout) every
 * flush interval (off the event loop) and at shutdown, through temp file + rename so a crash keeps
 * the last good copy.
 * Keys are written quoted (standard JSON); Java's unquoted integer keys are accepted on load.
 */
import * as path from 'node:path';
import { type Clock, systemClock, type TimerHandle } from '../../common/clock';
import { AtomicFileWriter, parseJavaJson, readConfigFile, writeConfigFileAtomically } from '../../common/config-file';
import { type Logger, silentLogger } from '../../common/logger';

const TOPIC_GROUP_SEPARATOR = '@';

export interface ConsumerOffsetManagerOptions {
  readonly storePathRootDir: string;
  readonly flushIntervalMs: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

export class ConsumerOffsetManager {
  readonly #table = new Map<string, Map<number, number>>();
  readonly #file: string;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #flushIntervalMs: number;
  readonly #writer: AtomicFileWriter;
  #timer: TimerHandle | null = null;
  #isDirty = false;

  constructor(options: ConsumerOffsetManagerOptions) {
    this.#file = path.join(options.storePathRootDir, 'config', 'consumerOffset.json');
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#flushIntervalMs = options.flushIntervalMs;
    this.#writer = new AtomicFileWriter(this.#file, (err) => {
      // Keep the in-memory offsets and try again next tick; the failure is logged, not lost.
      this.#isDirty = true;
      this.#logger.error(`cannot persist consumer offsets to ${this.#file}`, err);
    });
  }

  get file(): string {
    return this.#file;
  }

  load(): void {
    const saved = readConfigFile(this.#file, parseOffsetFile);
    if (saved === undefined) return;
    for (const [key, queues] of saved) this.#table.set(key, queues);
  }

  /** Starts the periodic flush (RocketMQ flushConsumerOffsetInterval, 5 s). Idempotent. */
  start(): void {
    if (this.#timer !== null) return;
    const tick = (): void => {
      if (this.#isDirty) {
        this.#isDirty = false;
        this.#writer.save(this.encode());
      }
      this.#timer = this.#clock.setTimer(tick, this.#flushIntervalMs);
    };
    this.#timer = this.#clock.setTimer(tick, this.#flushIntervalMs);
  }

  /** Resolves when the periodic saves asked for so far have finished. */
  whenSaved(): Promise<void> {
    return this.#writer.idle();
  }

  /** Stops the timer, lets a periodic save finish, and writes once more. Idempotent. */
  async shutdown(): Promise<void> {
    this.#timer?.cancel();
    this.#timer = null;
    await this.whenSaved();
    this.persist();
  }

  commitOffset(group: string, topic: string, queueId: number, queueOffset: number): void {
    const key = topic + TOPIC_GROUP_SEPARATOR + group;
    let queues = this.#table.get(key);
    if (queues === undefined) {
      queues = new Map();
      this.#table.set(key, queues);
    }
    queues.set(queueId, queueOffset);
    this.#isDirty = true;
  }

  /** The committed offset, or -1 when none. */
  queryOffset(group: string, topic: string, queueId: number): number {
    return this.#table.get(topic + TOPIC_GROUP_SEPARATOR + group)?.get(queueId) ?? -1;
  }

  /** Groups with committed offsets on `topic`. */
  groupsOfTopic(topic: string): string[] {
    const groups: string[] = [];
    for (const key of this.#table.keys()) {
      const at = key.lastIndexOf(TOPIC_GROUP_SEPARATOR);
      if (key.slice(0, at) === topic) groups.push(key.slice(at + 1));
    }
    return groups;
  }

  /** Topics on which `group` has committed offsets. */
  topicsOfGroup(group: string): string[] {
    const topics: string[] = [];
    for (const key of this.#table.keys()) {
      const at = key.lastIndexOf(TOPIC_GROUP_SEPARATOR);
      if (key.slice(at + 1) === group) topics.push(key.slice(0, at));
    }
    return topics;
  }

  /** Writes now, on the caller's thread (shutdown, tests); the periodic saves go through the writer. */
  persist(): void {
    this.#isDirty = false;
    writeConfigFileAtomically(this.#file, this.encode());
  }

  encode(): string {
    const offsetTable: Record<string, Record<string, number>> = {};
    for (const key of [...this.#table.keys()].sort()) {
      const queues = this.#table.get(key) as Map<number, number>;
      offsetTable[key] = Object.fromEntries([...queues.entries()].sort((a, b) => a[0] - b[0]).map(([q, o]) => [String(q), o]));
    }
    return JSON.stringify({ offsetTable }, null, 2);
  }
}

function parseOffsetFile(text: string): Map<string, Map<number, number>> {
  const json = parseJavaJson(text) as { offsetTable?: Record<string, Record<string, unknown>> };
  if (typeof json !== 'object' || json === null || typeof json.offsetTable !== 'object' || json.offsetTable === null) {
    throw new Error('offsetTable is missing');
  }
  const table = new Map<string, Map<number, number>>();
  for (const [key, queues] of Object.entries(json.offsetTable)) {
    if (!key.includes(TOPIC_GROUP_SEPARATOR) || typeof queues !== 'object' || queues === null) throw new Error(`bad entry ${key}`);
    const map = new Map<number, number>();
    for (const [queueId, offset] of Object.entries(queues)) {
      if (!/^\d+$/.test(queueId) || typeof offset !== 'number' || !Number.isSafeInteger(offset)) throw new Error(`bad offset ${key}/${queueId}`);
      map.set(Number(queueId), offset);
    }
    table.set(key, map);
  }
  return table;
}
