/**
 * One client's connection to the cluster (MQClientInstance): the name-server list with failover,
 * the topic route cache refreshed every 30 s and on demand, the broker address table derived from
 * the routes, heartbeats every 30 s to every broker with the groups registered here, and the hook
 * for requests brokers send to clients. Producers and consumers are built on top of it.
 *
 * Lifecycle: start() arms the timers; shutdown() unregisters the groups from every broker (best
 * effort), stops the timers and closes every connection. Both are idempotent.
 */
import type { Clock, TimerHandle } from '../common/clock';
import type { Logger } from '../common/logger';
import { errorCode } from '../common/mq-error';
import { mqError, responseError } from '../protocol/errors';
import { encodeFastjsonBody } from '../protocol/fastjson-writer';
import { copyCommand, createRequest, createResponse, type RemotingCommand } from '../protocol/remoting-command';
import { RequestCode } from '../protocol/request-code';
import { ResponseCode } from '../protocol/response-code';
import type { SubscriptionData } from '../protocol/subscription-data';
import { basicRunningInfo, MQVersionName } from './consumer/running-info';
import { RemotingClient } from '../remoting/remoting-client';
import type { ResponseWaiter } from '../remoting/connection';
import type { RequestHandler } from '../remoting/request-handler';
import { clientStateError, createClientConfig, type ClientConfig, type ClientOptions } from './client-config';
import { TransactionCheckDispatcher } from './producer/transaction-check-dispatch';
import {
  MASTER_ID,
  buildTopicRouteInfo,
  decodeTopicRouteData,
  sameRoute,
  type TopicRouteInfo,
} from './route/topic-route-cache';

/** One consumer group as HeartbeatData carries it (ConsumerData.java). */
export interface ConsumerHeartbeatData {
  readonly groupName: string;
  /** CONSUME_ACTIVELY (pull) or CONSUME_PASSIVELY (push). */
  readonly consumeType: 'CONSUME_ACTIVELY' | 'CONSUME_PASSIVELY';
  readonly messageModel: 'CLUSTERING' | 'BROADCASTING';
  readonly consumeFromWhere: string;
  readonly subscriptionDataSet: readonly SubscriptionData[];
  readonly unitMode?: boolean;
}

/** A broker address resolved by findBrokerAddress. */
export interface BrokerAddress {
  readonly address: string;
  readonly brokerId: number;
  readonly isSlave: boolean;
}

export type RouteChangeListener = (info: TopicRouteInfo) => void;

/** What the instance asks of a registered consumer besides its heartbeat data. */
export interface ConsumerHooks {
  /** The broker's NOTIFY_CONSUMER_IDS_CHANGED for this group (rebalance now). */
  readonly idsChanged?: () => void;
  /** The ConsumerRunningInfo bean (a fastjson-ready value) GET_CONSUMER_RUNNING_INFO answers with. */
  readonly runningInfo?: () => unknown;
}

/** Failures that mean "this name server is unreachable", so the next one is tried. */
const NAMESRV_FAILOVER_CODES = new Set(['ERR_REMOTING_CONNECT', 'ERR_REMOTING_TIMEOUT', 'ERR_REMOTING_CLOSED']);

export class ClientInstance {
  readonly config: ClientConfig;
  readonly clientId: string;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #remoting: RemotingClient;
  /** Routes the brokers' CHECK_TRANSACTION_STATE to this instance's transactional producers. */
  readonly transactionChecks: TransactionCheckDispatcher;
  readonly #routes = new Map<string, TopicRouteInfo>();
  readonly #routeFetches = new Map<string, Promise<TopicRouteInfo | undefined>>();
  /** brokerName -> brokerId -> address, the union of every cached route. */
  #brokerAddrs = new Map<string, Map<number, string>>();
  readonly #producerGroups = new Set<string>();
  readonly #consumers = new Map<string, () => ConsumerHeartbeatData>();
  readonly #consumerHooks = new Map<string, ConsumerHooks>();
  readonly #routeListeners = new Set<RouteChangeListener>();
  /** Topics refreshed by the timer even before they have a route (a producer's auto-created topic). */
  readonly #watchedTopics = new Set<string>();
  #namesrvIndex = 0;
  #state: 'created' | 'running' | 'stopped' = 'created';
  #heartbeatTimer: TimerHandle | undefined;
  #routeTimer: TimerHandle | undefined;

