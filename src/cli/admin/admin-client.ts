/**
 * The remoting calls the admin commands make: one request at a time to the name server or a
 * broker, a non-SUCCESS answer turned into an error that reads as one line. Parsed views of the
 * name server's route and cluster bodies live here so every subcommand sees brokers the same way.
 */
import { silentLogger } from '../../common/logger';
import { parseFastjson } from '../../protocol/fastjson-parser';
import { createRequest, type RemotingCommand } from '../../protocol/remoting-command';
import { RequestCode } from '../../protocol/request-code';
import { ResponseCode } from '../../protocol/response-code';
import { RemotingClient } from '../../remoting/remoting-client';
import { decodeTopicRouteData, type TopicRouteData } from '../../client/route/topic-route-cache';

export const DEFAULT_NAMESRV = '127.0.0.1:9876';
const TIMEOUT_MS = 5_000;

/** A broker group's master, as the name server lists it. */
export interface BrokerMaster {
  readonly cluster: string;
  readonly brokerName: string;
  readonly address: string;
}

export interface ClusterInfo {
  /** brokerName -> { cluster, brokerAddrs: id -> address }. */
  readonly brokers: ReadonlyArray<{ cluster: string; brokerName: string; brokerAddrs: ReadonlyMap<number, string> }>;
  /** cluster -> broker names. */
  readonly clusters: ReadonlyMap<string, readonly string[]>;
}

export class AdminClient {
  readonly #remoting = new RemotingClient({ logger: silentLogger });

  constructor(readonly namesrvAddr: string) {}

  async close(): Promise<void> {
    await this.#remoting.shutdown();
  }

  /** Sends one request and returns the response whatever its code; transport failures name the address. */
  async call(address: string, code: number, extFields: Record<string, string> = {}, body?: Buffer): Promise<RemotingCommand> {
    try {
      return await this.#remoting.invokeSync(address, createRequest(code, extFields, body), TIMEOUT_MS);
    } catch (err) {
      const role = address === this.namesrvAddr ? 'name server' : 'broker';
      throw new Error(`cannot reach ${role} ${address}: ${(err as Error).message}`);
    }
  }

  /** Like call, but anything other than SUCCESS becomes an error carrying the server's remark. */
  async expectSuccess(address: string, code: number, extFields: Record<string, string> = {}, what = `request ${code}`): Promise<RemotingCommand> {
    const response = await this.call(address, code, extFields);
    if (response.code !== ResponseCode.SUCCESS) {
      throw new Error(`${what} failed at ${address}: ${firstLine(response.remark) ?? `response code ${response.code}`}`);
    }
    return response;
  }

  /** The topic's route; an unknown topic is a one-line error. */
  async route(topic: string): Promise<TopicRouteData> {
    const response = await this.call(this.namesrvAddr, RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic });
    if (response.code === ResponseCode.TOPIC_NOT_EXIST) throw new Error(`topic '${topic}' does not exist (no route on name server ${this.namesrvAddr})`);
    if (response.code !== ResponseCode.SUCCESS) throw new Error(`route of '${topic}': ${firstLine(response.remark) ?? `response code ${response.code}`}`);
    return decodeTopicRouteData(response.body);
  }

  /** The master of every broker group serving the topic. */
  async topicMasters(topic: string): Promise<BrokerMaster[]> {
    const route = await this.route(topic);
    const masters: BrokerMaster[] = [];
    for (const data of route.brokerDatas) {
      const address = data.brokerAddrs.get(0);
      if (address !== undefined) masters.push({ cluster: data.cluster, brokerName: data.brokerName, address });
    }
    if (masters.length === 0) throw new Error(`topic '${topic}' has no master broker online`);
    return masters.sort((a, b) => a.brokerName.localeCompare(b.brokerName));
  }

  async clusterInfo(): Promise<ClusterInfo> {
    const response = await this.expectSuccess(this.namesrvAddr, RequestCode.GET_BROKER_CLUSTER_INFO, {}, 'cluster info');
    const root = asObject(parseFastjson(response.body ?? Buffer.from('{}')));
    const brokers: Array<{ cluster: string; brokerName: string; brokerAddrs: Map<number, string> }> = [];
    for (const [brokerName, value] of entries(root['brokerAddrTable'])) {
      const data = asObject(value);
      const brokerAddrs = new Map<number, string>();
      for (const [id, address] of entries(data['brokerAddrs'])) brokerAddrs.set(Number(id), String(address));
      brokers.push({ cluster: String(data['cluster'] ?? ''), brokerName, brokerAddrs });
    }
    const clusters = new Map<string, string[]>();
    for (const [cluster, names] of entries(root['clusterAddrTable'])) {
      clusters.set(cluster, (Array.isArray(names) ? names.map(String) : []).sort());
    }
    brokers.sort((a, b) => a.brokerName.localeCompare(b.brokerName));
    return { brokers, clusters };
  }

  /** Masters of one cluster (or of every cluster when `cluster` is undefined). */
  async clusterMasters(cluster?: string): Promise<BrokerMaster[]> {
    const info = await this.clusterInfo();
    if (cluster !== undefined && !info.clusters.has(cluster)) {
      throw new Error(`cluster '${cluster}' is unknown to name server ${this.namesrvAddr} (known: ${[...info.clusters.keys()].join(', ') || 'none'})`);
    }
    const masters: BrokerMaster[] = [];
    for (const broker of info.brokers) {
      const address = broker.brokerAddrs.get(0);
      if (address === undefined || (cluster !== undefined && broker.cluster !== cluster)) continue;
      masters.push({ cluster: broker.cluster, brokerName: broker.brokerName, address });
    }
    return masters;
  }
}

export function firstLine(text: string | undefined): string | undefined {
  if (text === undefined || text === '') return undefined;
  return text.split('\n')[0];
}

export function asObject(value: unknown): Record<string, unknown> {
  if (value instanceof Map) return Object.fromEntries([...value.entries()].map(([k, v]) => [String(k), v]));
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  return {};
}

/** Entries of a JSON object read by parseFastjson (a plain object, or a Map for object keys). */
export function entries(value: unknown): Array<[string, unknown]> {
  if (value instanceof Map) return [...value.entries()].map(([k, v]) => [typeof k === 'string' ? k : JSON.stringify(k), v]);
  return Object.entries(asObject(value));
}

/** Map entries whose keys are MessageQueue objects ({brokerName, queueId, topic}). */
export function queueEntries(value: unknown): Array<{ brokerName: string; queueId: number; topic: string; value: Record<string, unknown> }> {
  const out: Array<{ brokerName: string; queueId: number; topic: string; value: Record<string, unknown> }> = [];
  if (!(value instanceof Map)) return out;
  for (const [key, v] of value.entries()) {
    const k = asObject(key);
    out.push({ brokerName: String(k['brokerName']), queueId: Number(k['queueId']), topic: String(k['topic']), value: asObject(v) });
  }
  return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.brokerName.localeCompare(b.brokerName) || a.queueId - b.queueId);
}

export function num(value: unknown): number {
  return typeof value === 'bigint' ? Number(value) : Number(value ?? 0);
}
