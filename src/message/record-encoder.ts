/**
 * Encodes a MessageToStore into the stored-record layout (record-layout.ts), straight into a
 * caller-supplied (pooled) Buffer at an offset. It writes every field except the four the native
 * append fills (BODYCRC, QUEUEOFFSET, PHYSICALOFFSET, STORETIMESTAMP), which are left zero unless
 * `nativeFields` is given (tests and tools that build complete records).
 *
 * The hot path allocates nothing per message beyond the properties string: store-host bytes are
 * precomputed, topic byte lengths and the last born host are cached.
 */
import { MqError } from '../common/mq-error';
import { typedArraySet, utf8Write } from '../common/raw-buffer';
import type { MessageToStore, SocketAddress } from './message-types';
import { encodeProperties } from './properties-codec';
import {
  MAX_PROPERTIES_LENGTH,
  MAX_V1_TOPIC_LENGTH,
  MESSAGE_MAGIC_CODE,
  MESSAGE_MAGIC_CODE_V2,
  RECORD_LAYOUT,
  recordLength,
} from './record-layout';
import { encodeSocketAddress } from './socket-address';

/** The fields native code assigns, for building complete records outside the store. */
export interface NativeRecordFields {
  readonly bodyCRC: number;
  readonly queueOffset: number;
  readonly physicalOffset: number;
  readonly storeTimestamp: number;
}

const HOST_V6_FLAGS = RECORD_LAYOUT.SYSFLAG_BORNHOST_V6 | RECORD_LAYOUT.SYSFLAG_STOREHOST_V6;
const DEFAULT_BORN_HOST: SocketAddress = Object.freeze({ address: '127.0.0.1', port: 0 });
const MAX_TOPIC_CACHE = 4096;

export class RecordEncoder {
  readonly #storeHostBytes: Buffer;
  readonly #storeHostFlag: number;
  readonly #defaultBornHostBytes: Buffer;
  #lastBornHost: SocketAddress | undefined;
  #lastBornHostBytes: Buffer;
  /** UTF-8 bytes of recently used topics (a topic is written once per message). */
  readonly #topicBytes = new Map<string, Buffer>();
  /** Byte length of the properties of the last encode() call (also when it was refused). */
  lastPropertiesLength = 0;

  constructor(storeHost: SocketAddress) {
    this.#storeHostBytes = encodeSocketAddress(storeHost);
    this.#storeHostFlag = this.#storeHostBytes.length === 20 ? RECORD_LAYOUT.SYSFLAG_STOREHOST_V6 : 0;
    this.#defaultBornHostBytes = encodeSocketAddress(DEFAULT_BORN_HOST);
    this.#lastBornHostBytes = this.#defaultBornHostBytes;
  }

  /** Upper bound of the encoded size (properties counted at 3 bytes per UTF-16 unit). */
  maxEncodedLength(msg: MessageToStore, properties: string): number {
    return recordLength(msg.body.length, this.topicLength(msg.topic), properties.length * 3, true, true);
  }

  topicLength(topic: string): number {
    return this.#topicBytesOf(topic).length;
  }

  #lastTopic = '';
  #lastTopicBytes: Buffer = Buffer.alloc(0);

