/**
 * The message a producer sends, and its validation at the call (Validators.checkMessage): topic
 * name rules, a non-empty body within maxMessageSize, reserved property names, tags and keys
 * without separators, a delay level in range. Bad input throws ERR_MESSAGE_ILLEGAL (Java's
 * Validators use MESSAGE_ILLEGAL too) before anything is sent.
 */
import { mqError } from '../../protocol/errors';
import { MessageConst } from '../../message/message-const';
import { propertiesProblem } from '../../message/properties-codec';
import { topicProblem } from '../../message/topic-validator';
import { messageLimitProblem } from './message-limits';

export interface Message {
  readonly topic: string;
  readonly body: Buffer | string;
  /** One tag, used by consumers' tag filters. */
  readonly tags?: string;
  /** Business keys, indexed by the broker for QUERY_MESSAGE; an array or a space-separated string. */
  readonly keys?: string | readonly string[];
  /** Delay level 1..18 (1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h); 0 = none. */
  readonly delayTimeLevel?: number;
  /**
   * 5.x timer message: deliver at this absolute time, ms since the epoch (TIMER_DELIVER_MS; Java
   * Message.setDeliverTimeMs). A time already past is delivered at once. At most one of
   * deliverTimeMs / delayTimeSec / delayTimeMs, and not with delayTimeLevel; the broker's
   * timerMaxDelaySec (3 days by default) bounds how far ahead.
   */
  readonly deliverTimeMs?: number;
  /** 5.x timer message: deliver this many seconds after the broker receives it (TIMER_DELAY_SEC; setDelayTimeSec). */
  readonly delayTimeSec?: number;
  /** 5.x timer message: deliver this many ms after the broker receives it (TIMER_DELAY_MS; setDelayTimeMs). */
  readonly delayTimeMs?: number;
  /** User flag, stored verbatim. */
  readonly flag?: number;
  /** Whether the broker should answer only after flush/replication (WAIT). Default true. */
  readonly waitStoreMsgOK?: boolean;
  /** User properties; names must not be reserved ones (TAGS, KEYS, UNIQ_KEY, DELAY, ...). */
  readonly properties?: Readonly<Record<string, string>>;
}

export const MAX_DELAY_LEVEL = 18;

/** Property names a user may not set through `properties` (MessageConst.STRING_HASH_SET). */
const RESERVED_PROPERTIES: ReadonlySet<string> = new Set(Object.values(MessageConst));

/**
 * System topics producers must not send to (TopicValidator's not-allowed-send set, plus TBW102 and
 * CHECKPOINT_TOPIC). RMQ_SYS_TRACE_TOPIC is writable: message-trace producers write to it.
 */
const SEND_FORBIDDEN_TOPICS: ReadonlySet<string> = new Set([
  'SCHEDULE_TOPIC_XXXX', 'SCHEDULE_TOPIC_XXXX_V2', 'RMQ_SYS_TRANS_HALF_TOPIC', 'RMQ_SYS_TRANS_OP_HALF_TOPIC', 'TRANS_CHECK_MAX_TIME_TOPIC',
  'SELF_TEST_TOPIC', 'OFFSET_MOVED_EVENT', 'CHECKPOINT_TOPIC', 'TBW102',
]);

export function messageError(message: string): Error {
  return mqError('ERR_MESSAGE_ILLEGAL', message);
}

/** Throws why a topic cannot be sent to. */
export function checkSendTopic(topic: unknown): asserts topic is string {
  const problem = topicProblem(topic);
  if (problem !== undefined) throw messageError(problem);
  const name = topic as string;
  if (SEND_FORBIDDEN_TOPICS.has(name) || name.startsWith('rmq_sys_')) throw messageError(`topic ${name} is a system topic; sending to it is not allowed`);
}

