/**
 * BATCH_ACK_MESSAGE (200151) body, RocketMQ's BatchAckMessageRequestBody: {"brokerName", "acks": [...]},
 * each BatchAck covering the messages of one checkpoint with fastjson's short names: c group, t topic,
 * r retry type, so checkpoint start offset, q queueId, rq reviveQid, pt popTime, it invisibleTime,
 * b the acked offsets as a java.util.BitSet (bit i = offset so + i) written as base64 of
 * BitSet.toByteArray() (little-endian, trailing zero bytes dropped).
 */
import { mqError } from '../errors';
import { parseFastjson } from '../fastjson-parser';
import { parseReceiptHandle } from './pop-extra-info';

export interface BatchAck {
  readonly group: string;
  readonly topic: string;
  readonly retryType: string;
  readonly startOffset: number;
  readonly queueId: number;
  readonly reviveQid: number;
  readonly popTime: number;
  readonly invisibleTime: number;
  readonly offsets: readonly number[];
}

export function encodeBitSet(indexes: readonly number[]): string {
  const max = Math.max(-1, ...indexes);
  const bytes = Buffer.alloc((max >> 3) + 1);
  for (const i of indexes) bytes[i >> 3] = (bytes[i >> 3] as number) | (1 << (i & 7));
  return max < 0 ? '' : bytes.toString('base64');
}

export function decodeBitSet(base64: string): number[] {
  const bytes = Buffer.from(base64, 'base64');
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) for (let bit = 0; bit < 8; bit++) if (((bytes[i] as number) & (1 << bit)) !== 0) out.push(i * 8 + bit);
  return out;
}

/** Groups receipt handles by checkpoint, as RocketMQ's client does before a batch ack. */
export function buildBatchAckBody(brokerName: string, group: string, topic: string, extraInfos: readonly string[]): Buffer {
  const byCheckpoint = new Map<string, { entry: Record<string, unknown>; bits: number[] }>();
  for (const extraInfo of extraInfos) {
    const h = parseReceiptHandle(extraInfo);
    const key = `${h.retryType}@${h.queueId}@${h.ckQueueOffset}@${h.popTime}`;
    let acc = byCheckpoint.get(key);
    if (acc === undefined) {
      acc = { entry: { c: group, t: topic, r: h.retryType, so: h.ckQueueOffset, q: h.queueId, rq: h.reviveQid, pt: h.popTime, it: h.invisibleTime }, bits: [] };
      byCheckpoint.set(key, acc);
    }
    acc.bits.push(h.msgQueueOffset - h.ckQueueOffset);
  }
  const acks = [...byCheckpoint.values()].map(({ entry, bits }) => ({ ...entry, b: encodeBitSet(bits) }));
  return Buffer.from(JSON.stringify({ brokerName, acks }));
}

/** The acks of a BATCH_ACK_MESSAGE body; a malformed one is ERR_INVALID_PARAMETER. */
export function parseBatchAckBody(body: Buffer | undefined): BatchAck[] {
  let json: unknown;
  try {
    json = parseFastjson(body ?? Buffer.alloc(0));
  } catch (err) {
    throw mqError('ERR_INVALID_PARAMETER', `the batch ack body is not JSON: ${(err as Error).message}`);
  }
  const acks = (json as { acks?: unknown } | null)?.acks;
  if (!Array.isArray(acks)) throw mqError('ERR_INVALID_PARAMETER', 'the batch ack body has no "acks" list');
  return acks.map((raw, i) => {
    const a = raw as Record<string, unknown>;
    const int = (k: string): number => {
      const v = typeof a[k] === 'string' ? Number(a[k]) : a[k];
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw mqError('ERR_INVALID_PARAMETER', `batch ack ${i}: "${k}" is not an integer`);
      return v;
    };
    const str = (k: string): string => {
      if (typeof a[k] !== 'string') throw mqError('ERR_INVALID_PARAMETER', `batch ack ${i}: "${k}" is not a string`);
      return a[k] as string;
    };
    const startOffset = int('so');
    return {
      group: str('c'), topic: str('t'), retryType: str('r'), startOffset, queueId: int('q'), reviveQid: int('rq'),
      popTime: int('pt'), invisibleTime: typeof a['it'] === 'undefined' ? 0 : int('it'),
      offsets: decodeBitSet(str('b')).map((bit) => startOffset + bit),
    };
  });
}
