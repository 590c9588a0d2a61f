/**
 * Route state value types, named and shaped after RocketMQ's QueueData, BrokerData, DataVersion and
 * TopicConfig. Field names are the JSON keys Java clients read, so the encoders can walk them as is.
 */

/** PermName bits. */
export const PERM_PRIORITY = 8;
export const PERM_READ = 4;
export const PERM_WRITE = 2;
export const PERM_INHERIT = 1;

/** brokerId of a master (MixAll.MASTER_ID). */
export const MASTER_ID = 0;

/** KV namespace whose values become `orderTopicConf` in routes and the REGISTER_BROKER answer. */
export const NAMESPACE_ORDER_TOPIC_CONFIG = 'ORDER_TOPIC_CONFIG';

export interface DataVersion {
  readonly counter: number;
  readonly stateVersion: number;
  readonly timestamp: number;
}

export function sameDataVersion(a: DataVersion | undefined, b: DataVersion | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  return a.counter === b.counter && a.stateVersion === b.stateVersion && a.timestamp === b.timestamp;
}

/** One topic as a broker reports it in REGISTER_BROKER (TopicConfig). */
export interface TopicConfig {
  readonly topicName: string;
  readonly readQueueNums: number;
  readonly writeQueueNums: number;
  readonly perm: number;
  readonly topicSysFlag: number;
  readonly topicFilterType: string;
  readonly order: boolean;
}

export interface QueueData {
  readonly brokerName: string;
  readonly readQueueNums: number;
  readonly writeQueueNums: number;
  readonly perm: number;
  readonly topicSysFlag: number;
}

export function sameQueueData(a: QueueData, b: QueueData): boolean {
  return a.brokerName === b.brokerName && a.readQueueNums === b.readQueueNums &&
    a.writeQueueNums === b.writeQueueNums && a.perm === b.perm && a.topicSysFlag === b.topicSysFlag;
}

/** A broker group: one master (id 0) and its slaves, keyed by brokerId. */
export interface BrokerData {
  readonly cluster: string;
  readonly brokerName: string;
  /** brokerId -> "ip:port". */
  readonly brokerAddrs: ReadonlyMap<number, string>;
  readonly zoneName?: string;
  readonly enableActingMaster: boolean;
}

/** TopicRouteData: what GET_ROUTEINFO_BY_TOPIC answers. */
export interface TopicRouteData {
  readonly queueDatas: readonly QueueData[];
  readonly brokerDatas: readonly BrokerData[];
  /** brokerAddr -> filter server addresses. */
  readonly filterServerTable: ReadonlyMap<string, readonly string[]>;
  /** `brokerName:queueNum;...` from the ORDER_TOPIC_CONFIG namespace, when enabled and present. */
  readonly orderTopicConf?: string;
}

/** ClusterInfo: what GET_BROKER_CLUSTER_INFO answers. */
export interface ClusterInfo {
  readonly brokerAddrTable: ReadonlyMap<string, BrokerData>;
  readonly clusterAddrTable: ReadonlyMap<string, readonly string[]>;
}

/** The broker-side facts of one REGISTER_BROKER call (header + decoded body). */
export interface BrokerRegistration {
  readonly clusterName: string;
  readonly brokerAddr: string;
  readonly brokerName: string;
  readonly brokerId: number;
  readonly haServerAddr: string;
  readonly zoneName?: string;
  /** The broker's own expiry (heartbeatTimeoutMillis), else the name server's default. */
  readonly heartbeatTimeoutMs?: number;
  /** Absent from brokers older than 5.0; they never get a prime slave's routes (as in Java). */
  readonly enableActingMaster?: boolean;
  readonly dataVersion: DataVersion;
  readonly topicConfigs: readonly TopicConfig[];
  readonly filterServerList: readonly string[];
  /** The connection the registration came on; closing it drops the broker. */
  readonly channel: unknown;
}

/** RegisterBrokerResult: the master's addresses, returned to slaves. */
export interface RegisterBrokerResult {
  readonly haServerAddr?: string;
  readonly masterAddr?: string;
}
