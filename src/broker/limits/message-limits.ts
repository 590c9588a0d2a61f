/**
 * The broker's message limits beyond what the store checks per message (body up to
 * maxMessageSize, stored properties up to 32767 bytes): which system topics producers may not
 * write to, and what a batch may be. The broker is the authority; the SDK checks the same rules
 * earlier (src/client/producer/message-limits.ts) for a clearer error.
 *
 * - Send-forbidden topics are RocketMQ's TopicValidator NOT_ALLOWED_SEND_TOPIC_SET plus the
 *   `rmq_sys_` prefix; RMQ_SYS_TRACE_TOPIC and TBW102 stay writable (trace clients write the former).
 * - A batch (one topic by construction: its header names it) is refused MESSAGE_ILLEGAL when its
 *   encoded body exceeds maxMessageSize (Apache checks the batch body the same way), when it is
 *   sent to a %RETRY% topic, when the batch itself carries a delay level (Apache), or when an inner
 *   message does (stricter than Apache, which stores such a message at once and silently ignores
 *   its delay).
 */
import { MessageConst } from '../../message/message-const';
import { findProperty } from '../../message/properties-codec';

const SEND_FORBIDDEN_TOPICS: ReadonlySet<string> = new Set([
  'SCHEDULE_TOPIC_XXXX', 'SCHEDULE_TOPIC_XXXX_V2', 'RMQ_SYS_TRANS_HALF_TOPIC', 'RMQ_SYS_TRANS_OP_HALF_TOPIC',
  'TRANS_CHECK_MAX_TIME_TOPIC', 'SELF_TEST_TOPIC', 'OFFSET_MOVED_EVENT',
]);
const SYSTEM_TOPIC_PREFIX = 'rmq_sys_';
const RETRY_TOPIC_PREFIX = '%RETRY%';

/** Whether producers are refused (NO_PERMISSION) when they send to `topic`. */
export function isSendForbiddenTopic(topic: string): boolean {
  return SEND_FORBIDDEN_TOPICS.has(topic) || topic.startsWith(SYSTEM_TOPIC_PREFIX);
}

export interface BatchToCheck {
  readonly topic: string;
  /** The batch request's own properties (header). */
  readonly properties: string;
  /** The encoded batch body as received. */
  readonly bodyLength: number;
  /** Each inner message's properties text. */
  readonly innerProperties: readonly string[];
}

/** Why the batch must be refused MESSAGE_ILLEGAL, or undefined. */
export function batchProblem(batch: BatchToCheck, maxMessageSize: number): string | undefined {
  if (batch.topic.length > 127) return `message topic length too long ${batch.topic.length}`;
  if (batch.topic.startsWith(RETRY_TOPIC_PREFIX)) return `batch request does not support retry group ${batch.topic}`;
  if (batch.bodyLength > maxMessageSize) return `the batch body is ${batch.bodyLength} bytes; maxMessageSize is ${maxMessageSize}`;
  if (hasDelay(batch.properties)) return 'a batch cannot have a delay level';
  for (let i = 0; i < batch.innerProperties.length; i++) {
    if (hasDelay(batch.innerProperties[i]!)) return `message ${i} of the batch has a delay level; delayed messages cannot be batched`;
  }
  return undefined;
}

function hasDelay(properties: string): boolean {
  const level = findProperty(properties, MessageConst.DELAY);
  return level !== undefined && Number(level) > 0;
}
