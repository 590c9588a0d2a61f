/**
 * The SDK's early copy of the broker's message limits (the broker stays the authority): what a
 * producer would send is checked before any request, so an oversize or malformed message fails at
 * the call with ERR_MESSAGE_ILLEGAL and a reason, instead of a round trip.
 *
 * - Properties as sent (user properties, TAGS, KEYS, DELAY, WAIT, UNIQ_KEY) at most 32767 bytes,
 *   RocketMQ's Short.MAX_VALUE. The broker adds its CLUSTER property before storing and applies
 *   the same limit to the result, so the last few bytes below the limit can still be refused there.
 * - Tags without `|` (a subscription could never select such a tag: `||` separates tags there)
 *   and not blank; each key not blank and without a space inside an array of keys (the index would
 *   split it into two keys). Both at most 16 KiB, the RocketMQ 5 proxy's per-field limit.
 */
import { MessageConst } from '../../message/message-const';

export const MAX_PROPERTIES_BYTES = 32767;
export const MAX_TAG_OR_KEY_BYTES = 16 * 1024;
/** UNIQ_KEY's value is 32 hex characters. */
const UNIQ_KEY_VALUE_BYTES = 32;

export interface LimitedMessage {
  readonly tags?: string | undefined;
  readonly keys?: string | readonly string[] | undefined;
  readonly delayTimeLevel?: number | undefined;
  readonly waitStoreMsgOK?: boolean | undefined;
  readonly properties?: Readonly<Record<string, string>> | undefined;
}

function entryBytes(name: string, value: string): number {
  return Buffer.byteLength(name) + Buffer.byteLength(value) + 2;
}

/** WAIT and UNIQ_KEY, on every message. */
const WAIT_TRUE_BYTES = entryBytes(MessageConst.WAIT, 'true');
const WAIT_FALSE_BYTES = entryBytes(MessageConst.WAIT, 'false');
const UNIQ_KEY_BYTES = Buffer.byteLength(MessageConst.UNIQ_KEY) + UNIQ_KEY_VALUE_BYTES + 2;

/** The byte length of the properties text the producer will send for `msg` (send-request.ts). */
export function sentPropertiesBytes(msg: LimitedMessage, keysText: string | undefined): number {
  let bytes = 0;
  if (msg.properties !== undefined) for (const name in msg.properties) {
    const value = msg.properties[name];
    if (value !== undefined) bytes += entryBytes(name, value);
  }
  if (msg.tags !== undefined && msg.tags !== '') bytes += entryBytes(MessageConst.TAGS, msg.tags);
  if (keysText !== undefined) bytes += entryBytes(MessageConst.KEYS, keysText);
  if (msg.delayTimeLevel !== undefined && msg.delayTimeLevel > 0) bytes += entryBytes(MessageConst.DELAY, String(msg.delayTimeLevel));
  return bytes + (msg.waitStoreMsgOK === false ? WAIT_FALSE_BYTES : WAIT_TRUE_BYTES) + UNIQ_KEY_BYTES;
}

/** Why `msg` breaks a limit, or undefined. Tags and keys must already be strings. */
export function messageLimitProblem(msg: LimitedMessage, keysText: string | undefined): string | undefined {
  if (msg.tags !== undefined) {
    if (msg.tags.trim() === '' && msg.tags !== '') return 'tags must not be blank';
    if (msg.tags.includes('|')) return `tags must not contain '|' (subscriptions use '||' between tags): ${JSON.stringify(msg.tags.slice(0, 64))}`;
    if (Buffer.byteLength(msg.tags) > MAX_TAG_OR_KEY_BYTES) return `tags are ${Buffer.byteLength(msg.tags)} bytes; the limit is ${MAX_TAG_OR_KEY_BYTES}`;
  }
  if (msg.keys !== undefined) {
    const list = typeof msg.keys === 'string' ? [msg.keys] : msg.keys;
    for (const key of list) {
      if (key.trim() === '') return 'keys must not be blank';
      if (typeof msg.keys !== 'string' && /\s/.test(key)) return `key ${JSON.stringify(key.slice(0, 64))} contains whitespace; it would be indexed as several keys`;
      if (Buffer.byteLength(key) > MAX_TAG_OR_KEY_BYTES) return `a key is ${Buffer.byteLength(key)} bytes; the limit is ${MAX_TAG_OR_KEY_BYTES}`;
    }
  }
  const bytes = sentPropertiesBytes(msg, keysText);
  if (bytes > MAX_PROPERTIES_BYTES) return `the message properties are ${bytes} bytes encoded; the limit is ${MAX_PROPERTIES_BYTES}`;
  return undefined;
}
