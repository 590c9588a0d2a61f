/**
 * The shapes of transactional records (rocketmq-internals.md §3.5, remoting-protocol.md §5.11),
 * following RocketMQ 4.x+: a half message is a NORMAL record (transaction bits cleared, so the store
 * gives it a queue offset) in RMQ_SYS_TRANS_HALF_TOPIC queue 0 with its real topic and queue in
 * REAL_TOPIC / REAL_QID; a check re-appends it with TRANSACTION_CHECK_TIMES + 1; a commit rebuilds
 * the real message (transaction type COMMIT, as RocketMQ) for the real topic and queue.
 *
 * Every copy a check makes carries TRAN_PREPARED_QUEUE_OFFSET = the queue offset of the FIRST half
 * record (the "root"): the root names the transaction however many copies exist, so an END_TRANSACTION
 * naming an older copy still ends it, and a second end of the same transaction is recognised.
 */
import { MessageConst, MessageSysFlag, transactionType } from '../../message/message-const';
import type { MessageExt, MessageToStore, SocketAddress } from '../../message/message-types';
import { decodeProperties } from '../../message/properties-codec';
import type { Destination } from '../delay/delay-redirect';

export const TRANS_HALF_TOPIC = 'RMQ_SYS_TRANS_HALF_TOPIC';
export const TRANS_OP_HALF_TOPIC = 'RMQ_SYS_TRANS_OP_HALF_TOPIC';
export const TRANS_CHECK_MAX_TIME_TOPIC = 'TRANS_CHECK_MAX_TIME_TOPIC';
/** The system group whose offsets on the half and op topics are the check service's progress. */
export const TRANS_SYSTEM_GROUP = 'CID_SYS_RMQ_TRANS';

const TRANSACTION_BITS = 0xc;

/**
 * A send that must become a half message: TRAN_MSG=true (its property as it arrived) or the
 * PREPARED sysFlag type.
 */
export function isHalfMessageSend(tranMsgProperty: string | undefined, sysFlag: number): boolean {
  return tranMsgProperty === 'true' || transactionType(sysFlag) === MessageSysFlag.TRANSACTION_PREPARED_TYPE;
}

export interface HalfDestination extends Destination {
  readonly sysFlag: number;
}

/**
 * Redirects a producer's send to the half queue (mutating `properties`): REAL_TOPIC / REAL_QID
 * remember the target; the transaction bits are cleared so the store indexes it like any message
 * (PREPARED records get no queue offset in the store, so they could never be scanned).
 */
export function redirectToHalf(properties: Record<string, string>, target: Destination, sysFlag: number): HalfDestination {
  properties[MessageConst.REAL_TOPIC] = target.topic;
  properties[MessageConst.REAL_QID] = String(target.queueId);
  properties[MessageConst.TRAN_MSG] = 'true';
  return { topic: TRANS_HALF_TOPIC, queueId: 0, sysFlag: sysFlag & ~TRANSACTION_BITS };
}

/** The queue offset of the first half record of this transaction. */
export function rootOffsetOf(half: MessageExt): number {
  const root = Number(half.properties[MessageConst.TRANSACTION_PREPARED_QUEUE_OFFSET]);
  return Number.isSafeInteger(root) && root >= 0 ? root : half.queueOffset;
}

export function checkTimesOf(half: MessageExt): number {
  const times = Number(half.properties[MessageConst.TRANSACTION_CHECK_TIMES] ?? '0');
  return Number.isSafeInteger(times) && times > 0 ? times : 0;
}