  #topicBytesOf(topic: string): Buffer {
    // Consecutive messages usually share a topic: skip the map lookup then.
    if (topic === this.#lastTopic) return this.#lastTopicBytes;
    let bytes = this.#topicBytes.get(topic);
    if (bytes === undefined) {
      bytes = Buffer.from(topic, 'utf8');
      if (this.#topicBytes.size >= MAX_TOPIC_CACHE) this.#topicBytes.clear();
      this.#topicBytes.set(topic, bytes);
    }
    this.#lastTopic = topic;
    this.#lastTopicBytes = bytes;
    return bytes;
  }

  /** Throws ERR_INVALID_ADDRESS for a malformed born host (callers turn it into MESSAGE_ILLEGAL). */
  bornHostBytes(bornHost: SocketAddress | undefined): Buffer {
    if (bornHost === undefined) return this.#defaultBornHostBytes;
    if (bornHost !== this.#lastBornHost) {
      this.#lastBornHostBytes = encodeSocketAddress(bornHost);
      this.#lastBornHost = bornHost;
    }
    return this.#lastBornHostBytes;
  }

  /**
   * Writes the record at `offset`; `target` must have maxEncodedLength() bytes free there.
   * Returns the record length, or -1 when the properties exceed 32767 bytes (see
   * lastPropertiesLength); the bytes written so far are then garbage the caller discards.
   * Without `nativeFields`, the four native-owned fields are not written at all (the native
   * append overwrites them), which keeps the hot path short.
   */
  encode(target: Buffer, offset: number, msg: MessageToStore, properties: string, bornTimestamp: number, nativeFields?: NativeRecordFields): number {
    const bornHost = this.bornHostBytes(msg.bornHost);
    const topic = this.#topicBytesOf(msg.topic);
    const topicLength = topic.length;
    const body = msg.body;
    const sysFlag = ((msg.sysFlag ?? 0) & ~HOST_V6_FLAGS) | (bornHost.length === 20 ? RECORD_LAYOUT.SYSFLAG_BORNHOST_V6 : 0) | this.#storeHostFlag;
    const view = this.#viewOf(target);

    view.setInt32(offset + 4, topicLength > MAX_V1_TOPIC_LENGTH ? MESSAGE_MAGIC_CODE_V2 : MESSAGE_MAGIC_CODE);
    view.setInt32(offset + 12, msg.queueId);
    view.setInt32(offset + 16, msg.flag ?? 0);
    view.setInt32(offset + 36, sysFlag);
    setInt64(view, offset + 40, bornTimestamp);
    let pos = offset + 48;
    pos += copySmall(bornHost, target, pos);
    const storeTimestampAt = pos;
    pos += 8;
    pos += copySmall(this.#storeHostBytes, target, pos);
    view.setInt32(pos, msg.reconsumeTimes ?? 0);
    setInt64(view, pos + 4, msg.preparedTransactionOffset ?? 0);
    view.setInt32(pos + 12, body.length);
    pos += 16;
    typedArraySet.call(target, body, pos);
    pos += body.length;
    if (topicLength > MAX_V1_TOPIC_LENGTH) {
      view.setUint16(pos, topicLength);
      pos += 2;
    } else {
      target[pos++] = topicLength;
    }
    pos += topicLength <= 64 ? copySmall(topic, target, pos) : topic.copy(target, pos);
    const propertiesLength = properties.length === 0 ? 0 : utf8Write.call(target, properties, pos + 2, target.length - pos - 2);
    this.lastPropertiesLength = propertiesLength;
    if (propertiesLength > MAX_PROPERTIES_LENGTH) return -1;
    view.setUint16(pos, propertiesLength);
    pos += 2 + propertiesLength;
    const total = pos - offset;
    view.setInt32(offset, total);
    if (nativeFields !== undefined) {
      view.setInt32(offset + 8, nativeFields.bodyCRC);
      setInt64(view, offset + 20, nativeFields.queueOffset);
      setInt64(view, offset + 28, nativeFields.physicalOffset);
      setInt64(view, storeTimestampAt, nativeFields.storeTimestamp);
    }
    return total;
  }

  #lastTarget: Buffer | undefined;
  #lastView: DataView | undefined;

  /** One DataView per pooled buffer (V8 inlines DataView accessors; Buffer#write* are slower). */
  #viewOf(target: Buffer): DataView {
    if (target !== this.#lastTarget || this.#lastView === undefined) {
      this.#lastView = new DataView(target.buffer, target.byteOffset, target.length);
      this.#lastTarget = target;
    }
    return this.#lastView;
  }
}

const TWO_32 = 0x1_0000_0000;

function setInt64(view: DataView, position: number, value: number): void {
  const high = Math.floor(value / TWO_32);
  view.setInt32(position, high);
  view.setUint32(position + 4, value - high * TWO_32);
}

/** Hosts (8/20 bytes) and topics are short: a loop beats Buffer#copy's argument handling. */
function copySmall(source: Buffer, target: Buffer, position: number): number {
  for (let i = 0; i < source.length; i++) target[position + i] = source[i] as number;
  return source.length;
}

/** Size of the record `msg` encodes to with `storeHost`. */
export function recordSize(msg: MessageToStore, storeHost: SocketAddress = DEFAULT_BORN_HOST): number {
  const properties = encodeProperties(msg.properties);
  const bornV6 = (msg.bornHost?.address ?? '').includes(':');
  return recordLength(msg.body.length, Buffer.byteLength(msg.topic), Buffer.byteLength(properties), bornV6, storeHost.address.includes(':'));
}

/**
 * Convenience form (tests, tools): encodes `msg` into `target` at `offset` and returns the record
 * length. Throws MESSAGE_ILLEGAL-style MqErrors for oversize properties or a short buffer.
 */
export function encodeRecord(
  target: Buffer,
  offset: number,
  msg: MessageToStore,
  storeHost: SocketAddress,
  nativeFields?: NativeRecordFields,
): number {
  const encoder = new RecordEncoder(storeHost);
  const properties = encodeProperties(msg.properties);
  const needed = recordSize(msg, storeHost);
  if (offset + needed > target.length) {
    throw new MqError('ERR_BUFFER_TOO_SMALL', `record needs ${needed} bytes at ${offset}, buffer has ${target.length}`);
  }
  const length = encoder.encode(target, offset, msg, properties, msg.bornTimestamp ?? Date.now(), nativeFields);
  if (length < 0) {
    throw new MqError('ERR_PROPERTIES_SIZE_EXCEEDED', `properties are ${encoder.lastPropertiesLength} bytes, the limit is ${MAX_PROPERTIES_LENGTH}`);
  }
  return length;
}
