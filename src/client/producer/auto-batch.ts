/**
 * Auto-batching (the `autoBatch` switch of RocketMQ 5's producer): plain sends of one topic made in
 * the same callback travel as one batch request, and each caller still gets its own SendResult.
 * Unlike Java's accumulator there is no linger timer: a batch holds only what was sent before the
 * current callback returned (flushed with process.nextTick), so a lone send leaves as quickly as it
 * would without batching and a burst (many sends in flight) shares one request per `maxBytes`.
 *
 * A batch is stored atomically at consecutive offsets of one queue; its failure fails (or retries)
 * every message in it together. Callers only hand over messages a batch may carry: no queue choice,
 * no delay level, not a retry topic, not compressed.
 */
import type { PreparedMessage } from './send-request';
import type { SendResult } from './send-result';

/** Bytes one message adds to a batch body besides its body and properties (batch-body.ts). */
const ENTRY_OVERHEAD_BYTES = 22;

export interface BatchedSend {
  readonly prepared: PreparedMessage;
  readonly timeoutMs: number;
}

/** Sends one message alone, or several as one batch whose result lists every id comma-separated. */
export interface BatchSender {
  sendSingle(topic: string, send: BatchedSend): Promise<SendResult>;
  sendBatch(topic: string, sends: readonly BatchedSend[], timeoutMs: number): Promise<SendResult>;
}

interface Waiting extends BatchedSend {
  readonly resolve: (result: SendResult) => void;
  readonly reject: (err: unknown) => void;
}

interface TopicBatch {
  sends: Waiting[];
  bytes: number;
}

export class SendAccumulator {
  readonly #maxBytes: number;
  readonly #sender: BatchSender;
  readonly #topics = new Map<string, TopicBatch>();
  #isFlushScheduled = false;

  constructor(maxBytes: number, sender: BatchSender) {
    this.#maxBytes = maxBytes;
    this.#sender = sender;
  }

  add(topic: string, send: BatchedSend): Promise<SendResult> {
    return new Promise<SendResult>((resolve, reject) => {
      const bytes = send.prepared.body.length + Buffer.byteLength(send.prepared.properties) + ENTRY_OVERHEAD_BYTES;
      let batch = this.#topics.get(topic);
      if (batch !== undefined && batch.bytes + bytes > this.#maxBytes) {
        this.#topics.delete(topic);
        this.#send(topic, batch.sends);
        batch = undefined;
      }
      if (batch === undefined) {
        batch = { sends: [], bytes: 0 };
        this.#topics.set(topic, batch);
      }
      batch.sends.push({ prepared: send.prepared, timeoutMs: send.timeoutMs, resolve, reject });
      batch.bytes += bytes;
      if (!this.#isFlushScheduled) {
        this.#isFlushScheduled = true;
        process.nextTick(flushAccumulator, this);
      }
    });
  }

  /** Sends everything waiting now. */
  flush(): void {
    this.#isFlushScheduled = false;
    for (const [topic, batch] of this.#topics) this.#send(topic, batch.sends);
    this.#topics.clear();
  }

  #send(topic: string, sends: Waiting[]): void {
    if (sends.length === 1) {
      const only = sends[0] as Waiting;
      this.#sender.sendSingle(topic, only).then(only.resolve, only.reject);
      return;
    }
    let timeoutMs = Number.POSITIVE_INFINITY;
    for (const s of sends) timeoutMs = Math.min(timeoutMs, s.timeoutMs);
    this.#sender.sendBatch(topic, sends, timeoutMs).then(
      (result) => settleEach(sends, result),
      (err: unknown) => {
        for (const s of sends) s.reject(err);
      },
    );
  }
}

function flushAccumulator(accumulator: SendAccumulator): void {
  accumulator.flush();
}

/** One batch result becomes one result per message: its own ids, its own queue offset. */
function settleEach(sends: readonly Waiting[], result: SendResult): void {
  const offsetIds = result.offsetMsgId.split(',');
  for (let i = 0; i < sends.length; i++) {
    const s = sends[i] as Waiting;
    s.resolve({
      sendStatus: result.sendStatus,
      msgId: s.prepared.msgId,
      offsetMsgId: offsetIds[i] ?? '',
      messageQueue: result.messageQueue,
      queueOffset: result.queueOffset + i,
      regionId: result.regionId,
    });
  }
}

/** Whether a prepared send may ride in an automatic batch (see the module comment). */
export function isBatchable(topic: string, prepared: PreparedMessage, delayTimeLevel: number | undefined): boolean {
  return (delayTimeLevel === undefined || delayTimeLevel <= 0)
    && !topic.startsWith('%RETRY%') // brokers refuse batches to retry topics
    && prepared.sysFlag === 0;
}
