/**
 * ConsumerRunningInfo (what GET_CONSUMER_RUNNING_INFO answers, RocketMQ's ConsumerRunningInfo.java)
 * as a fastjson-ready value: `properties` (the consumer's settings as strings plus the PROP_* keys),
 * `subscriptionSet` (SubscriptionData, ordered by topic@subString), `mqTable` (MessageQueue ->
 * ProcessQueueInfo, a map keyed by the queue object, ordered as MessageQueue.compareTo) and
 * `statusTable` (topic -> ConsumeStatus). fastjson writes bean keys sorted; Java maps keep order.
 */
import { javaDouble } from '../../protocol/fastjson-writer';
import { CURRENT_VERSION, MQVersion } from '../../protocol/language-code';
import type { SubscriptionData } from '../../protocol/subscription-data';
import type { ConsumerHeartbeatData } from '../client-instance';
import { compareMessageQueues, type MessageQueue } from '../message-queue';

/** PROP_CLIENT_VERSION: the MQVersion name of the version our commands carry. */
export const MQVersionName = Object.entries(MQVersion).find(([, ordinal]) => ordinal === CURRENT_VERSION)?.[0] ?? String(CURRENT_VERSION);

/** One owned queue as a consumer sees it now (ProcessQueue.fillProcessQueueInfo). */
export interface QueueSnapshot {
  readonly mq: MessageQueue;
  /** The offset store's in-memory progress (-1 when none). */
  readonly commitOffset: number;
  readonly cachedCount: number;
  readonly cachedBytes: number;
  /** Lowest and highest queue offset held (0 when nothing is held, as Java). */
  readonly cachedMinOffset: number;
  readonly cachedMaxOffset: number;
  readonly dropped: boolean;
  readonly lastPullTimestamp: number;
  readonly lastConsumeTimestamp: number;
}

export interface RunningInfoInput {
  readonly heartbeat: ConsumerHeartbeatData;
  /** The consumer's settings, written as properties (MixAll.object2Properties of the consumer). */
  readonly settings: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly consumeOrderly: boolean;
  readonly threadPoolCoreSize: number;
  readonly startTimestamp: number;
  readonly queues: readonly QueueSnapshot[];
}

/** The bean for a consumer that reports its queues (PushConsumer). */
export function consumerRunningInfo(input: RunningInfoInput): Record<string, unknown> {
  const properties: Record<string, string> = {};
  for (const [key, value] of Object.entries(input.settings)) if (value !== undefined) properties[key] = String(value);
  properties['consumerGroup'] = input.heartbeat.groupName;
  properties['messageModel'] = input.heartbeat.messageModel;
  properties['consumeFromWhere'] = input.heartbeat.consumeFromWhere;
  properties['PROP_CONSUMEORDERLY'] = String(input.consumeOrderly);
  properties['PROP_THREADPOOL_CORE_SIZE'] = String(input.threadPoolCoreSize);
  properties['PROP_CONSUMER_START_TIMESTAMP'] = String(input.startTimestamp);

  const mqTable = new Map<MessageQueue, Record<string, unknown>>();
  for (const q of [...input.queues].sort((a, b) => compareMessageQueues(a.mq, b.mq))) {
    mqTable.set({ brokerName: q.mq.brokerName, queueId: q.mq.queueId, topic: q.mq.topic }, processQueueInfo(q));
  }
  const statusTable = new Map<string, Record<string, unknown>>();
  for (const topic of [...new Set(input.heartbeat.subscriptionDataSet.map((s) => s.topic))].sort()) {
    // Rates are not sampled by this client (ConsumerStatsManager); they read as zero.
    statusTable.set(topic, {
      consumeFailedMsgs: 0, consumeFailedTPS: javaDouble(0), consumeOKTPS: javaDouble(0), consumeRT: javaDouble(0), pullRT: javaDouble(0), pullTPS: javaDouble(0),
    });
  }
  return { mqTable, properties, statusTable, subscriptionSet: sortedSubscriptions(input.heartbeat.subscriptionDataSet) };
}

/** The bean for a consumer that registered no running-info hook: what its heartbeat says. */
export function basicRunningInfo(heartbeat: ConsumerHeartbeatData): Record<string, unknown> {
  return {
    mqTable: new Map(),
    properties: { consumerGroup: heartbeat.groupName, messageModel: heartbeat.messageModel, consumeFromWhere: heartbeat.consumeFromWhere },
    statusTable: new Map(),
    subscriptionSet: sortedSubscriptions(heartbeat.subscriptionDataSet),
  };
}

function processQueueInfo(q: QueueSnapshot): Record<string, unknown> {
  return {
    cachedMsgCount: q.cachedCount,
    cachedMsgMaxOffset: q.cachedMaxOffset,
    cachedMsgMinOffset: q.cachedMinOffset,
    cachedMsgSizeInMiB: Math.floor(q.cachedBytes / (1024 * 1024)),
    commitOffset: q.commitOffset,
    droped: q.dropped, // sic: the Java field's spelling
    lastConsumeTimestamp: q.lastConsumeTimestamp,
    lastLockTimestamp: 0,
    lastPullTimestamp: q.lastPullTimestamp,
    locked: false,
    transactionMsgCount: 0,
    transactionMsgMaxOffset: 0,
    transactionMsgMinOffset: 0,
    tryUnlockTimes: 0,
  };
}

/** TreeSet<SubscriptionData>: SubscriptionData.compareTo orders by `topic@subString`. */
function sortedSubscriptions(set: readonly SubscriptionData[]): SubscriptionData[] {
  const key = (s: SubscriptionData): string => `${s.topic}@${s.subString}`;
  return [...set].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
