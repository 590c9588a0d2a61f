/**
 * Topic routes as a client uses them (remoting-protocol.md §6, rocketmq-internals.md §3.7): the
 * TopicRouteData a name server answers, decoded from its fastjson form (standard or with unquoted
 * integer keys), and the two views derived from it: publish info (the write queues of brokers
 * with a master and the write permission, or the orderTopicConf layout when present) and
 * subscribe info (the read queues of readable brokers).
 */
import { mqError } from '../../protocol/errors';
import { parseFastjson } from '../../protocol/fastjson-parser';
import { compareMessageQueues, type MessageQueue } from '../message-queue';

export const PERM_READ = 4;
export const PERM_WRITE = 2;
export const MASTER_ID = 0;

export interface RouteQueueData {
  readonly brokerName: string;
  readonly readQueueNums: number;
  readonly writeQueueNums: number;
  readonly perm: number;
  readonly topicSysFlag: number;
}

export interface RouteBrokerData {
  readonly cluster: string;
  readonly brokerName: string;
  /** brokerId -> "ip:port"; id 0 is the master. */
  readonly brokerAddrs: ReadonlyMap<number, string>;
}

export interface TopicRouteData {
  readonly queueDatas: readonly RouteQueueData[];
  readonly brokerDatas: readonly RouteBrokerData[];
  readonly orderTopicConf?: string | undefined;
}

/** A route plus its derived views; immutable, replaced as a whole on refresh. */
export interface TopicRouteInfo {
  readonly topic: string;
  readonly route: TopicRouteData;
  /** Queues a producer may send to, ordered by broker name then queue id. */
  readonly publishQueues: readonly MessageQueue[];
  /** Queues a consumer may pull from, ordered the same way. */
  readonly subscribeQueues: readonly MessageQueue[];
  /** True when the route comes from orderTopicConf (ordered topic layout). */
  readonly isOrderTopic: boolean;
}

function malformed(why: string): Error {
  return mqError('ERR_BODY_MALFORMED', `TopicRouteData: ${why}`);
}

function objectOf(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed(`${what} must be an object`);
  return value as Record<string, unknown>;
}

function arrayOf(value: unknown, what: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw malformed(`${what} must be an array`);
  return value;
}

function intOf(obj: Record<string, unknown>, name: string, fallback?: number): number {
  const value = obj[name];
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw malformed(`${name} must be an integer`);
  return value;
}

function stringOf(obj: Record<string, unknown>, name: string): string {
  const value = obj[name];
  if (typeof value !== 'string' || value === '') throw malformed(`${name} must be a non-empty string`);
  return value;
}

/** Decodes a GET_ROUTEINFO_BY_TOPIC body. */
export function decodeTopicRouteData(body: Buffer | undefined): TopicRouteData {
  if (body === undefined || body.length === 0) throw malformed('empty body');
  let json: unknown;
  try {
    json = parseFastjson(body);
  } catch (err) {
    throw mqError('ERR_BODY_MALFORMED', `TopicRouteData is not JSON: ${(err as Error).message}`, err);
  }
  const root = objectOf(json, 'TopicRouteData');
  const queueDatas = arrayOf(root['queueDatas'], 'queueDatas').map((q): RouteQueueData => {
    const o = objectOf(q, 'QueueData');
    return {
      brokerName: stringOf(o, 'brokerName'),
      readQueueNums: intOf(o, 'readQueueNums'),
      writeQueueNums: intOf(o, 'writeQueueNums'),
      perm: intOf(o, 'perm'),
      topicSysFlag: intOf(o, 'topicSysFlag', 0),
    };
  });
  const brokerDatas = arrayOf(root['brokerDatas'], 'brokerDatas').map((b): RouteBrokerData => {
    const o = objectOf(b, 'BrokerData');
    const addrs = new Map<number, string>();
    for (const [id, addr] of Object.entries(objectOf(o['brokerAddrs'] ?? {}, 'brokerAddrs'))) {
      const brokerId = Number(id);
      if (!Number.isInteger(brokerId) || typeof addr !== 'string') throw malformed('brokerAddrs must map integer ids to addresses');
      addrs.set(brokerId, addr);
    }
    return { cluster: typeof o['cluster'] === 'string' ? o['cluster'] : '', brokerName: stringOf(o, 'brokerName'), brokerAddrs: addrs };
  });
  const orderTopicConf = typeof root['orderTopicConf'] === 'string' ? root['orderTopicConf'] : undefined;
  return { queueDatas, brokerDatas, orderTopicConf };
}

/** Builds the publish and subscribe views of a route (MQClientInstance.topicRouteData2Topic*Info). */
export function buildTopicRouteInfo(topic: string, route: TopicRouteData): TopicRouteInfo {
  const masters = new Set<string>();
  for (const b of route.brokerDatas) if (b.brokerAddrs.has(MASTER_ID)) masters.add(b.brokerName);
  const sorted = [...route.queueDatas].sort((a, b) => (a.brokerName < b.brokerName ? -1 : a.brokerName > b.brokerName ? 1 : 0));

  const publishQueues: MessageQueue[] = [];
  let isOrderTopic = false;
  if (route.orderTopicConf !== undefined && route.orderTopicConf !== '') {
    // "brokerName:queueNums;...": the ordered layout, whatever the brokers' perms say.
    isOrderTopic = true;
    for (const item of route.orderTopicConf.split(';')) {
      const [brokerName, nums] = item.split(':');
      const count = Number(nums);
      if (brokerName === undefined || brokerName === '' || !Number.isInteger(count)) continue;
      for (let queueId = 0; queueId < count; queueId++) publishQueues.push({ topic, brokerName, queueId });
    }
  } else {
    for (const q of sorted) {
      if ((q.perm & PERM_WRITE) === 0 || !masters.has(q.brokerName)) continue;
      for (let queueId = 0; queueId < q.writeQueueNums; queueId++) publishQueues.push({ topic, brokerName: q.brokerName, queueId });
    }
  }

  const subscribeQueues: MessageQueue[] = [];
  for (const q of sorted) {
    if ((q.perm & PERM_READ) === 0) continue;
    for (let queueId = 0; queueId < q.readQueueNums; queueId++) subscribeQueues.push({ topic, brokerName: q.brokerName, queueId });
  }
  subscribeQueues.sort(compareMessageQueues);
  return Object.freeze({ topic, route, publishQueues: Object.freeze(publishQueues), subscribeQueues: Object.freeze(subscribeQueues), isOrderTopic });
}

/** Whether two routes have the same queues and broker addresses (a refresh changed nothing). */
export function sameRoute(a: TopicRouteData, b: TopicRouteData): boolean {
  if (a.orderTopicConf !== b.orderTopicConf) return false;
  if (a.queueDatas.length !== b.queueDatas.length || a.brokerDatas.length !== b.brokerDatas.length) return false;
  const queues = (r: TopicRouteData): string =>
    r.queueDatas.map((q) => `${q.brokerName}/${q.readQueueNums}/${q.writeQueueNums}/${q.perm}/${q.topicSysFlag}`).sort().join(',');
  const brokers = (r: TopicRouteData): string =>
    r.brokerDatas.map((b) => `${b.brokerName}=${[...b.brokerAddrs].sort((x, y) => x[0] - y[0]).map(([id, addr]) => `${id}:${addr}`).join('|')}`).sort().join(',');
  return queues(a) === queues(b) && brokers(a) === brokers(b);
}
