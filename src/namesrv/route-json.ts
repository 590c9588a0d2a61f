/**
 * Bodies the name server sends, encoded as fastjson would (src/protocol/fastjson-writer.ts). Which form a
 * route gets depends on the caller: remoting-protocol.md §3.1 (version >= V4_9_4 or
 * acceptStandardJsonOnly -> standard JSON; older clients get unquoted integer keys).
 */
import { encodeFastjsonBody } from '../protocol/fastjson-writer';
import type { BrokerData, ClusterInfo, DataVersion, QueueData, TopicRouteData } from './route-types';

/** MQVersion ordinal of V4_9_4: from this client version on, routes are standard JSON. */
export const STANDARD_JSON_MIN_VERSION = 401;

export function wantsStandardJson(requestVersion: number, acceptStandardJsonOnly: boolean): boolean {
  return requestVersion >= STANDARD_JSON_MIN_VERSION || acceptStandardJsonOnly;
}

function brokerDataBean(b: BrokerData): Record<string, unknown> {
  return {
    brokerAddrs: b.brokerAddrs,
    brokerName: b.brokerName,
    cluster: b.cluster,
    enableActingMaster: b.enableActingMaster,
    zoneName: b.zoneName,
  };
}

function queueDataBean(q: QueueData): Record<string, unknown> {
  return {
    brokerName: q.brokerName,
    perm: q.perm,
    readQueueNums: q.readQueueNums,
    topicSysFlag: q.topicSysFlag,
    writeQueueNums: q.writeQueueNums,
  };
}

export function encodeTopicRouteData(route: TopicRouteData, standard: boolean): Buffer {
  const bean = {
    brokerDatas: route.brokerDatas.map(brokerDataBean),
    filterServerTable: route.filterServerTable,
    orderTopicConf: route.orderTopicConf,
    queueDatas: route.queueDatas.map(queueDataBean),
  };
  return encodeFastjsonBody(bean, { isStandardJson: standard });
}

/** ClusterInfo is written with plain fastjson for every caller (unquoted integer keys). */
export function encodeClusterInfo(info: ClusterInfo): Buffer {
  const brokerAddrTable = new Map<string, unknown>();
  for (const [name, data] of info.brokerAddrTable) brokerAddrTable.set(name, brokerDataBean(data));
  const bean = { brokerAddrTable, clusterAddrTable: info.clusterAddrTable };
  return encodeFastjsonBody(bean);
}

export function encodeTopicList(topics: readonly string[]): Buffer {
  return encodeFastjsonBody({ topicList: topics });
}

/** KVTable: `{"table":{"k":"v"}}`. */
export function encodeKvTable(table: ReadonlyMap<string, string>): Buffer {
  return encodeFastjsonBody({ table });
}

export function encodeDataVersion(v: DataVersion): Buffer {
  return encodeFastjsonBody({ counter: v.counter, stateVersion: v.stateVersion, timestamp: v.timestamp });
}