  constructor(options: ClientOptions | ClientConfig) {
    this.config = 'clientId' in options ? options : createClientConfig(options);
    this.clientId = this.config.clientId;
    this.#logger = this.config.logger;
    this.#clock = this.config.clock;
    this.#remoting = new RemotingClient({ logger: this.#logger, clock: this.#clock });
    this.transactionChecks = new TransactionCheckDispatcher(this.#logger, (code, handler) => this.#remoting.registerHandler(code, handler));
    // One handler per code for every group sharing this instance; the request names the group.
    this.#remoting.registerHandler(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, (request) => {
      this.#consumerHooks.get(request.extFields['consumerGroup'] ?? '')?.idsChanged?.();
      return null;
    });
    this.#remoting.registerHandler(RequestCode.GET_CONSUMER_RUNNING_INFO, (request) => this.#answerRunningInfo(request));
  }

  get clock(): Clock {
    return this.#clock;
  }

  get logger(): Logger {
    return this.#logger;
  }

  get isRunning(): boolean {
    return this.#state === 'running';
  }

  /** Called with the address whenever a connection to a broker or name server closes (orderly consumers drop that broker's locks). */
  onConnectionClose(listener: (address: string) => void): () => void {
    return this.#remoting.onConnectionClose(listener);
  }

  /** Arms the route-refresh and heartbeat timers. Idempotent while running. */
  async start(): Promise<void> {
    if (this.#state === 'running') return;
    if (this.#state === 'stopped') throw clientStateError('a shut down client instance cannot be restarted');
    this.#state = 'running';
    this.#scheduleRouteRefresh();
    this.#scheduleHeartbeat();
  }

  /** Unregisters every group from every broker (best effort), stops timers, closes connections. */
  async shutdown(): Promise<void> {
    if (this.#state === 'stopped') return;
    const wasRunning = this.#state === 'running';
    this.#state = 'stopped';
    this.#heartbeatTimer?.cancel();
    this.#routeTimer?.cancel();
    if (wasRunning) {
      const unregisters: Promise<void>[] = [];
      for (const group of this.#producerGroups) unregisters.push(this.#unregisterEverywhere({ producerGroup: group }));
      for (const group of this.#consumers.keys()) unregisters.push(this.#unregisterEverywhere({ consumerGroup: group }));
      await Promise.all(unregisters);
    }
    await this.#remoting.shutdown();
  }

  // ---- groups and heartbeats ------------------------------------------------------------------

  /** Registers a producer group: it is in every heartbeat from now on. Throws if already here. */
  registerProducer(group: string): void {
    if (this.#producerGroups.has(group)) {
      throw clientStateError(`producer group ${group} is already registered on client ${this.clientId}`);
    }
    this.#producerGroups.add(group);
  }

  /** Drops a producer group and tells every broker (UNREGISTER_CLIENT). */
  async unregisterProducer(group: string): Promise<void> {
    if (!this.#producerGroups.delete(group)) return;
    if (this.#state === 'running') await this.#unregisterEverywhere({ producerGroup: group });
  }

  /**
   * Registers a consumer group. `info` is called at every heartbeat, so it returns the group's
   * current subscriptions (ConsumerData). Throws if the group is already registered here.
   */
  registerConsumer(group: string, info: () => ConsumerHeartbeatData, hooks: ConsumerHooks = {}): void {
    if (this.#consumers.has(group)) {
      throw clientStateError(`consumer group ${group} is already registered on client ${this.clientId}`);
    }
    this.#consumers.set(group, info);
    this.#consumerHooks.set(group, hooks);
  }

  /** Whether `group` is registered here as a consumer. */
  hasConsumer(group: string): boolean {
    return this.#consumers.has(group);
  }

  /** Drops a consumer group and tells every broker (UNREGISTER_CLIENT). */
  async unregisterConsumer(group: string): Promise<void> {
    this.#consumerHooks.delete(group);
    if (!this.#consumers.delete(group)) return;
    if (this.#state === 'running') await this.#unregisterEverywhere({ consumerGroup: group });
  }

  /** The HeartbeatData body this client sends now. */
  heartbeatData(): Record<string, unknown> {
    return {
      clientID: this.clientId,
      producerDataSet: [...this.#producerGroups].map((groupName) => ({ groupName })),
      consumerDataSet: [...this.#consumers.values()].map((info) => info()),
    };
  }

  /**
   * Sends HEART_BEAT to every known broker: masters always, slaves too when consumers are
   * registered (they may pull from slaves). Failures are logged, never thrown; resolves with the
   * addresses that answered SUCCESS.
   */
  async sendHeartbeatToAllBrokers(): Promise<string[]> {
    if (this.#producerGroups.size === 0 && this.#consumers.size === 0) return [];
    const body = Buffer.from(JSON.stringify(this.heartbeatData()), 'utf8');
    const withSlaves = this.#consumers.size > 0;
    const targets: string[] = [];
    for (const ids of this.#brokerAddrs.values()) {
      for (const [id, address] of ids) if (id === MASTER_ID || withSlaves) targets.push(address);
    }
    const ok: string[] = [];
    await Promise.all(targets.map(async (address) => {
      try {
        const response = await this.#remoting.invokeSync(address, createRequest(RequestCode.HEART_BEAT, {}, body), this.config.requestTimeoutMs);
        if (response.code === ResponseCode.SUCCESS) ok.push(address);
        else this.#logger.warn(`heartbeat to ${address} answered ${response.code}: ${response.remark ?? ''}`);
      } catch (err) {
        this.#logger.warn(`heartbeat to ${address} failed: ${(err as Error).message}`);
      }
    }));
    return ok;
  }

  // ---- routes -----------------------------------------------------------------------------------

  /**
   * The route of `topic`: cached, else fetched from the name servers. Rejects with
   * ERR_TOPIC_NOT_EXIST when no name server knows the topic.
   */
  async topicRoute(topic: string, options: { refresh?: boolean } = {}): Promise<TopicRouteInfo> {
    const cached = options.refresh === true ? undefined : this.#routes.get(topic);
    if (cached !== undefined) return cached;
    const info = await this.updateTopicRoute(topic);
    if (info === undefined) {
      throw mqError('ERR_TOPIC_NOT_EXIST', `no route for topic ${topic} on name servers ${this.config.namesrvAddrs.join(';')}`);
    }
    return info;
  }

  /** The cached route of `topic`, without any request. */
  cachedTopicRoute(topic: string): TopicRouteInfo | undefined {
    return this.#routes.get(topic);
  }

  /** Topics whose routes are cached (and refreshed by the timer). */
  cachedTopics(): string[] {
    return [...this.#routes.keys()];
  }

  /** Has the timer refresh `topic` even while it has no route yet (it is fetched every period). */
  watchTopic(topic: string): void {
    this.#watchedTopics.add(topic);
  }

  /**
   * Fetches the route of `topic` now (concurrent calls share one request), caches it and tells
   * the listeners if it changed. Resolves undefined when the topic has no route (the cached
   * route, if any, is kept: a name server that lost the topic for a moment must not empty it).
   */
  updateTopicRoute(topic: string): Promise<TopicRouteInfo | undefined> {
    let fetch = this.#routeFetches.get(topic);
    if (fetch === undefined) {
      fetch = this.#fetchRoute(topic);
      this.#routeFetches.set(topic, fetch);
      const clear = (): void => {
        this.#routeFetches.delete(topic);
      };
      fetch.then(clear, clear);
    }
    return fetch;
  }

  /** Calls `listener` each time a topic's route is first cached or changes. Returns an unsubscribe. */
  onRouteChange(listener: RouteChangeListener): () => void {
    this.#routeListeners.add(listener);
    return () => this.#routeListeners.delete(listener);
  }

  /** The master address of a broker group, if known. */
  masterAddress(brokerName: string): string | undefined {
    return this.#brokerAddrs.get(brokerName)?.get(MASTER_ID);
  }

  /**
   * A broker address of `brokerName` (findBrokerAddressInSubscribe): `brokerId` when known
   * (default the master); otherwise, unless `onlyThisBroker`, any other member, master first.
   */
  findBrokerAddress(brokerName: string, brokerId = MASTER_ID, onlyThisBroker = false): BrokerAddress | undefined {
    const ids = this.#brokerAddrs.get(brokerName);
    if (ids === undefined || ids.size === 0) return undefined;
    const exact = ids.get(brokerId);
    if (exact !== undefined) return { address: exact, brokerId, isSlave: brokerId !== MASTER_ID };
    if (onlyThisBroker) return undefined;
    const master = ids.get(MASTER_ID);
    if (master !== undefined) return { address: master, brokerId: MASTER_ID, isSlave: false };
    const [firstId, firstAddr] = [...ids].sort((a, b) => a[0] - b[0])[0]!;
    return { address: firstAddr, brokerId: firstId, isSlave: firstId !== MASTER_ID };
  }

  /** Every known broker group name. */
  brokerNames(): string[] {
    return [...this.#brokerAddrs.keys()];
  }

  // ---- requests -------------------------------------------------------------------------------

  /** A request to a broker; resolves with the response whatever its code (remoting errors reject). */
  invoke(brokerAddr: string, request: RemotingCommand, timeoutMs = this.config.requestTimeoutMs): Promise<RemotingCommand> {
    return this.#remoting.invokeSync(brokerAddr, request, timeoutMs);
  }

  /** invoke() without a promise (a producer's send): `waiter` is told once. */
  invokeWith(brokerAddr: string, request: RemotingCommand, timeoutMs: number, waiter: ResponseWaiter): void {
    this.#remoting.invokeWith(brokerAddr, request, timeoutMs, waiter);
  }

  /** A one-way request to a broker; resolves once handed to the socket. */
  invokeOneway(brokerAddr: string, request: RemotingCommand, timeoutMs = this.config.requestTimeoutMs): Promise<void> {
    return this.#remoting.invokeOneway(brokerAddr, request, timeoutMs);
  }

  /**
   * A request to the name servers: the current one first; on a connect failure, timeout or
   * closed connection the next address is tried (each once), and the one that answered becomes
   * current. Rejects with the last failure when none answered.
   */
  async invokeNameServer(request: RemotingCommand, timeoutMs = this.config.requestTimeoutMs): Promise<RemotingCommand> {
    const addrs = this.config.namesrvAddrs;
    let lastError: unknown;
    for (let attempt = 0; attempt < addrs.length; attempt++) {
      const index = (this.#namesrvIndex + attempt) % addrs.length;
      try {
        // Each attempt needs its own command: the connection stamps its opaque on it.
        const response = await this.#remoting.invokeSync(addrs[index]!, attempt === 0 ? request : copyCommand(request), timeoutMs);
        this.#namesrvIndex = index;
        return response;
      } catch (err) {
        lastError = err;
        if (!NAMESRV_FAILOVER_CODES.has(errorCode(err) ?? '')) throw err;
        this.#logger.warn(`name server ${addrs[index]} failed (${(err as Error).message}); trying the next one`);
      }
    }
    throw lastError;
  }

  /** The name server used last (the one that answered). */
  get currentNameServer(): string {
    return this.config.namesrvAddrs[this.#namesrvIndex]!;
  }

  /**
   * Serves a request code brokers send to this client (NOTIFY_CONSUMER_IDS_CHANGED,
   * GET_CONSUMER_RUNNING_INFO, CONSUME_MESSAGE_DIRECTLY, ...). One handler per code.
   */
  onServerRequest(code: number, handler: RequestHandler): void {
    this.#remoting.registerHandler(code, handler);
  }

  // ---- internals ------------------------------------------------------------------------------

  /**
   * GET_CONSUMER_RUNNING_INFO (MQClientInstance.consumerRunningInfo): the group's own bean, else
   * one built from its heartbeat data; the instance adds the name servers, consume type and version.
   */
  #answerRunningInfo(request: RemotingCommand): RemotingCommand {
    const group = request.extFields['consumerGroup'] ?? '';
    const heartbeat = this.#consumers.get(group);
    if (heartbeat === undefined) {
      return createResponse(ResponseCode.SYSTEM_ERROR, `The Consumer Group <${group}> not exist in this consumer`);
    }
    const data = heartbeat();
    const bean = (this.#consumerHooks.get(group)?.runningInfo?.() ?? basicRunningInfo(data)) as { properties?: Record<string, string> };
    bean.properties = {
      ...bean.properties,
      PROP_NAMESERVER_ADDR: this.config.namesrvAddrs.join(';'),
      PROP_CONSUME_TYPE: data.consumeType,
      PROP_CLIENT_VERSION: MQVersionName,
    };
    return createResponse(ResponseCode.SUCCESS, undefined, {}, encodeFastjsonBody(bean));
  }

  async #fetchRoute(topic: string): Promise<TopicRouteInfo | undefined> {
    const request = createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic });
    const response = await this.invokeNameServer(request);
    if (response.code === ResponseCode.TOPIC_NOT_EXIST) return undefined;
    if (response.code !== ResponseCode.SUCCESS) throw responseError(response.code, response.remark);
    const route = decodeTopicRouteData(response.body);
    const previous = this.#routes.get(topic);
    if (previous !== undefined && sameRoute(previous.route, route)) return previous;
    const info = buildTopicRouteInfo(topic, route);
    this.#routes.set(topic, info);
    // A first route only adds brokers; a changed one may drop some, which needs the whole union
    // (rebuilding it for every new topic made warming 10,000 routes quadratic).
    if (previous === undefined) addBrokerAddrs(this.#brokerAddrs, info);
    else this.#rebuildBrokerAddrs();
    for (const listener of this.#routeListeners) {
      try {
        listener(info);
      } catch (err) {
        this.#logger.error(`route listener failed for ${topic}: ${(err as Error).message}`);
      }
    }
    return info;
  }

  /** The broker table is the union of the cached routes (brokers in no route are dropped). */
  #rebuildBrokerAddrs(): void {
    const table = new Map<string, Map<number, string>>();
    for (const info of this.#routes.values()) addBrokerAddrs(table, info);
    this.#brokerAddrs = table;
  }

  async #unregisterEverywhere(group: { producerGroup?: string; consumerGroup?: string }): Promise<void> {
    const fields: Record<string, string> = { clientID: this.clientId };
    if (group.producerGroup !== undefined) fields['producerGroup'] = group.producerGroup;
    if (group.consumerGroup !== undefined) fields['consumerGroup'] = group.consumerGroup;
    const addresses = [...this.#brokerAddrs.values()].flatMap((ids) => [...ids.values()]);
    await Promise.all(addresses.map(async (address) => {
      if (!this.#remoting.isConnected(address)) return;
      try {
        await this.#remoting.invokeSync(address, createRequest(RequestCode.UNREGISTER_CLIENT, { ...fields }), this.config.requestTimeoutMs);
      } catch (err) {
        this.#logger.warn(`unregister from ${address} failed: ${(err as Error).message}`);
      }
    }));
  }

  #scheduleRouteRefresh(): void {
    this.#routeTimer = this.#clock.setTimer(() => {
      if (this.#state !== 'running') return;
      const topics = new Set([...this.#routes.keys(), ...this.#watchedTopics]);
      void Promise.allSettled([...topics].map((topic) => this.updateTopicRoute(topic))).then(() => {
        if (this.#state === 'running') this.#scheduleRouteRefresh();
      });
    }, this.config.pollNameServerIntervalMs);
  }

  #scheduleHeartbeat(): void {
    this.#heartbeatTimer = this.#clock.setTimer(() => {
      if (this.#state !== 'running') return;
      void this.sendHeartbeatToAllBrokers().then(() => {
        if (this.#state === 'running') this.#scheduleHeartbeat();
      });
    }, this.config.heartbeatIntervalMs);
  }
}

function addBrokerAddrs(table: Map<string, Map<number, string>>, info: TopicRouteInfo): void {
  for (const broker of info.route.brokerDatas) {
    let ids = table.get(broker.brokerName);
    if (ids === undefined) table.set(broker.brokerName, (ids = new Map()));
    for (const [id, addr] of broker.brokerAddrs) ids.set(id, addr);
  }
}
