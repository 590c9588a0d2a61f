/**
 * RocketMQ's RouteInfoManager: the name server's whole state. Brokers register their topic configs;
 * clients read routes and cluster info. Nothing here does I/O: the handlers decode requests, the
 * housekeeping timer calls scanNotActiveBrokers(), and the controller calls onChannelClosed().
 *
 * Tables (Java name in parentheses):
 * - topics (topicQueueTable): topic -> brokerName -> QueueData
 * - brokers (brokerAddrTable): brokerName -> cluster, brokerAddrs (brokerId -> addr)
 * - clusters (clusterAddrTable): cluster -> brokerNames
 * - live (brokerLiveTable): brokerAddr -> last update, expiry, data version, channel, haServerAddr
 * - filterServers (filterServerTable): brokerAddr -> filter server addresses
 *
 * All methods are synchronous and run on the event loop, so no lock is needed (Java's RW lock).
 */
import type { Clock } from '../common/clock';
import {
  MASTER_ID, PERM_READ, PERM_WRITE, sameDataVersion, sameQueueData,
  type BrokerData, type BrokerRegistration, type ClusterInfo, type DataVersion, type QueueData,
  type RegisterBrokerResult, type TopicRouteData,
} from './route-types';

/** DEFAULT_BROKER_CHANNEL_EXPIRED_TIME. */
export const DEFAULT_BROKER_EXPIRY_MS = 120_000;

interface MutableBrokerData {
  cluster: string;
  brokerName: string;
  brokerAddrs: Map<number, string>;
  zoneName: string | undefined;
  enableActingMaster: boolean;
}

export interface BrokerLiveInfo {
  readonly brokerAddr: string;
  lastUpdateTimestamp: number;
  readonly heartbeatTimeoutMs: number;
  dataVersion: DataVersion;
  readonly channel: unknown;
  readonly haServerAddr: string;
}

export interface UnregisterTarget {
  readonly clusterName: string;
  readonly brokerAddr: string;
  readonly brokerName: string;
  readonly brokerId: number;
}

export interface RouteInfoManagerOptions {
  readonly clock: Clock;
  /** Expiry for brokers that did not send heartbeatTimeoutMillis. */
  readonly brokerExpiryMs?: number;
}

export class RouteInfoManager {
  readonly #clock: Clock;
  readonly #defaultExpiryMs: number;
  readonly #topics = new Map<string, Map<string, QueueData>>();
  readonly #brokers = new Map<string, MutableBrokerData>();
  readonly #clusters = new Map<string, Set<string>>();
  readonly #live = new Map<string, BrokerLiveInfo>();
  readonly #filterServers = new Map<string, readonly string[]>();

  constructor(options: RouteInfoManagerOptions) {
    this.#clock = options.clock;
    this.#defaultExpiryMs = options.brokerExpiryMs ?? DEFAULT_BROKER_EXPIRY_MS;
  }

  /**
   * Registers (or refreshes) one broker. Topic configs are only applied when this is the broker's
   * first registration or its data version changed (or a topic has no queue data for it yet), so a
   * periodic unchanged registration costs a timestamp update. Returns the master's addresses for
   * slaves; undefined when the registration was refused (Java returns null in the same cases).
   */
  registerBroker(reg: BrokerRegistration): RegisterBrokerResult | undefined {
    let brokerNames = this.#clusters.get(reg.clusterName);
    if (brokerNames === undefined) {
      brokerNames = new Set();
      this.#clusters.set(reg.clusterName, brokerNames);
    }
    brokerNames.add(reg.brokerName);

    let registerFirst = false;
    let brokerData = this.#brokers.get(reg.brokerName);
    if (brokerData === undefined) {
      registerFirst = true;
      brokerData = {
        cluster: reg.clusterName, brokerName: reg.brokerName, brokerAddrs: new Map(),
        zoneName: reg.zoneName, enableActingMaster: reg.enableActingMaster ?? false,
      };
      this.#brokers.set(reg.brokerName, brokerData);
    }
    brokerData.enableActingMaster = reg.enableActingMaster ?? false;
    if (reg.zoneName !== undefined) brokerData.zoneName = reg.zoneName;
    const addrs = brokerData.brokerAddrs;

    // One ip:port has one role: a slave promoted to master first loses its old id entry.
    for (const [id, addr] of [...addrs]) {
      if (addr === reg.brokerAddr && id !== reg.brokerId) addrs.delete(id);
    }

    // A stale registration from a replaced address with an older state version is refused.
    const oldAddr = addrs.get(reg.brokerId);
    if (oldAddr !== undefined && oldAddr !== reg.brokerAddr) {
      const oldLive = this.#live.get(oldAddr);
      if (oldLive !== undefined && oldLive.dataVersion.stateVersion > reg.dataVersion.stateVersion) {
        this.#live.delete(reg.brokerAddr);
        return undefined;
      }
    }

    addrs.set(reg.brokerId, reg.brokerAddr);
    registerFirst = registerFirst || oldAddr === undefined;

    const isMaster = reg.brokerId === MASTER_ID;
    // The lowest-id slave stands in for an absent master, but only for brokers that know about it.
    const isOldVersionBroker = reg.enableActingMaster === undefined;
    const isPrimeSlave = !isOldVersionBroker && !isMaster && reg.brokerId === Math.min(...addrs.keys());
    if (isMaster || isPrimeSlave) {
      const versionChanged = this.#isBrokerDataVersionChanged(reg.brokerAddr, reg.dataVersion);
      for (const tc of reg.topicConfigs) {
        if (!registerFirst && !versionChanged && this.#hasQueueData(tc.topicName, reg.brokerName)) continue;
        // A prime slave standing in for a dead master serves reads only.
        const perm = isPrimeSlave && reg.enableActingMaster === true ? tc.perm & ~PERM_WRITE : tc.perm;
        this.#putQueueData(tc.topicName, {
          brokerName: reg.brokerName, readQueueNums: tc.readQueueNums, writeQueueNums: tc.writeQueueNums,
          perm, topicSysFlag: tc.topicSysFlag,
        });
      }
    }

