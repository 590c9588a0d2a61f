/**
 * Decodes stored records (record-layout.ts): one record, a buffer of records back to back (a pull
 * response, a query result), or a CommitLog segment (blank filler records are skipped; a zero
 * TOTALSIZE marks the end of written data). Bodies are views into the source buffer, not copies.
 */
import { MqError } from '../common/mq-error';
import type { MessageExt, SocketAddress } from './message-types';
import { readInt64BE } from './int64';
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

function corrupt(offset: number, why: string): MqError {
  return new MqError('ERR_RECORD_CORRUPT', `record at byte ${offset}: ${why}`);
}

function readHost(buf: Buffer, pos: number, v6: boolean): SocketAddress {
  const ipLength = v6 ? 16 : 4;
  return { address: formatIpAddress(buf, pos, ipLength), port: buf.readInt32BE(pos + ipLength) };
}

/** Decodes the record starting at `offset`; throws ERR_RECORD_CORRUPT when it is not one. */
export function decodeRecord(buf: Buffer, offset = 0): MessageExt {
  if (offset < 0 || offset + RECORD_FIXED_LENGTH_V1_IPV4 > buf.length) throw corrupt(offset, 'shorter than the fixed header');
  const storeSize = buf.readInt32BE(offset);
  const magic = buf.readInt32BE(offset + 4);
  if (magic !== MESSAGE_MAGIC_CODE && magic !== MESSAGE_MAGIC_CODE_V2) {
    throw corrupt(offset, `magic 0x${(magic >>> 0).toString(16)} is not a message magic code`);
  }
  if (storeSize < RECORD_FIXED_LENGTH_V1_IPV4 || offset + storeSize > buf.length) {
    throw corrupt(offset, `TOTALSIZE ${storeSize} does not fit in ${buf.length - offset} bytes`);
  }
  const end = offset + storeSize;
  const sysFlag = buf.readInt32BE(offset + 36);
  const bornV6 = (sysFlag & RECORD_LAYOUT.SYSFLAG_BORNHOST_V6) !== 0;
  const storeV6 = (sysFlag & RECORD_LAYOUT.SYSFLAG_STOREHOST_V6) !== 0;
  let pos = offset + OFFSET_BORNHOST;
  const bornHost = readHost(buf, pos, bornV6);
  pos += bornV6 ? 20 : 8;
  const storeTimestamp = readInt64BE(buf, pos);
  pos += 8;
  const storeHostStart = pos;
  const storeHost = readHost(buf, pos, storeV6);
  pos += storeV6 ? 20 : 8;
  const reconsumeTimes = buf.readInt32BE(pos);
  const preparedTransactionOffset = readInt64BE(buf, pos + 4);
  const bodyLength = buf.readInt32BE(pos + 12);
  pos += 16;
  if (bodyLength < 0 || pos + bodyLength > end) throw corrupt(offset, `BODYLENGTH ${bodyLength} runs past the record`);
  const body = buf.subarray(pos, pos + bodyLength);
  pos += bodyLength;
  const v2 = magic === MESSAGE_MAGIC_CODE_V2;
  if (pos + (v2 ? 2 : 1) > end) throw corrupt(offset, 'topic length runs past the record');
  const topicLength = v2 ? buf.readUInt16BE(pos) : (buf[pos] as number);
  pos += v2 ? 2 : 1;
  if (pos + topicLength + 2 > end) throw corrupt(offset, `TOPICLENGTH ${topicLength} runs past the record`);
  const topic = buf.toString('utf8', pos, pos + topicLength);
  pos += topicLength;
  const propertiesLength = buf.readUInt16BE(pos);
  pos += 2;
  if (pos + propertiesLength !== end) {
    throw corrupt(offset, `PROPERTIESLENGTH ${propertiesLength} does not end at TOTALSIZE ${storeSize}`);
  }
  const properties = decodeProperties(buf.toString('utf8', pos, end));
  const commitLogOffset = readInt64BE(buf, offset + 28);
  const msgId = buf.toString('hex', storeHostStart, storeHostStart + (storeV6 ? 20 : 8)).toUpperCase() + physicalOffsetHex(commitLogOffset);
  const message: { -readonly [K in keyof MessageExt]: MessageExt[K] } = {
    topic,
    queueId: buf.readInt32BE(offset + 12),
    flag: buf.readInt32BE(offset + 16),
    body,
    properties,
    queueOffset: readInt64BE(buf, offset + 20),
    commitLogOffset,
    storeSize,
    sysFlag,
    bodyCRC: buf.readInt32BE(offset + 8),
    bornTimestamp: readInt64BE(buf, offset + 40),
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
    const size = buf.readInt32BE(pos);
    if (size === 0) break;
    const magic = buf.readInt32BE(pos + 4);
    if (magic === BLANK_MAGIC_CODE) {
      if (size < 8 || pos + size > end) throw corrupt(pos, `blank record size ${size} runs past the buffer`);
      pos += size;
      continue;
    }
    fn(decodeRecord(buf.subarray(0, end), pos), pos);
    pos += size;
  }
  return pos;
}

export function decodeRecords(buf: Buffer | null): MessageExt[] {
  const out: MessageExt[] = [];
  if (buf !== null) forEachRecord(buf, (message) => out.push(message));
  return out;
}
