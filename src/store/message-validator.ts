/**
 * Checks a MessageToStore before anything is encoded. Returns the reason it is illegal, or
 * undefined. Cheap by design: it runs for every message on the put path.
 */
import type { MessageToStore } from '../message/message-types';
import { topicProblem } from '../message/topic-validator';

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

function isInt32(value: unknown): boolean {
  return typeof value === 'number' && (value | 0) === value;
}

function isNonNegativeSafeInteger(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

export class MessageValidator {
  readonly #maxMessageSize: number;
  /** Topics already found valid (bounded: cleared when it grows past the limit). */
  readonly #validTopics = new Set<string>();

  constructor(maxMessageSize: number) {
    this.#maxMessageSize = maxMessageSize;
  }

  problem(msg: MessageToStore): string | undefined {
    if (typeof msg !== 'object' || msg === null) return 'message must be an object';
    const topic = msg.topic;
    if (!this.#validTopics.has(topic)) {
      const why = topicProblem(topic);
      if (why !== undefined) return why;
      if (this.#validTopics.size >= 4096) this.#validTopics.clear();
      this.#validTopics.add(topic);
    }
    const queueId = msg.queueId;
    if (!isInt32(queueId) || queueId < 0) return `queueId must be an integer in [0, ${INT32_MAX}], got ${String(queueId)}`;
    const body: unknown = msg.body;
    if (!(body instanceof Uint8Array)) return 'body must be a Buffer';
    if (body.length > this.#maxMessageSize) return `body is ${body.length} bytes, maxMessageSize is ${this.#maxMessageSize}`;
    if (msg.flag !== undefined && !isInt32(msg.flag)) return `flag must be an int32, got ${String(msg.flag)}`;
    if (msg.sysFlag !== undefined && !isInt32(msg.sysFlag)) return `sysFlag must be an int32, got ${String(msg.sysFlag)}`;
    if (msg.reconsumeTimes !== undefined && (!isInt32(msg.reconsumeTimes) || msg.reconsumeTimes < 0)) {
      return `reconsumeTimes must be a non-negative int32, got ${String(msg.reconsumeTimes)}`;
    }
    if (msg.bornTimestamp !== undefined && !isNonNegativeSafeInteger(msg.bornTimestamp)) {
      return `bornTimestamp must be a non-negative integer, got ${String(msg.bornTimestamp)}`;
    }
    if (msg.preparedTransactionOffset !== undefined && !isNonNegativeSafeInteger(msg.preparedTransactionOffset)) {
      return `preparedTransactionOffset must be a non-negative integer, got ${String(msg.preparedTransactionOffset)}`;
    }
    return undefined;
  }
}

export { INT32_MIN, INT32_MAX };
