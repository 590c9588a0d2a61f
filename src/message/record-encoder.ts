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
import type { MessageToStore, SocketAddress } from './message-types';
import { writeInt64BE } from './int64';
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
  readonly #topicLengths = new Map<string, number>();
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
    let length = this.#topicLengths.get(topic);
    if (length === undefined) {
      length = Buffer.byteLength(topic, 'utf8');
      if (this.#topicLengths.size >= MAX_TOPIC_CACHE) this.#topicLengths.clear();
      this.#topicLengths.set(topic, length);
    }
    return length;
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
   */
  encode(target: Buffer, offset: number, msg: MessageToStore, properties: string, bornTimestamp: number, nativeFields?: NativeRecordFields): number {
    const bornHost = this.bornHostBytes(msg.bornHost);
    const topicLength = this.topicLength(msg.topic);
    const body = msg.body;
    const sysFlag = ((msg.sysFlag ?? 0) & ~HOST_V6_FLAGS) | (bornHost.length === 20 ? RECORD_LAYOUT.SYSFLAG_BORNHOST_V6 : 0) | this.#storeHostFlag;

    let pos = offset + 4;
    target.writeInt32BE(topicLength > MAX_V1_TOPIC_LENGTH ? MESSAGE_MAGIC_CODE_V2 : MESSAGE_MAGIC_CODE, pos);
    target.writeInt32BE(nativeFields?.bodyCRC ?? 0, pos + 4);
    target.writeInt32BE(msg.queueId, pos + 8);
    target.writeInt32BE(msg.flag ?? 0, pos + 12);
    writeInt64BE(target, nativeFields?.queueOffset ?? 0, pos + 16);
    writeInt64BE(target, nativeFields?.physicalOffset ?? 0, pos + 24);
    target.writeInt32BE(sysFlag, pos + 32);
    writeInt64BE(target, bornTimestamp, pos + 36);
    pos += 44;
    pos += bornHost.copy(target, pos);
    writeInt64BE(target, nativeFields?.storeTimestamp ?? 0, pos);
    pos += 8;
    pos += this.#storeHostBytes.copy(target, pos);
    target.writeInt32BE(msg.reconsumeTimes ?? 0, pos);
    writeInt64BE(target, msg.preparedTransactionOffset ?? 0, pos + 4);
    target.writeInt32BE(body.length, pos + 12);
    pos += 16;
    target.set(body, pos);
    pos += body.length;
    if (topicLength > MAX_V1_TOPIC_LENGTH) {
      target.writeUInt16BE(topicLength, pos);
      pos += 2;
    } else {
      target[pos++] = topicLength;
    }
    pos += target.write(msg.topic, pos, topicLength, 'utf8');
    const propertiesLength = properties.length === 0 ? 0 : target.write(properties, pos + 2, 'utf8');
    this.lastPropertiesLength = propertiesLength;
    if (propertiesLength > MAX_PROPERTIES_LENGTH) return -1;
    target.writeUInt16BE(propertiesLength, pos);
    pos += 2 + propertiesLength;
    const total = pos - offset;
    target.writeInt32BE(total, offset);
    return total;
  }
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