    this.#live.set(reg.brokerAddr, {
      brokerAddr: reg.brokerAddr,
      lastUpdateTimestamp: this.#clock.now(),
      heartbeatTimeoutMs: reg.heartbeatTimeoutMs ?? this.#defaultExpiryMs,
      dataVersion: reg.dataVersion,
      channel: reg.channel,
      haServerAddr: reg.haServerAddr,
    });
    if (reg.filterServerList.length === 0) this.#filterServers.delete(reg.brokerAddr);
    else this.#filterServers.set(reg.brokerAddr, [...reg.filterServerList]);

    if (isMaster) return {};
    const masterAddr = addrs.get(MASTER_ID);
    if (masterAddr === undefined) return {};
    const masterLive = this.#live.get(masterAddr);
    if (masterLive === undefined) return {};
    return { haServerAddr: masterLive.haServerAddr, masterAddr };
  }

  /**
   * Removes one broker address. Its group's routes stay while any other address (a slave) is
   * left; when the group is empty, its queue data goes and topics left without queue data vanish.
   */
  unregisterBroker(target: UnregisterTarget): void {
    this.#live.delete(target.brokerAddr);
    this.#filterServers.delete(target.brokerAddr);
    const brokerData = this.#brokers.get(target.brokerName);
    if (brokerData === undefined) return;
    for (const [id, addr] of [...brokerData.brokerAddrs]) {
      if (addr === target.brokerAddr) brokerData.brokerAddrs.delete(id);
    }
    if (brokerData.brokerAddrs.size > 0) return;
    this.#brokers.delete(target.brokerName);
    const names = this.#clusters.get(brokerData.cluster);
    if (names !== undefined) {
      names.delete(target.brokerName);
      if (names.size === 0) this.#clusters.delete(brokerData.cluster);
    }
    this.#removeTopicsOfBroker(target.brokerName);
  }

  /**
   * The registration channel closed: drop every broker that registered on it (Java drops only the
   * first it finds; one connection carrying several brokers' registrations would leave the rest).
   */
  onChannelClosed(channel: unknown): UnregisterTarget[] {
    const dropped: UnregisterTarget[] = [];
    for (const live of [...this.#live.values()]) {
      if (live.channel !== channel) continue;
      const target = this.#dropLive(live.brokerAddr);
      if (target !== undefined) dropped.push(target);
    }
    return dropped;
  }

  /**
   * Drops every broker whose last registration is older than its expiry. Returns the dropped
   * brokers with their channels so the caller can close the connections (as Java does).
   */
  scanNotActiveBrokers(): Array<{ target: UnregisterTarget; channel: unknown }> {
    const now = this.#clock.now();
    const dropped: Array<{ target: UnregisterTarget; channel: unknown }> = [];
    for (const live of [...this.#live.values()]) {
      if (live.lastUpdateTimestamp + live.heartbeatTimeoutMs >= now) continue;
      const target = this.#dropLive(live.brokerAddr);
      if (target !== undefined) dropped.push({ target, channel: live.channel });
    }
    return dropped;
  }

  /** QUERY_DATA_VERSION: refreshes liveness and tells whether the broker's topics changed. */
  queryDataVersion(brokerAddr: string, version: DataVersion): { changed: boolean; nameServerVersion?: DataVersion } {
    const live = this.#live.get(brokerAddr);
    if (live === undefined) return { changed: true };
    live.lastUpdateTimestamp = this.#clock.now();
    return { changed: !sameDataVersion(live.dataVersion, version), nameServerVersion: live.dataVersion };
  }

  /** BROKER_HEARTBEAT (5.x): a lightweight keep-alive between full registrations. */
  touchBroker(brokerAddr: string): boolean {
    const live = this.#live.get(brokerAddr);
    if (live === undefined) return false;
    live.lastUpdateTimestamp = this.#clock.now();
    return true;
  }

  /**
   * WIPE_WRITE_PERM_OF_BROKER / ADD_WRITE_PERM_OF_BROKER: takes write permission from every queue
   * data of one broker group (draining it), or gives read+write back. Returns how many topics changed.
   */
  setWritePermOfBroker(brokerName: string, writable: boolean): number {
    let count = 0;
    for (const queues of this.#topics.values()) {
      const q = queues.get(brokerName);
      if (q === undefined) continue;
      const perm = writable ? PERM_READ | PERM_WRITE : q.perm & ~PERM_WRITE;
      queues.set(brokerName, { ...q, perm });
      count++;
    }
    return count;
  }

  /** Route of a topic, or undefined when no live broker group hosts it. */
  pickupTopicRouteData(topic: string): TopicRouteData | undefined {
    const queues = this.#topics.get(topic);
    if (queues === undefined || queues.size === 0) return undefined;
    const queueDatas = [...queues.values()].sort((a, b) => compare(a.brokerName, b.brokerName));
    const brokerDatas: BrokerData[] = [];
    const filterServerTable = new Map<string, readonly string[]>();
    for (const q of queueDatas) {
      const b = this.#brokers.get(q.brokerName);
      if (b === undefined) continue;
      brokerDatas.push(snapshot(b));
      for (const addr of b.brokerAddrs.values()) {
        const servers = this.#filterServers.get(addr);
        if (servers !== undefined) filterServerTable.set(addr, servers);
      }
    }
    if (brokerDatas.length === 0) return undefined;
    return { queueDatas, brokerDatas, filterServerTable };
  }

  getAllClusterInfo(): ClusterInfo {
    const brokerAddrTable = new Map<string, BrokerData>();
    for (const [name, b] of this.#brokers) brokerAddrTable.set(name, snapshot(b));
    const clusterAddrTable = new Map<string, readonly string[]>();
    for (const [cluster, names] of this.#clusters) clusterAddrTable.set(cluster, [...names].sort(compare));
    return { brokerAddrTable, clusterAddrTable };
  }

  getAllTopicList(): string[] {
    return [...this.#topics.keys()].sort(compare);
  }

  getTopicsByCluster(cluster: string): string[] {
    const names = this.#clusters.get(cluster);
    if (names === undefined) return [];
    const topics: string[] = [];
    for (const [topic, queues] of this.#topics) {
      if ([...queues.keys()].some((name) => names.has(name))) topics.push(topic);
    }
    return topics.sort(compare);
  }

  /** DELETE_TOPIC_IN_NAMESRV: everywhere, or only from the broker groups of one cluster. */
  deleteTopic(topic: string, clusterName?: string): void {
    if (clusterName === undefined || clusterName === '') {
      this.#topics.delete(topic);
      return;
    }
    const queues = this.#topics.get(topic);
    const names = this.#clusters.get(clusterName);
    if (queues === undefined || names === undefined) return;
    for (const name of names) queues.delete(name);
    if (queues.size === 0) this.#topics.delete(topic);
  }

  /** Live entry of one broker address (tests, admin). */
  brokerLiveInfo(brokerAddr: string): Readonly<BrokerLiveInfo> | undefined {
    return this.#live.get(brokerAddr);
  }

  #dropLive(brokerAddr: string): UnregisterTarget | undefined {
    for (const b of this.#brokers.values()) {
      for (const [id, addr] of b.brokerAddrs) {
        if (addr !== brokerAddr) continue;
        const target = { clusterName: b.cluster, brokerAddr, brokerName: b.brokerName, brokerId: id };
        this.unregisterBroker(target);
        return target;
      }
    }
    this.#live.delete(brokerAddr);
    this.#filterServers.delete(brokerAddr);
    return undefined;
  }

  #isBrokerDataVersionChanged(brokerAddr: string, version: DataVersion): boolean {
    return !sameDataVersion(this.#live.get(brokerAddr)?.dataVersion, version);
  }

  #hasQueueData(topic: string, brokerName: string): boolean {
    return this.#topics.get(topic)?.has(brokerName) ?? false;
  }

  #putQueueData(topic: string, q: QueueData): void {
    let queues = this.#topics.get(topic);
    if (queues === undefined) {
      queues = new Map();
      this.#topics.set(topic, queues);
    }
    const existing = queues.get(q.brokerName);
    if (existing === undefined || !sameQueueData(existing, q)) queues.set(q.brokerName, q);
  }

  #removeTopicsOfBroker(brokerName: string): void {
    for (const [topic, queues] of [...this.#topics]) {
      queues.delete(brokerName);
      if (queues.size === 0) this.#topics.delete(topic);
    }
  }
}

function snapshot(b: MutableBrokerData): BrokerData {
  const base = {
    cluster: b.cluster, brokerName: b.brokerName, brokerAddrs: new Map(b.brokerAddrs),
    enableActingMaster: b.enableActingMaster,
  };
  return b.zoneName === undefined ? base : { ...base, zoneName: b.zoneName };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
