/**
 * Consumer progress per queue. Clustering keeps it on the broker (RemoteBrokerOffsetStore: held in
 * memory, committed with UPDATE_CONSUMER_OFFSET every 5 s and at shutdown, read with
 * QUERY_CONSUMER_OFFSET); broadcasting keeps it on this machine (LocalFileOffsetStore: one JSON file
 * per group, replaced atomically so a crash leaves the old or the new file, never half of one).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { AtomicFileWriter, readConfigFile } from '../../common/config-file';
import { responseError } from '../../protocol/errors';
import { createRequest } from '../../protocol/remoting-command';
import { RequestCode } from '../../protocol/request-code';
import { ResponseCode } from '../../protocol/response-code';
import type { ConsumerClient } from './consumer-client';
import { queueKey, type MessageQueue } from './consumer-types';

export interface OffsetStore {
  /** Loads stored state (local files); a no-op for the broker store. */
  load(): Promise<void>;
  /** Records progress in memory. `increaseOnly` keeps a later, higher value from being overwritten. */
  update(mq: MessageQueue, offset: number, increaseOnly: boolean): void;
  /** The in-memory value only (no request); -1 when there is none. */
  readMemory(mq: MessageQueue): number;
  /** The in-memory value, else the stored one; -1 when there is none. */
  read(mq: MessageQueue, source: 'memory' | 'store'): Promise<number>;
  /** Writes the in-memory values of `queues` to where they are kept. */
  persistAll(queues: readonly MessageQueue[]): Promise<void>;
  /** Forgets a queue (after it was rebalanced away and persisted). */
  remove(mq: MessageQueue): void;
}

interface Entry {
  readonly mq: MessageQueue;
  offset: number;
}

abstract class MemoryOffsets {
  protected readonly entries = new Map<string, Entry>();

  update(mq: MessageQueue, offset: number, increaseOnly: boolean): void {
    if (offset < 0) return;
    const key = queueKey(mq);
    const entry = this.entries.get(key);
    if (entry === undefined) this.entries.set(key, { mq, offset });
    else if (!increaseOnly || offset > entry.offset) entry.offset = offset;
  }

  remove(mq: MessageQueue): void {
    this.entries.delete(queueKey(mq));
  }

  readMemory(mq: MessageQueue): number {
    return this.memory(mq);
  }

  protected memory(mq: MessageQueue): number {
    return this.entries.get(queueKey(mq))?.offset ?? -1;
  }
}

export class RemoteBrokerOffsetStore extends MemoryOffsets implements OffsetStore {
  readonly #client: ConsumerClient;
  readonly #group: string;

  constructor(client: ConsumerClient, group: string) {
    super();
    this.#client = client;
    this.#group = group;
  }

  async load(): Promise<void> {
    // Offsets live on the broker; nothing to load.
  }

  async read(mq: MessageQueue, source: 'memory' | 'store'): Promise<number> {
    if (source === 'memory') {
      const inMemory = this.memory(mq);
      if (inMemory >= 0) return inMemory;
    }
    const response = await this.#client.invoke(mq.brokerName, createRequest(RequestCode.QUERY_CONSUMER_OFFSET, {
      consumerGroup: this.#group, topic: mq.topic, queueId: String(mq.queueId), setZeroIfNotFound: 'false',
    }));
    if (response.code === ResponseCode.QUERY_NOT_FOUND) return -1;
    if (response.code !== ResponseCode.SUCCESS) throw responseError(response.code, response.remark);
    const offset = Number(response.extFields['offset'] ?? '-1');
    if (offset >= 0) this.update(mq, offset, false);
    return offset;
  }

  async persistAll(queues: readonly MessageQueue[]): Promise<void> {
    const failures: unknown[] = [];
    await Promise.all(queues.map(async (mq) => {
      const offset = this.memory(mq);
      if (offset < 0) return;
      try {
        const response = await this.#client.invoke(mq.brokerName, createRequest(RequestCode.UPDATE_CONSUMER_OFFSET, {
          consumerGroup: this.#group, topic: mq.topic, queueId: String(mq.queueId), commitOffset: String(offset),
        }));
        if (response.code !== ResponseCode.SUCCESS) throw responseError(response.code, response.remark);
      } catch (err) {
        failures.push(err);
      }
    }));
    if (failures.length > 0) throw new AggregateError(failures, `${failures.length} offset commit(s) failed for group ${this.#group}`);
  }
}

/** Default directory of broadcasting offsets: ~/.cometmq/offsets. */
export function defaultOffsetDir(): string {
  return join(homedir(), '.cometmq', 'offsets');
}

/** File format: {"offsetTable":{"<topic>@<broker>@<queueId>":{"topic":..,"brokerName":..,"queueId":..,"offset":..}}}. */
export class LocalFileOffsetStore extends MemoryOffsets implements OffsetStore {
  readonly #file: string;
  readonly #dir: string;
  /** Saves off the event loop: a synchronous fsync could stall consumption under heavy writeback. */
  readonly #writer: AtomicFileWriter;
  #saveError: Error | undefined;

  constructor(dir: string, clientName: string, group: string) {
    super();
    this.#dir = join(dir, clientName);
    this.#file = join(this.#dir, `${encodeURIComponent(group)}.json`);
    this.#writer = new AtomicFileWriter(this.#file, (err) => {
      this.#saveError = err;
    });
  }

  get file(): string {
    return this.#file;
  }

  async load(): Promise<void> {
    type Stored = { offsetTable?: Record<string, MessageQueue & { offset: number }> };
    const json = readConfigFile(this.#file, (text) => JSON.parse(text) as Stored);
    for (const entry of Object.values(json?.offsetTable ?? {})) {
      const { offset, ...mq } = entry;
      this.update(mq, offset, false);
    }
  }

  async read(mq: MessageQueue): Promise<number> {
    // The file is loaded at start, so memory is the store.
    return this.memory(mq);
  }

  async persistAll(): Promise<void> {
    const offsetTable: Record<string, MessageQueue & { offset: number }> = {};
    for (const [key, entry] of this.entries) offsetTable[key] = { ...entry.mq, offset: entry.offset };
    this.#writer.save(JSON.stringify({ offsetTable }, null, 2));
    await this.#writer.idle();
    const error = this.#saveError;
    this.#saveError = undefined;
    if (error !== undefined) throw error;
  }
}
