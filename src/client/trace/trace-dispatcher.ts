/**
 * The asynchronous trace dispatcher (AsyncTraceDispatcher): hooks append records to a bounded
 * queue and return at once; records leave in batches (up to batchSize records, at most
 * maxBatchBytes of trace text) as messages on the trace topic, sent by a producer of its own with
 * a bounded number of sends in flight. Trace is best effort by design: a full queue drops the new
 * records, a failed trace send loses its batch, and both are only counted — a business send or
 * consume never waits for, or fails because of, its trace.
 */
import { silentLogger, type Logger } from '../../common/logger';
import type { Message } from '../producer/message';
import type { ProducerOptions } from '../producer/producer-options';
import { encodeTraceRecord, traceKeys, type TraceRecord } from './trace-codec';

export const DEFAULT_TRACE_TOPIC = 'RMQ_SYS_TRACE_TOPIC';

/** What the dispatcher needs of a producer (a Producer; injected to keep imports one-way). */
export interface TraceSender {
  start(): Promise<void>;
  send(msg: Message): Promise<unknown>;
  shutdown(): Promise<void>;
}

export interface TraceDispatcherOptions {
  readonly traceTopic: string;
  /** Options of the dispatcher's own producer (its group, name servers, client settings). */
  readonly producerOptions: ProducerOptions;
  readonly createSender: (options: ProducerOptions) => TraceSender;
  /** Records waiting to be sent at most; past it new records are dropped. Default 2048. */
  readonly maxQueuedRecords?: number;
  /** Records per trace message at most. Default 20. */
  readonly batchSize?: number;
  /** Trace text per message at most, bytes. Default 128,000 (as Java). */
  readonly maxBatchBytes?: number;
  /** How long a partial batch waits for more records, ms. Default 100. */
  readonly flushIntervalMs?: number;
  /** Trace messages being sent at once at most. Default 2. */
  readonly maxInFlight?: number;
  readonly logger?: Logger;
}

export interface TraceStats {
  /** Records handed to append(). */
  readonly appended: number;
  /** Records in trace messages the broker stored. */
  readonly sent: number;
  /** Records refused because the queue was full (or the dispatcher stopped). */
  readonly dropped: number;
  /** Records lost with a failed trace send. */
  readonly failed: number;
  readonly queued: number;
}

/** Trace keys beyond this many characters go into the next message (the KEYS property must stay small). */
const MAX_KEYS_CHARS = 16 * 1024;

export class TraceDispatcher {
  readonly #o: Required<Omit<TraceDispatcherOptions, 'logger'>>;
  readonly #logger: Logger;
  readonly #sender: TraceSender;
  readonly #queue: Array<{ record: TraceRecord; text: string }> = [];
  readonly #inFlight = new Set<Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #state: 'created' | 'running' | 'stopped' = 'created';
  #appended = 0;
  #sent = 0;
  #dropped = 0;
  #failed = 0;

  constructor(options: TraceDispatcherOptions) {
    this.#o = {
      traceTopic: options.traceTopic,
      producerOptions: options.producerOptions,
      createSender: options.createSender,
      maxQueuedRecords: options.maxQueuedRecords ?? 2048,
      batchSize: options.batchSize ?? 20,
      maxBatchBytes: options.maxBatchBytes ?? 128_000,
      flushIntervalMs: options.flushIntervalMs ?? 100,
      maxInFlight: options.maxInFlight ?? 2,
    };
    this.#logger = options.logger ?? silentLogger;
    this.#sender = options.createSender(options.producerOptions);
  }

  get traceTopic(): string {
    return this.#o.traceTopic;
  }

  get stats(): TraceStats {
    return { appended: this.#appended, sent: this.#sent, dropped: this.#dropped, failed: this.#failed, queued: this.#queue.length };
  }

  async start(): Promise<void> {
    if (this.#state !== 'created') return;
    await this.#sender.start();
    this.#state = 'running';
  }

  /** Queues records for sending; never blocks, never throws. False when they were dropped. */
  append(records: readonly TraceRecord[]): boolean {
    this.#appended += records.length;
    if (this.#state !== 'running' || this.#queue.length + records.length > this.#o.maxQueuedRecords) {
      this.#dropped += records.length;
      return false;
    }
    for (const record of records) this.#queue.push({ record, text: encodeTraceRecord(record) });
    this.#pump();
    return true;
  }

  /** Sends everything queued now and waits for every trace send in flight (tests, shutdown). */
  async flush(): Promise<void> {
    while (this.#queue.length > 0 || this.#inFlight.size > 0) {
      this.#pump(true);
      if (this.#inFlight.size > 0) await Promise.race(this.#inFlight);
    }
  }

  /** Sends what is queued (waiting at most `timeoutMs`), then stops the dispatcher's producer. */
  async shutdown(timeoutMs = 3000): Promise<void> {
    if (this.#state === 'stopped') return;
    const wasRunning = this.#state === 'running';
    this.#state = 'stopped';
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (wasRunning) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs); });
      await Promise.race([this.flush(), deadline]);
      clearTimeout(timer);
    }
    this.#dropped += this.#queue.length;
    this.#queue.length = 0;
    await this.#sender.shutdown().catch((err: Error) => this.#logger.warn(`trace producer shutdown: ${err.message}`));
  }

  /** Starts sends while slots are free: full batches at once, a partial one after flushIntervalMs. */
  #pump(force = false): void {
    while (this.#queue.length > 0 && this.#inFlight.size < this.#o.maxInFlight) {
      if (!force && this.#queue.length < this.#o.batchSize) {
        this.#timer ??= setTimeout(() => {
          this.#timer = undefined;
          this.#pump(true);
        }, this.#o.flushIntervalMs).unref();
        return;
      }
      this.#sendBatch(this.#takeBatch());
    }
  }

  #takeBatch(): Array<{ record: TraceRecord; text: string }> {
    const batch: Array<{ record: TraceRecord; text: string }> = [];
    let bytes = 0;
    let keyChars = 0;
    while (this.#queue.length > 0 && batch.length < this.#o.batchSize) {
      const next = this.#queue[0]!;
      const size = Buffer.byteLength(next.text);
      const keys = next.record.msgId.length + next.record.keys.length + 2;
      if (batch.length > 0 && (bytes + size > this.#o.maxBatchBytes || keyChars + keys > MAX_KEYS_CHARS)) break;
      this.#queue.shift();
      batch.push(next);
      bytes += size;
      keyChars += keys;
    }
    return batch;
  }

  #sendBatch(batch: Array<{ record: TraceRecord; text: string }>): void {
    const body = batch.map((b) => b.text).join('');
    const records = batch.map((b) => b.record);
    const keys = traceKeys(records);
    // Through a promise first: even a sender that throws synchronously only loses this batch.
    const task: Promise<void> = Promise.resolve()
      .then(() => this.#sender.send({ topic: this.#o.traceTopic, body, ...(keys.length > 0 ? { keys } : {}) }))
      .then(() => { this.#sent += records.length; })
      .catch((err: Error) => {
        this.#failed += records.length;
        this.#logger.warn(`trace send of ${records.length} record(s) to ${this.#o.traceTopic} failed: ${err.message}`);
      })
      .finally(() => {
        this.#inFlight.delete(task);
        if (this.#state === 'running') this.#pump();
      });
    this.#inFlight.add(task);
  }
}