/** Validates `msg` and returns its body as a Buffer. */
export function checkMessage(msg: Message, maxMessageSize: number): Buffer {
  if (typeof msg !== 'object' || msg === null) throw messageError('the message must be an object');
  checkSendTopic(msg.topic);
  const body = typeof msg.body === 'string' ? Buffer.from(msg.body, 'utf8') : msg.body;
  if (!Buffer.isBuffer(body)) throw messageError('body must be a Buffer or a string');
  if (body.length === 0) throw messageError('body is empty');
  if (body.length > maxMessageSize) throw messageError(`body is ${body.length} bytes; the limit is ${maxMessageSize}`);
  if (msg.tags !== undefined && (typeof msg.tags !== 'string' || /[\u0001\u0002]/.test(msg.tags))) {
    throw messageError('tags must be a string without \\u0001 or \\u0002');
  }
  const keys = msg.keys === undefined ? undefined : keysText(msg.keys);
  if (msg.delayTimeLevel !== undefined &&
    (!Number.isInteger(msg.delayTimeLevel) || msg.delayTimeLevel < 0 || msg.delayTimeLevel > MAX_DELAY_LEVEL)) {
    throw messageError(`delayTimeLevel must be an integer 0..${MAX_DELAY_LEVEL}, got ${JSON.stringify(msg.delayTimeLevel)}`);
  }
  checkTimer(msg);
  if (msg.flag !== undefined && (!Number.isInteger(msg.flag) || msg.flag < -0x80000000 || msg.flag > 0x7fffffff)) {
    throw messageError(`flag must be an int32, got ${JSON.stringify(msg.flag)}`);
  }
  if (msg.properties !== undefined) {
    const problem = propertiesProblem(msg.properties);
    if (problem !== undefined) throw messageError(problem);
    for (const name in msg.properties) {
      if (RESERVED_PROPERTIES.has(name)) throw messageError(`property ${name} is reserved; use the message field instead`);
    }
  }
  const limit = messageLimitProblem(msg, keys);
  if (limit !== undefined) throw messageError(limit);
  return body;
}

/** KEYS as stored: keys joined by a space. */
export function keysText(keys: string | readonly string[]): string {
  const list = typeof keys === 'string' ? [keys] : keys;
  if (!Array.isArray(list) && typeof keys !== 'string') throw messageError('keys must be a string or an array of strings');
  for (const key of list) {
    if (typeof key !== 'string' || key === '' || /[\u0001\u0002]/.test(key)) {
      throw messageError('each key must be a non-empty string without \\u0001 or \\u0002');
    }
  }
  return list.join(' ');
}

const TIMER_FIELDS = [
  ['deliverTimeMs', MessageConst.TIMER_DELIVER_MS],
  ['delayTimeSec', MessageConst.TIMER_DELAY_SEC],
  ['delayTimeMs', MessageConst.TIMER_DELAY_MS],
] as const;

/** Whether the message asks for a delivery time (deliverTimeMs, delayTimeSec or delayTimeMs). */
export function hasTimer(msg: Message): boolean {
  return msg.deliverTimeMs !== undefined || msg.delayTimeSec !== undefined || msg.delayTimeMs !== undefined;
}

function checkTimer(msg: Message): void {
  if (!hasTimer(msg)) return;
  const set = TIMER_FIELDS.filter(([field]) => msg[field] !== undefined);
  if (set.length > 1) throw messageError(`set one of deliverTimeMs, delayTimeSec, delayTimeMs; got ${set.map(([f]) => f).join(' and ')}`);
  const [field] = set[0] as (typeof TIMER_FIELDS)[number];
  const value = msg[field];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw messageError(`${field} must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  if (msg.delayTimeLevel !== undefined && msg.delayTimeLevel > 0) throw messageError(`${field} cannot be combined with delayTimeLevel`);
}

/** `extra` plus the timer property the message asks for (the producer adds it to the wire properties). */
export function withTimerProperties(msg: Message, extra: Readonly<Record<string, string>> | undefined): Readonly<Record<string, string>> | undefined {
  if (!hasTimer(msg)) return extra;
  const out: Record<string, string> = { ...extra };
  for (const [field, name] of TIMER_FIELDS) if (msg[field] !== undefined) out[name] = String(msg[field]);
  return out;
}
