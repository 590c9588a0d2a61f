/**
 * Decodes stored records (record-layout.ts): one record, a buffer of records back to back (a pull
 * response, a query result), or a CommitLog segment (blank filler records are skipped; a zero
 * TOTALSIZE marks the end of written data). Bodies are views into the source buffer, not copies.
 */
import { MqError } from '../common/mq-error';
import { int32BE as i32, utf8Slice } from '../common/raw-buffer';
import type { MessageExt, SocketAddress } from './message-types';
import { physicalOffsetHex } from './message-id';
import { decodeProperties } from './properties-codec';
import {
  BLANK_MAGIC_CODE,
  MESSAGE_MAGIC_CODE,
  MESSAGE_MAGIC_CODE_V2,
  OFFSET_BORNHOST,
  RECORD_FIXED_LENGTH_V1_IPV4,
  RECORD_LAYOUT,
} from './record-layout';
import { formatIpAddress } from './socket-address';

/**
 * Field reads without Buffer#readInt32BE's argument checks (bounds are checked per record below):
 * these run about a dozen times per decoded message.
 */
function u16(b: Buffer, p: number): number {
  return (b[p]! << 8) | b[p + 1]!;
}
const TWO_32 = 0x1_0000_0000;
function i64(b: Buffer, p: number): number {
  return i32(b, p) * TWO_32 + (i32(b, p + 4) >>> 0);
}


function corrupt(offset: number, why: string): MqError {
  return new MqError('ERR_RECORD_CORRUPT', `record at byte ${offset}: ${why}`);
}

/**
 * Decoded hosts and their offset-id prefixes, by IPv4 + port: a pull response repeats a handful of
 * hosts (one store host, a few producers), and each would otherwise cost a string per record.
 * Bounded: cleared past MAX_CACHED_HOSTS. Host objects are shared, hence frozen.
 */
const hostCache = new Map<number, SocketAddress>();
const idPrefixCache = new Map<number, string>();
const MAX_CACHED_HOSTS = 1024;

function ipv4Key(buf: Buffer, pos: number): number {
  return (i32(buf, pos) >>> 0) * 0x10000 + u16(buf, pos + 6);
}
/**
 * The last IPv4 host decoded per slot (0 born, 1 store): the records of one pull mostly share
 * their born host and always their store host.
 */
const lastHostKey = [-1, -1];
const lastHost: Array<SocketAddress | undefined> = [undefined, undefined];

function readHost(buf: Buffer, pos: number, v6: boolean, slot: 0 | 1): SocketAddress {
  if (v6) return { address: formatIpAddress(buf, pos, 16), port: buf.readInt32BE(pos + 16) };
  // Ports are 16-bit: the high half of the int32 is checked so an odd value is never conflated.
  if (u16(buf, pos + 4) !== 0) return { address: formatIpAddress(buf, pos, 4), port: buf.readInt32BE(pos + 4) };
  const key = ipv4Key(buf, pos);
  if (key === lastHostKey[slot]) return lastHost[slot]!;
  let host = hostCache.get(key);
  if (host === undefined) {
    host = Object.freeze({ address: formatIpAddress(buf, pos, 4), port: buf.readInt32BE(pos + 4) });
    if (hostCache.size >= MAX_CACHED_HOSTS) hostCache.clear();
    hostCache.set(key, host);
  }
  lastHostKey[slot] = key;
  lastHost[slot] = host;
  return host;
}

let lastPrefixKey = -1;
let lastPrefix = '';

/** The STOREHOST part of the offset id (upper-case hex of ip + port). */
function idPrefix(buf: Buffer, pos: number, v6: boolean): string {
  const length = v6 ? 20 : 8;
  if (v6 || u16(buf, pos + 4) !== 0) return buf.toString('hex', pos, pos + length).toUpperCase();
  const key = ipv4Key(buf, pos);
  if (key === lastPrefixKey) return lastPrefix;
  let prefix = idPrefixCache.get(key);
  if (prefix === undefined) {
    prefix = buf.toString('hex', pos, pos + length).toUpperCase();
    if (idPrefixCache.size >= MAX_CACHED_HOSTS) idPrefixCache.clear();
    idPrefixCache.set(key, prefix);
  }
  lastPrefixKey = key;
  lastPrefix = prefix;
  return prefix;
}

/** The last topic decoded and its bytes: records of one pull share their topic. */
let lastTopic = '';
const lastTopicBytes = Buffer.alloc(255);
let lastTopicLength = -1;

function readTopic(buf: Buffer, start: number, length: number): string {
  if (length === lastTopicLength) {
    // A byte loop: topics are short, and Buffer#compare's checks cost more than the comparison.
    let i = 0;
    while (i < length && buf[start + i] === lastTopicBytes[i]) i++;
    if (i === length) return lastTopic;
  }
  const topic = utf8Slice.call(buf, start, start + length);
  if (length <= lastTopicBytes.length) {
    buf.copy(lastTopicBytes, 0, start, start + length);
    lastTopicLength = length;
    lastTopic = topic;
  }
  return topic;
}