/** CHECK_IMMUNITY_TIME_IN_SECONDS in ms, when the producer set a valid one. */
export function immunityMsOf(half: MessageExt): number | undefined {
  const text = half.properties[MessageConst.CHECK_IMMUNITY_TIME_IN_SECONDS];
  if (text === undefined) return undefined;
  const seconds = Number(text);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/** Where the committed message goes, or undefined when REAL_TOPIC / REAL_QID are missing or bad. */
export function realDestinationOf(half: MessageExt): Destination | undefined {
  const topic = half.properties[MessageConst.REAL_TOPIC];
  const queueId = Number(half.properties[MessageConst.REAL_QID]);
  if (topic === undefined || topic === '' || !Number.isInteger(queueId) || queueId < 0) return undefined;
  return { topic, queueId };
}

/** The copy a check appends: same record, check count + 1, the root remembered. */
export function checkCopyOf(half: MessageExt, checkTimes: number): MessageToStore {
  const properties = { ...half.properties };
  properties[MessageConst.TRANSACTION_CHECK_TIMES] = String(checkTimes);
  properties[MessageConst.TRANSACTION_PREPARED_QUEUE_OFFSET] = String(rootOffsetOf(half));
  return sameRecordAs(half, TRANS_HALF_TOPIC, 0, properties, half.sysFlag);
}

/**
 * The real message of a committed half message (RocketMQ endMessageTransaction): real topic and
 * queue, REAL_* and TRAN_MSG removed, transaction type COMMIT, PREPARED TRANSACTION OFFSET = the
 * half record's commit-log offset. The caller applies a DELAY level, as a send would.
 */
export function committedMessageOf(half: MessageExt, destination: Destination): MessageToStore & { properties: Record<string, string> } {
  const properties = { ...half.properties };
  delete properties[MessageConst.REAL_TOPIC];
  delete properties[MessageConst.REAL_QID];
  delete properties[MessageConst.TRAN_MSG];
  delete properties[MessageConst.TRANSACTION_PREPARED_QUEUE_OFFSET];
  const sysFlag = (half.sysFlag & ~TRANSACTION_BITS) | MessageSysFlag.TRANSACTION_COMMIT_TYPE;
  return { ...sameRecordAs(half, destination.topic, destination.queueId, properties, sysFlag), properties, preparedTransactionOffset: half.commitLogOffset };
}

/** A half message given up after transactionCheckMax checks, kept in TRANS_CHECK_MAX_TIME_TOPIC. */
export function discardedMessageOf(half: MessageExt): MessageToStore {
  return sameRecordAs(half, TRANS_CHECK_MAX_TIME_TOPIC, 0, { ...half.properties }, half.sysFlag);
}

function sameRecordAs(half: MessageExt, topic: string, queueId: number, properties: Record<string, string>, sysFlag: number): MessageToStore {
  return {
    topic, queueId, body: half.body, flag: half.flag, properties, bornTimestamp: half.bornTimestamp,
    bornHost: half.bornHost, sysFlag, reconsumeTimes: half.reconsumeTimes,
  };
}

/** The send-header fields a half message is built from (SEND_MESSAGE's decoded header). */
export interface HalfSendFields {
  readonly properties: string;
  readonly sysFlag: number;
  readonly flag: number;
  readonly bornTimestamp: number;
  readonly reconsumeTimes: number;
}

/** A producer's transactional send as the half record to append (CLUSTER set as for any send). */
export function halfMessageToStore(
  send: HalfSendFields, target: Destination, body: Buffer, bornHost: SocketAddress, clusterName: string,
): MessageToStore {
  const properties = decodeProperties(send.properties);
  properties[MessageConst.CLUSTER] = clusterName;
  const half = redirectToHalf(properties, target, send.sysFlag);
  return {
    topic: half.topic, queueId: half.queueId, body, flag: send.flag, properties, bornTimestamp: send.bornTimestamp,
    bornHost, sysFlag: half.sysFlag, reconsumeTimes: send.reconsumeTimes,
  };
}

/** Why a batch send cannot carry this sysFlag (RocketMQ: batches are never transactional), or undefined. */
export function batchTransactionProblem(sysFlag: number): string | undefined {
  const type = transactionType(sysFlag);
  return type === MessageSysFlag.TRANSACTION_NOT_TYPE ? undefined : `a batch cannot be transactional (sysFlag transaction type ${type})`;
}
