/**
 * A lean reader of parked timer records (the stored record layout, record-layout.ts), for the
 * wheel's hot paths: indexing needs only the queue offset and TIMER_OUT_MS, a delivery only the
 * fields a re-put keeps plus the properties text without the broker's bookkeeping. Neither needs
 * the full decode (properties object, msgId, store host), which costs several times more per
 * message when 100,000 fall due at once.
 */
import { readInt64BE } from '../../message/int64';
import { MessageConst } from '../../message/message-const';
import type { MessageToStore, SocketAddress } from '../../message/message-types';
import { findProperty } from '../../message/properties-codec';
import { BLANK_MAGIC_CODE, OFFSET_BORNHOST, RECORD_LAYOUT } from '../../message/record-layout';
import { formatIpAddress } from '../../message/socket-address';
import { TIMER_OUT_MS } from './timer-message';

const SEP_PAIR = '\u0002';
const SEP_NAME = '\u0001';
/** Names a delivered timer message no longer carries (see deliveredTimerProperties). */
export const TIMER_DROPPED: ReadonlySet<string> = new Set([MessageConst.REAL_TOPIC, MessageConst.REAL_QID, TIMER_OUT_MS, MessageConst.TIMER_DELAY_SEC, MessageConst.TIMER_DELAY_MS]);
/**
 * Names a message delivered from a delay level no longer carries (remoting-protocol.md §5.9).
 * REAL_TOPIC / REAL_QID stay, as RocketMQ's scheduler leaves them: clients read REAL_TOPIC to tell a
 * scheduled retry copy from a plain resend.
 */
export const DELAY_DROPPED: ReadonlySet<string> = new Set([MessageConst.DELAY, MessageConst.TIMER_DELIVER_MS, MessageConst.TIMER_DELAY_SEC]);

/**
 * Calls `fn(queueOffset, start, end)` for every record in `buf` (records back to back, as getMessage
 * returns them); [start, end) is the record's byte range.
 */
export function forEachParked(buf: Buffer, fn: (queueOffset: number, start: number, end: number) => void): void {
  let pos = 0;
  while (pos + 8 <= buf.length) {
    const size = buf.readInt32BE(pos);
    if (size <= 0) break;
    if (buf.readInt32BE(pos + 4) !== BLANK_MAGIC_CODE) fn(readInt64BE(buf, pos + RECORD_LAYOUT.OFFSET_QUEUEOFFSET), pos, pos + size);
    pos += size;
  }
}

/** TIMER_OUT_MS of the parked record buf[start, end), NaN when missing or malformed. */
export function parkedDue(buf: Buffer, start: number, end: number): number {
  const due = Number(findProperty(propertiesText(buf, start, end), TIMER_OUT_MS) ?? NaN);
  return Number.isSafeInteger(due) ? due : NaN;
}

/** STORETIMESTAMP of the record at buf[start]. */
export function parkedStoreTimestamp(buf: Buffer, start: number): number {
  const bornV6 = (buf.readInt32BE(start + RECORD_LAYOUT.OFFSET_SYSFLAG) & RECORD_LAYOUT.SYSFLAG_BORNHOST_V6) !== 0;
  return readInt64BE(buf, start + OFFSET_BORNHOST + (bornV6 ? 20 : 8));
}

/**
 * The re-put of the parked record buf[start, end) to REAL_TOPIC / REAL_QID without the `dropped`
 * properties (body a view, not a copy), or undefined when REAL_TOPIC / REAL_QID are unusable.
 */
