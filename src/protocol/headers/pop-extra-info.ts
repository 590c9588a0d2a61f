/**
 * The POP receipt handle ("extraInfo", the POP_CK property) and the offset-info headers of a
 * POP_MESSAGE response, in RocketMQ's ExtraInfoUtil formats:
 *   extraInfo       "<ckQueueOffset> <popTime> <invisibleTime> <reviveQid> <retryType> <brokerName> <queueId> <msgQueueOffset>"
 *   startOffsetInfo ";"-joined "<retryType> <queueId> <startOffset>"
 *   msgOffsetInfo   ";"-joined "<retryType> <queueId> <offset>,<offset>,..."
 * retryType: "0" the topic itself, "1" pop retry topic v1 (%RETRY%<group>_<topic>), "2" v2 (%RETRY%<group>+<topic>).
 */
import { mqError } from '../errors';

export const RETRY_TYPE_NORMAL = '0';
export const RETRY_TYPE_V1 = '1';
export const RETRY_TYPE_V2 = '2';
const RETRY_PREFIX = '%RETRY%';

export interface ReceiptHandle {
  /** Start offset of the checkpoint the message was popped under. */
  readonly ckQueueOffset: number;
  readonly popTime: number;
  readonly invisibleTime: number;
  readonly reviveQid: number;
  readonly retryType: string;
  readonly brokerName: string;
  readonly queueId: number;
  readonly msgQueueOffset: number;
}

/** Pop retry topic, v1: %RETRY%<group>_<topic>. */
export function popRetryTopicV1(group: string, topic: string): string {
  return `${RETRY_PREFIX}${group}_${topic}`;
}

/** The retry type a stored topic has ("2" for v2, "1" for any other %RETRY% topic, else "0"). */
export function retryTypeOf(topic: string): string {
  if (!topic.startsWith(RETRY_PREFIX)) return RETRY_TYPE_NORMAL;
  return topic.includes('+') ? RETRY_TYPE_V2 : RETRY_TYPE_V1;
}

/** The topic a receipt handle's retryType points at for (group, topic). */
export function realTopicOf(retryType: string, group: string, topic: string): string {
  if (retryType === RETRY_TYPE_NORMAL) return topic;
  if (retryType === RETRY_TYPE_V1) return popRetryTopicV1(group, topic);
  if (retryType === RETRY_TYPE_V2) return `${RETRY_PREFIX}${group}+${topic}`;
  throw mqError('ERR_INVALID_PARAMETER', `extraInfo retry type "${retryType.slice(0, 8)}" is not 0, 1 or 2`);
}

export function buildReceiptHandle(h: ReceiptHandle): string {
  return `${h.ckQueueOffset} ${h.popTime} ${h.invisibleTime} ${h.reviveQid} ${h.retryType} ${h.brokerName} ${h.queueId} ${h.msgQueueOffset}`;
}

const INTEGER = /^-?\d{1,16}$/;

/** Parses an extraInfo; a malformed one is ERR_INVALID_PARAMETER naming what is wrong. */
export function parseReceiptHandle(extraInfo: string): ReceiptHandle {
  const parts = extraInfo.split(' ');
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  if (parts.length < 8) {
    throw mqError('ERR_INVALID_PARAMETER', `extraInfo "${extraInfo.slice(0, 80)}" has ${parts.length} fields, a receipt handle has 8`);
  }
  const int = (index: number, name: string): number => {
    const text = parts[index] as string;
    if (!INTEGER.test(text)) throw mqError('ERR_INVALID_PARAMETER', `extraInfo field ${name} "${text.slice(0, 20)}" is not an integer`);
    return Number(text);
  };
  const retryType = parts[4] as string;
  if (retryType !== RETRY_TYPE_NORMAL && retryType !== RETRY_TYPE_V1 && retryType !== RETRY_TYPE_V2) {
    throw mqError('ERR_INVALID_PARAMETER', `extraInfo retry type "${retryType.slice(0, 8)}" is not 0, 1 or 2`);
  }
  return {
    ckQueueOffset: int(0, 'ckQueueOffset'),
    popTime: int(1, 'popTime'),
    invisibleTime: int(2, 'invisibleTime'),
    reviveQid: int(3, 'reviveQid'),
    retryType,
    brokerName: parts[5] as string,
    queueId: int(6, 'queueId'),
    msgQueueOffset: int(7, 'msgQueueOffset'),
  };
}

/** One queue's share of a pop: its start offset and the offsets of the messages returned. */
export interface PoppedQueue {
  readonly retryType: string;
  readonly queueId: number;
  readonly startOffset: number;
  readonly offsets: readonly number[];
}

export function buildStartOffsetInfo(queues: readonly PoppedQueue[]): string {
  return queues.map((q) => `${q.retryType} ${q.queueId} ${q.startOffset}`).join(';');
}

export function buildMsgOffsetInfo(queues: readonly PoppedQueue[]): string {
  return queues.map((q) => `${q.retryType} ${q.queueId} ${q.offsets.join(',')}`).join(';');
}

/** "<retryType>@<queueId>" -> start offset (the client's view of startOffsetInfo). */
export function parseStartOffsetInfo(text: string | undefined): Map<string, number> {
  const map = new Map<string, number>();
  if (text === undefined || text === '') return map;
  for (const entry of text.split(';')) {
    const cols = entry.split(' ');
    if (cols.length !== 3) throw mqError('ERR_INVALID_PARAMETER', `startOffsetInfo entry "${entry.slice(0, 60)}" is not "<retry> <queueId> <offset>"`);
    map.set(`${cols[0]}@${cols[1]}`, Number(cols[2]));
  }
  return map;
}

/** What a client keeps of a POP_MESSAGE response to build each message's receipt handle. */
export interface PopResponseInfo {
  readonly popTime: number;
  readonly invisibleTime: number;
  readonly reviveQid: number;
  readonly startOffsets: ReadonlyMap<string, number>;
}

/**
 * A popped message's receipt handle: its POP_CK property when the broker set one (redeliveries),
 * else built from the response as RocketMQ's client does (start offset of its queue's checkpoint).
 */
export function receiptHandleOf(
  message: { readonly topic: string; readonly queueId: number; readonly queueOffset: number; readonly properties: Readonly<Record<string, string>> },
  info: PopResponseInfo,
  brokerName: string,
): string {
  const existing = message.properties['POP_CK'];
  if (existing !== undefined && existing !== '') return existing;
  const retryType = retryTypeOf(message.topic);
  const ckQueueOffset = info.startOffsets.get(`${retryType}@${message.queueId}`);
  if (ckQueueOffset === undefined) {
    throw mqError('ERR_INVALID_PARAMETER', `the pop response has no startOffsetInfo for queue ${message.queueId} of ${message.topic}`);
  }
  return buildReceiptHandle({
    ckQueueOffset, popTime: info.popTime, invisibleTime: info.invisibleTime, reviveQid: info.reviveQid, retryType,
    brokerName, queueId: message.queueId, msgQueueOffset: message.queueOffset,
  });
}