/**
 * Decodes the record starting at `offset` (within buf[0, limit)); throws ERR_RECORD_CORRUPT when it
 * is not one.
 */
export function decodeRecord(buf: Buffer, offset = 0, limit = buf.length): MessageExt {
  if (offset < 0 || offset + RECORD_FIXED_LENGTH_V1_IPV4 > limit) throw corrupt(offset, 'shorter than the fixed header');
  const storeSize = i32(buf, offset);
  const magic = i32(buf, offset + 4);
  if (magic !== MESSAGE_MAGIC_CODE && magic !== MESSAGE_MAGIC_CODE_V2) {
    throw corrupt(offset, `magic 0x${(magic >>> 0).toString(16)} is not a message magic code`);
  }
  if (storeSize < RECORD_FIXED_LENGTH_V1_IPV4 || offset + storeSize > limit) {
    throw corrupt(offset, `TOTALSIZE ${storeSize} does not fit in ${limit - offset} bytes`);
  }
  const end = offset + storeSize;
  const sysFlag = i32(buf, offset + 36);
  const bornV6 = (sysFlag & RECORD_LAYOUT.SYSFLAG_BORNHOST_V6) !== 0;
  const storeV6 = (sysFlag & RECORD_LAYOUT.SYSFLAG_STOREHOST_V6) !== 0;
  let pos = offset + OFFSET_BORNHOST;
  const bornHost = readHost(buf, pos, bornV6, 0);
  pos += bornV6 ? 20 : 8;
  const storeTimestamp = i64(buf, pos);
  pos += 8;
  const storeHostStart = pos;
  const storeHost = readHost(buf, pos, storeV6, 1);
  pos += storeV6 ? 20 : 8;
  const reconsumeTimes = i32(buf, pos);
  const preparedTransactionOffset = i64(buf, pos + 4);
  const bodyLength = i32(buf, pos + 12);
  pos += 16;
  if (bodyLength < 0 || pos + bodyLength > end) throw corrupt(offset, `BODYLENGTH ${bodyLength} runs past the record`);
  const body = buf.subarray(pos, pos + bodyLength);
  pos += bodyLength;
  const v2 = magic === MESSAGE_MAGIC_CODE_V2;
  if (pos + (v2 ? 2 : 1) > end) throw corrupt(offset, 'topic length runs past the record');
  const topicLength = v2 ? u16(buf, pos) : (buf[pos] as number);
  pos += v2 ? 2 : 1;
  if (pos + topicLength + 2 > end) throw corrupt(offset, `TOPICLENGTH ${topicLength} runs past the record`);
  const topic = readTopic(buf, pos, topicLength);
  pos += topicLength;
  const propertiesLength = u16(buf, pos);
  pos += 2;
  if (pos + propertiesLength !== end) {
    throw corrupt(offset, `PROPERTIESLENGTH ${propertiesLength} does not end at TOTALSIZE ${storeSize}`);
  }
  const properties = decodeProperties(utf8Slice.call(buf, pos, end));
  const commitLogOffset = i64(buf, offset + 28);
  const msgId = idPrefix(buf, storeHostStart, storeV6) + physicalOffsetHex(commitLogOffset);
  const message: { -readonly [K in keyof MessageExt]: MessageExt[K] } = {
    topic,
    queueId: i32(buf, offset + 12),
    flag: i32(buf, offset + 16),
    body,
    properties,
    queueOffset: i64(buf, offset + 20),
    commitLogOffset,
    storeSize,
    sysFlag,
    bodyCRC: i32(buf, offset + 8),
    bornTimestamp: i64(buf, offset + 40),
    bornHost,
    storeTimestamp,
    storeHost,
    reconsumeTimes,
    preparedTransactionOffset,
    msgId,
  };
  const tags = properties['TAGS'];
  if (tags !== undefined) message.tags = tags;
  const keys = properties['KEYS'];
  if (keys !== undefined) message.keys = keys;
  return message;
}

/**
 * Calls `fn` for every record in buf[start, end). Blank (end-of-segment filler) records are
 * skipped; a TOTALSIZE of 0 ends the walk (unwritten space in a segment). Returns the position
 * after the last record visited.
 */
export function forEachRecord(
  buf: Buffer,
  fn: (message: MessageExt, offset: number) => void,
  start = 0,
  end = buf.length,
): number {
  let pos = start;
  while (pos + 8 <= end) {
    const size = i32(buf, pos);
    if (size === 0) break;
    const magic = i32(buf, pos + 4);
    if (magic === BLANK_MAGIC_CODE) {
      if (size < 8 || pos + size > end) throw corrupt(pos, `blank record size ${size} runs past the buffer`);
      pos += size;
      continue;
    }
    fn(decodeRecord(buf, pos, end), pos);
    pos += size;
  }
  return pos;
}

export function decodeRecords(buf: Buffer | null): MessageExt[] {
  const out: MessageExt[] = [];
  if (buf !== null) forEachRecord(buf, (message) => out.push(message));
  return out;
}