export function reputOfParked(buf: Buffer, start: number, end: number, dropped: ReadonlySet<string> = TIMER_DROPPED): MessageToStore | undefined {
  const sysFlag = buf.readInt32BE(start + RECORD_LAYOUT.OFFSET_SYSFLAG);
  const bornV6 = (sysFlag & RECORD_LAYOUT.SYSFLAG_BORNHOST_V6) !== 0;
  const storeV6 = (sysFlag & RECORD_LAYOUT.SYSFLAG_STOREHOST_V6) !== 0;
  let pos = start + OFFSET_BORNHOST;
  const bornHost = readHost(buf, pos, bornV6);
  pos += (bornV6 ? 20 : 8) + 8 + (storeV6 ? 20 : 8);
  const reconsumeTimes = buf.readInt32BE(pos);
  const bodyLength = buf.readInt32BE(pos + 12);
  pos += 16;
  const body = buf.subarray(pos, pos + bodyLength);
  const stored = propertiesText(buf, start, end);
  const reput = {
    topic: '', queueId: -1, body, flag: buf.readInt32BE(start + RECORD_LAYOUT.OFFSET_FLAG), propertiesText: '',
    bornTimestamp: readInt64BE(buf, start + RECORD_LAYOUT.OFFSET_BORNTIMESTAMP), bornHost, sysFlag, reconsumeTimes,
  };
  // Fast path: the bookkeeping leads (parkedProperties), so one slice drops it.
  const lead = leadingBookkeeping(stored);
  if (lead !== undefined && dropped === TIMER_DROPPED && !stored.includes('TIMER_DELAY_', lead.end)) {
    reput.topic = lead.topic;
    reput.queueId = lead.queueId;
    reput.propertiesText = stored.slice(lead.end);
    return lead.topic !== '' && Number.isInteger(lead.queueId) && lead.queueId >= 0 ? reput : undefined;
  }
  let text = '';
  let topic: string | undefined;
  let queueId = NaN;
  for (let i = 0; i < stored.length;) {
    let next = stored.indexOf(SEP_PAIR, i);
    if (next < 0) next = stored.length;
    const at = stored.indexOf(SEP_NAME, i);
    const name = at >= 0 && at < next ? stored.slice(i, at) : '';
    if (name === MessageConst.REAL_TOPIC) topic = stored.slice(at + 1, next);
    else if (name === MessageConst.REAL_QID) queueId = Number(stored.slice(at + 1, next));
    if (!dropped.has(name) && next > i) text += stored.slice(i, next) + SEP_PAIR;
    i = next + 1;
  }
  if (topic === undefined || topic === '' || !Number.isInteger(queueId) || queueId < 0) return undefined;
  reput.topic = topic;
  reput.queueId = queueId;
  reput.propertiesText = text;
  return reput;
}

const LEAD = [MessageConst.REAL_TOPIC + SEP_NAME, MessageConst.REAL_QID + SEP_NAME, TIMER_OUT_MS + SEP_NAME] as const;

/** REAL_TOPIC, REAL_QID, TIMER_OUT_MS as the first three entries, and where they end; else undefined. */
function leadingBookkeeping(text: string): { topic: string; queueId: number; end: number } | undefined {
  const values: string[] = [];
  let i = 0;
  for (const prefix of LEAD) {
    if (!text.startsWith(prefix, i)) return undefined;
    const next = text.indexOf(SEP_PAIR, i);
    if (next < 0) return undefined;
    values.push(text.slice(i + prefix.length, next));
    i = next + 1;
  }
  return { topic: values[0] as string, queueId: Number(values[1]), end: i };
}

/** The PROPERTIES of the record buf[start, end): they end the record, after a 2-byte length. */
function propertiesText(buf: Buffer, start: number, end: number): string {
  // Fixed part, hosts and times, then RECONSUMETIMES (4) and PREPAREDTRANSACTIONOFFSET (8): at BODYLENGTH.
  const sysFlag = buf.readInt32BE(start + RECORD_LAYOUT.OFFSET_SYSFLAG);
  let pos = start + OFFSET_BORNHOST + ((sysFlag & RECORD_LAYOUT.SYSFLAG_BORNHOST_V6) !== 0 ? 20 : 8) + 8
    + ((sysFlag & RECORD_LAYOUT.SYSFLAG_STOREHOST_V6) !== 0 ? 20 : 8) + 12;
  pos += 4 + buf.readInt32BE(pos);
  const v2 = buf.readInt32BE(start + 4) === RECORD_LAYOUT.MESSAGE_MAGIC_CODE_V2;
  pos += v2 ? 2 + buf.readUInt16BE(pos) : 1 + (buf[pos] as number);
  const length = buf.readUInt16BE(pos);
  return buf.toString('utf8', pos + 2, Math.min(end, pos + 2 + length));
}

/** Born hosts repeat (a few producers): one frozen object per ip:port, which the encoder recognises. */
const hosts = new Map<string, SocketAddress>();
const MAX_HOSTS = 1024;

function readHost(buf: Buffer, pos: number, v6: boolean): SocketAddress {
  const length = v6 ? 16 : 4;
  const key = buf.toString('latin1', pos, pos + length + 4);
  let host = hosts.get(key);
  if (host === undefined) {
    host = Object.freeze({ address: formatIpAddress(buf, pos, length), port: buf.readInt32BE(pos + length) });
    if (hosts.size >= MAX_HOSTS) hosts.clear();
    hosts.set(key, host);
  }
  return host;
}
