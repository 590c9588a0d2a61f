/**
 * The records POP writes to its revive topic rmq_sys_REVIVE_LOG_<cluster> (one queue per reviveQid),
 * as RocketMQ does: a checkpoint (tag "ck", PopCheckPoint's JSON field names) per popped batch, and
 * an ack (tag "ack", AckMsg's names) per acknowledged message. A checkpoint whose invisible time ran
 * out is revived, and its revived messages are then written as acks too, so that replaying the
 * revive queues after a restart settles them instead of reviving them twice.
 */
import { MessageConst } from '../../message/message-const';
import type { MessageExt, MessageToStore, SocketAddress } from '../../message/message-types';

export const CK_TAG = 'ck';
export const ACK_TAG = 'ack';
/** Several offsets of one checkpoint acked (or revived) at once (RocketMQ BatchAckMsg). */
export const BATCH_ACK_TAG = 'bAck';
/** The group whose offsets on the revive topic say where replay starts (RocketMQ's revive group). */
export const REVIVE_GROUP = 'CID_RMQ_SYS_REVIVE_GROUP';
/** Property naming when a message was first popped (RocketMQ PROPERTY_FIRST_POP_TIME). */
export const FIRST_POP_TIME = '1ST_POP_TIME';
/** Property carrying the receipt handle on a popped message (RocketMQ PROPERTY_POP_CK). */
export const POP_CK = 'POP_CK';

export function reviveTopicOf(cluster: string): string {
  return `rmq_sys_REVIVE_LOG_${cluster}`;
}

/** A popped batch of one queue: what must be acked by popTime + invisibleTime. */
export interface CheckpointData {
  readonly group: string;
  /** The topic the messages are stored in (the pop retry topic for redeliveries). */
  readonly topic: string;
  readonly queueId: number;
  readonly startOffset: number;
  readonly popTime: number;
  readonly invisibleTime: number;
  readonly reviveQid: number;
  /** Queue offsets of the messages popped (ascending). */
  readonly offsets: readonly number[];
  readonly brokerName: string;
}

export interface AckData {
  readonly group: string;
  readonly topic: string;
  readonly queueId: number;
  readonly startOffset: number;
  readonly popTime: number;
  readonly ackOffsets: readonly number[];
  readonly brokerName: string;
}

/** The identity of a checkpoint, as a receipt handle can name it. */
export function checkpointKey(group: string, topic: string, queueId: number, startOffset: number, popTime: number): string {
  return `${group}\u0001${topic}\u0001${queueId}\u0001${startOffset}\u0001${popTime}`;
}

export function checkpointMessage(ck: CheckpointData, reviveTopic: string, host: SocketAddress): MessageToStore {
  const body = {
    so: ck.startOffset, pt: ck.popTime, it: ck.invisibleTime, bm: 0, n: ck.offsets.length, q: ck.queueId,
    t: ck.topic, c: ck.group, ro: -1, d: ck.offsets.map((o) => o - ck.startOffset), bn: ck.brokerName,
  };
  return {
    topic: reviveTopic, queueId: ck.reviveQid, body: Buffer.from(JSON.stringify(body)),
    properties: { [MessageConst.TAGS]: CK_TAG }, bornHost: host,
  };
}

export function ackMessage(ack: AckData, reviveTopic: string, reviveQid: number, host: SocketAddress): MessageToStore {
  const isBatch = ack.ackOffsets.length !== 1;
  const common = { so: ack.startOffset, c: ack.group, t: ack.topic, q: ack.queueId, pt: ack.popTime, bn: ack.brokerName };
  const body = isBatch ? { aol: ack.ackOffsets, ...common } : { ao: ack.ackOffsets[0], ...common };
  return {
    topic: reviveTopic, queueId: reviveQid, body: Buffer.from(JSON.stringify(body)),
    properties: { [MessageConst.TAGS]: isBatch ? BATCH_ACK_TAG : ACK_TAG }, bornHost: host,
  };
}

export type ReviveRecord =
  | { readonly kind: 'ck'; readonly ck: CheckpointData }
  | { readonly kind: 'ack'; readonly ack: AckData }
  | { readonly kind: 'unknown' };

/** Decodes a revive-queue record; anything unreadable is 'unknown' (skipped, never fatal). */
export function parseReviveRecord(message: MessageExt, reviveQid: number): ReviveRecord {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(message.body.toString('utf8')) as Record<string, unknown>;
  } catch {
    return { kind: 'unknown' };
  }
  const num = (k: string): number => (typeof json[k] === 'number' ? json[k] as number : Number.NaN);
  const str = (k: string): string => (typeof json[k] === 'string' ? json[k] as string : '');
  if (message.tags === CK_TAG) {
    const diffs = Array.isArray(json['d']) ? (json['d'] as unknown[]).filter((d): d is number => typeof d === 'number') : [];
    const startOffset = num('so');
    const ck: CheckpointData = {
      group: str('c'), topic: str('t'), queueId: num('q'), startOffset, popTime: num('pt'), invisibleTime: num('it'),
      reviveQid, offsets: diffs.map((d) => startOffset + d), brokerName: str('bn'),
    };
    if (ck.group === '' || ck.topic === '' || !Number.isInteger(ck.queueId) || !Number.isFinite(startOffset) || ck.offsets.length === 0) return { kind: 'unknown' };
    return { kind: 'ck', ck };
  }
  if (message.tags === ACK_TAG || message.tags === BATCH_ACK_TAG) {
    const ackOffsets = message.tags === ACK_TAG ? [num('ao')]
      : Array.isArray(json['aol']) ? (json['aol'] as unknown[]).filter((d): d is number => typeof d === 'number') : [];
    const ack: AckData = {
      group: str('c'), topic: str('t'), queueId: num('q'), startOffset: num('so'), popTime: num('pt'), ackOffsets, brokerName: str('bn'),
    };
    if (ack.group === '' || ackOffsets.some((o) => !Number.isFinite(o))) return { kind: 'unknown' };
    return { kind: 'ack', ack };
  }
  return { kind: 'unknown' };
}
