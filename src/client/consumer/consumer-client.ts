/**
 * The consumer's own link to name servers and brokers: route lookup, heartbeats, invokes by broker
 * name, and the broker's NOTIFY_CONSUMER_IDS_CHANGED. It is the smallest local stand-in for the
 * shared client instance (src/client/client-instance.ts) and should be replaced by it once that
 * instance offers the same operations.
 */
import { networkInterfaces } from 'node:os';
import { randomBytes } from 'node:crypto';
import { silentLogger, type Logger } from '../../common';
import {
  RequestCode,
  ResponseCode,
  createRequest,
  parseFastjson,
  responseError,
  type RemotingCommand,
} from '../../protocol';
import { RemotingClient } from '../../remoting';
import type { MessageQueue } from './consumer-types';

const PERM_READ = 0x4;

export interface TopicRoute {
  /** Readable queues, sorted by broker name then queue id. */
  readonly queues: readonly MessageQueue[];
  /** brokerName -> master address. */
  readonly masters: ReadonlyMap<string, string>;
}

export interface ConsumerClientOptions {
  readonly namesrvAddr: string;
  readonly logger?: Logger;
  readonly requestTimeoutMs?: number;
}

/** `<ip>@<pid>#<random>`: unique per consumer even when several run in one process. */
function makeClientId(): string {
  let ip = '127.0.0.1';
  for (const list of Object.values(networkInterfaces())) {
    const found = list?.find((i) => i.family === 'IPv4' && !i.internal);
    if (found !== undefined) {
      ip = found.address;
      break;
    }
  }
  return `${ip}@${process.pid}#${randomBytes(6).toString('hex')}`;
}

export class ConsumerClient {
  readonly clientId = makeClientId();
  readonly remoting: RemotingClient;
  readonly #namesrvAddrs: string[];
  readonly #timeoutMs: number;
  readonly #masters = new Map<string, string>();
  readonly #routes = new Map<string, TopicRoute>();
  readonly #idsChangedListeners: Array<(group: string) => void> = [];
  #namesrvIndex = 0;

  constructor(options: ConsumerClientOptions) {
    this.#namesrvAddrs = options.namesrvAddr.split(';').map((a) => a.trim()).filter((a) => a !== '');
    if (this.#namesrvAddrs.length === 0) throw new TypeError('namesrvAddr must name at least one "host:port"');
    this.#timeoutMs = options.requestTimeoutMs ?? 3000;
    this.remoting = new RemotingClient({ logger: options.logger ?? silentLogger });
    this.remoting.registerHandler(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, (request) => {
      const group = request.extFields['consumerGroup'] ?? '';
      for (const listener of this.#idsChangedListeners) listener(group);
      return null;
    });
  }

  onConsumerIdsChanged(listener: (group: string) => void): void {
    this.#idsChangedListeners.push(listener);
  }

  /** Asks the name servers (round robin, failing over) for a topic's route and caches it. */
  async refreshRoute(topic: string): Promise<TopicRoute> {
    let lastError: unknown;
    for (let i = 0; i < this.#namesrvAddrs.length; i++) {
      const addr = this.#namesrvAddrs[this.#namesrvIndex++ % this.#namesrvAddrs.length] as string;
      try {
        const response = await this.remoting.invokeSync(addr, createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic }), this.#timeoutMs);
        if (response.code !== ResponseCode.SUCCESS) throw responseError(response.code, response.remark);
        const route = this.#parseRoute(topic, response.body);
        this.#routes.set(topic, route);
        return route;
      } catch (err) {
        lastError = err;
      }
    }
    throw lastError;
  }

  cachedRoute(topic: string): TopicRoute | undefined {
    return this.#routes.get(topic);
  }

  brokerAddress(brokerName: string): string {
    const addr = this.#masters.get(brokerName);
    if (addr === undefined) throw new Error(`no known address for broker ${brokerName}`);
    return addr;
  }

  knownBrokers(): string[] {
    return [...new Set(this.#masters.values())];
  }

  invoke(brokerName: string, request: RemotingCommand, timeoutMs = this.#timeoutMs): Promise<RemotingCommand> {
    return this.remoting.invokeSync(this.brokerAddress(brokerName), request, timeoutMs);
  }

  /** Sends HEART_BEAT with `body` to every known broker master; failures are logged by the caller. */
  async heartbeatAll(body: Buffer): Promise<void> {
    await Promise.all(this.knownBrokers().map(async (addr) => {
      const response = await this.remoting.invokeSync(addr, createRequest(RequestCode.HEART_BEAT, {}, body), this.#timeoutMs);
      if (response.code !== ResponseCode.SUCCESS) throw responseError(response.code, response.remark);
    }));
  }

  async unregisterAll(group: string): Promise<void> {
    await Promise.allSettled(this.knownBrokers().map((addr) =>
      this.remoting.invokeSync(addr, createRequest(RequestCode.UNREGISTER_CLIENT, { clientID: this.clientId, consumerGroup: group }), this.#timeoutMs)));
  }

  shutdown(): Promise<void> {
    return this.remoting.shutdown();
  }

  #parseRoute(topic: string, body: Buffer | undefined): TopicRoute {
    const json = parseFastjson(body ?? Buffer.alloc(0)) as {
      brokerDatas?: Array<{ brokerName: string; brokerAddrs: Record<string, string> }>;
      queueDatas?: Array<{ brokerName: string; perm: number; readQueueNums: number }>;
    };
    const masters = new Map<string, string>();
    for (const broker of json.brokerDatas ?? []) {
      const master = broker.brokerAddrs['0'];
      if (master !== undefined) {
        masters.set(broker.brokerName, master);
        this.#masters.set(broker.brokerName, master);
      }
    }
    const queues: MessageQueue[] = [];
    for (const data of [...(json.queueDatas ?? [])].sort((a, b) => (a.brokerName < b.brokerName ? -1 : a.brokerName > b.brokerName ? 1 : 0))) {
      if ((data.perm & PERM_READ) === 0 || !masters.has(data.brokerName)) continue;
      for (let queueId = 0; queueId < data.readQueueNums; queueId++) queues.push({ topic, brokerName: data.brokerName, queueId });
    }
    return { queues, masters };
  }
}
