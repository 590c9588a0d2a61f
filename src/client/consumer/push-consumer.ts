/**
 * PushConsumer: subscribe, register a listener, start. One long-poll pull loop per owned queue
 * feeds a process queue; the consume service runs the listener and moves the committed offset.
 * Clustering shares queues within the group (offsets on the broker); broadcasting consumes every
 * queue (offsets in a local file).
 */
import { isAbsolute } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { silentLogger, type Logger } from '../../common/logger';
import { responseError } from '../../protocol/errors';
import { createRequest } from '../../protocol/remoting-command';
import { RequestCode } from '../../protocol/request-code';
import { ResponseCode } from '../../protocol/response-code';
import { allocateAveragely } from '../rebalance/strategies/allocate-averagely';
import { concurrentConsumePool, type ConcurrentConsumePool } from './consume-pool';
import { ConsumeService, RETRY_GROUP_TOPIC_PREFIX, type QueueConsumeService } from './consume-service';
import { ConsumeOrderlyService } from './consume-orderly-service';
import type { OrderlyListener } from './consume-orderly-types';
import type { ConsumerHeartbeatData } from '../client-instance';
import { ConsumerClient } from './consumer-client';
import { checkClientConfig, selectSubscription, toSubscriptionData, type SelectedSubscription, type SubscriptionExpression } from './message-selector';
import {
  optionError,
  queueKey,
  stateError,
  type AllocateStrategy,
  type ConcurrentListener,
  type MessageQueue,
} from './consumer-types';
import { LocalFileOffsetStore, RemoteBrokerOffsetStore, defaultOffsetDir, type OffsetStore } from './offset-store';
import { ProcessQueue } from './process-queue';
import { pullMessages } from './pull-api';
import { RebalanceService } from './rebalance-service';
import { consumerRunningInfo } from './running-info';
import { Producer } from '../producer/producer';
import type { ConsumeHook } from '../trace/hooks';
import { createConsumeTraceHook } from '../trace/consume-trace';
import { validateConsumerOptions, type PushConsumerOptions, type ResolvedPushOptions } from './push-consumer-options';

export type { PushConsumerOptions } from './push-consumer-options';

interface Subscription extends SelectedSubscription {
  readonly topic: string;
  readonly subVersion: number;
}

interface OwnedQueue {
  readonly mq: MessageQueue;
  readonly pq: ProcessQueue;
  loop?: Promise<void>;
  /** For GET_CONSUMER_RUNNING_INFO: when the last pull answered and the highest offset it brought. */
  lastPullTimestamp: number;
  maxPulledOffset: number;
}

type State = 'created' | 'running' | 'stopping' | 'stopped';

export class PushConsumer {
  readonly #options: ResolvedPushOptions;
  readonly #logger: Logger;
  readonly #client: ConsumerClient;
  readonly #offsets: OffsetStore;
  readonly #rebalance: RebalanceService;
  readonly #subscriptions = new Map<string, Subscription>();
  readonly #owned = new Map<string, OwnedQueue>();
  readonly #stopSignal = new AbortController();
  readonly #timers: NodeJS.Timeout[] = [];
  #listener: ConcurrentListener | OrderlyListener | string | undefined;
  #isOrderly = false;
  #pool: ConcurrentConsumePool | undefined;
  #consume: QueueConsumeService | undefined;
  #state: State = 'created';
  #startTimestamp = 0;
  /** Told before and after each listener call (concurrent listeners); enableTrace adds the message-trace hook. */
  readonly consumeHooks: ConsumeHook[] = [];

  constructor(options: PushConsumerOptions) {
    this.#options = validateConsumerOptions(options);
    const trace = createConsumeTraceHook({ ...options, groupName: this.#options.groupName, namesrvAddr: this.#options.namesrvAddr }, (o) => new Producer(o));
    if (trace !== undefined) this.consumeHooks.push(trace);
    this.#logger = options.logger ?? silentLogger;
    this.#client = new ConsumerClient({
      namesrvAddr: this.#options.namesrvAddr, instanceName: options.instanceName, unitName: options.unitName, heartbeatIntervalMs: this.#options.heartbeatIntervalMs, logger: this.#logger,
    });
    this.#client.onRunningInfo(() => this.#runningInfo());
    this.#offsets = this.#options.messageModel === 'CLUSTERING'
      ? new RemoteBrokerOffsetStore(this.#client, this.#options.groupName)
      : new LocalFileOffsetStore(this.#options.offsetStoreDir ?? defaultOffsetDir(), this.#options.instanceName, this.#options.groupName);
    const strategy: AllocateStrategy = this.#options.allocateStrategy ?? allocateAveragely;
    this.#rebalance = new RebalanceService(this.#client, {
      addQueues: (queues) => this.#addQueues(queues),
      removeQueues: (queues) => this.#removeQueues(queues),
      rebalanced: () => this.#consume?.renewLocks(),
    }, { group: this.#options.groupName, messageModel: this.#options.messageModel, strategy, intervalMs: this.#options.rebalanceIntervalMs, logger: this.#logger });
    this.#client.onConsumerIdsChanged((group) => {
      if (group === this.#options.groupName) void this.#rebalance.trigger();
    });
  }

  get clientId(): string {
    return this.#client.clientId;
  }

  /**
   * Subscribes to `topic` with a TAG expression (`*`, `TagA || TagB`) or an SQL92 selector
   * (`{ sql: "a > 5" }`, MessageSelector.bySql). Before start() only.
   */
  subscribe(topic: string, expression: SubscriptionExpression = '*'): void {
    if (this.#state !== 'created') throw stateError('subscribe() must be called before start()');
    if (typeof topic !== 'string' || topic === '') throw optionError('topic must be a non-empty string');
    this.#subscriptions.set(topic, { topic, ...selectSubscription(expression), subVersion: Date.now() });
  }

  /**
   * The listener: a function run on this thread, or the absolute path of a module run on worker
   * threads (it exports `consume(messages, context)`).
   */
  registerListener(listener: ConcurrentListener | string): void {
    if (typeof listener !== 'function' && typeof listener !== 'string') throw optionError('listener must be a function or a module path');
    if (typeof listener === 'string' && !isAbsolute(listener)) throw optionError(`listener module path must be absolute, got "${listener}"`);
    if (this.#state !== 'created') throw stateError('registerListener() must be called before start()');
    this.#listener = listener;
    this.#isOrderly = false;
  }

  /**
   * An orderly listener (MessageListenerOrderly; docs/ordered.md): each queue's messages one batch
   * at a time in queue order, only while this consumer holds the queue's broker lock. A function,
   * or the absolute path of a module run on worker threads.
   */
  registerOrderlyListener(listener: OrderlyListener | string): void {
    this.registerListener(listener as ConcurrentListener | string);
    this.#isOrderly = true;
  }

  /** Messages the listener has consumed successfully since start() (retries count when they succeed). */
  get consumedCount(): number {
    return this.#consume?.consumedCount ?? 0;
  }

  /** Queues this consumer currently pulls, sorted by topic, broker and queue id. */
  ownedQueues(): MessageQueue[] {
    return this.#rebalance.ownedQueues();
  }

  async start(): Promise<void> {
    if (this.#state !== 'created') throw stateError(`start() called on a ${this.#state} consumer`);
    if (this.#listener === undefined) throw stateError('registerListener() must be called before start()');
    if (this.#subscriptions.size === 0) throw stateError('subscribe() to at least one topic before start()');
    this.#state = 'running';
    this.#startTimestamp = Date.now();
    try {
      await this.#startServices();
    } catch (err) {
      await this.shutdown(); // close what was opened; the error is the caller's
      throw err;
    }
  }

  async #startServices(): Promise<void> {
    if (this.#options.messageModel === 'CLUSTERING') {
      const retryTopic = RETRY_GROUP_TOPIC_PREFIX + this.#options.groupName;
      this.#subscriptions.set(retryTopic, { topic: retryTopic, ...selectSubscription('*'), subVersion: Date.now() });
    }
    if (this.#listener === undefined) throw stateError('registerListener() must be called before start()');
    this.#consume = this.#isOrderly
      ? new ConsumeOrderlyService(this.#client, this.#offsets, this.#listener as OrderlyListener | string, {
        group: this.#options.groupName, messageModel: this.#options.messageModel, batchSize: this.#options.consumeMessageBatchMaxSize,
        concurrency: this.#options.consumeThreadMax, maxReconsumeTimes: this.#options.maxReconsumeTimes, suspendCurrentQueueTimeMillis: this.#options.suspendCurrentQueueTimeMillis,
        consumeThreadMin: this.#options.consumeThreadMin, consumeThreadMax: this.#options.consumeThreadMax, logger: this.#logger, hooks: this.consumeHooks,
      })
      : this.#concurrentService(this.#listener as ConcurrentListener | string);
    this.#consume.start();
    for (const hook of this.consumeHooks) await hook.start?.();
    await this.#offsets.load();
    this.#client.registerConsumer(this.#options.groupName, () => this.#heartbeatData());
    await this.#client.start();
    for (const topic of this.#subscriptions.keys()) {
      this.#rebalance.addTopic(topic);
      await this.#client.refreshRoute(topic).catch((err: Error) => this.#logger.warn(`no route for ${topic} yet: ${err.message}`));
    }
    // SQL92 expressions are validated by the brokers first (Java: checkClientInBroker); a refusal rejects start().
    await checkClientConfig(this.#client, this.#options.groupName, this.#subscriptions.values());
    // Registered on every broker before the first GET_CONSUMER_LIST_BY_GROUP of the rebalance.
    await this.#client.heartbeat();
    this.#every(this.#options.persistIntervalMs, () => this.#persistOffsets());
    await this.#rebalance.start();
  }

  #concurrentService(given: ConcurrentListener | string): ConsumeService {
    let listener: ConcurrentListener | ConcurrentConsumePool;
    if (typeof given === 'string') {
      this.#pool = concurrentConsumePool({ modulePath: given, minThreads: this.#options.consumeThreadMin, maxThreads: this.#options.consumeThreadMax });
      listener = this.#pool;
    } else {
      listener = given;
    }
    return new ConsumeService(this.#client, this.#offsets, listener, {
      group: this.#options.groupName, messageModel: this.#options.messageModel, batchSize: this.#options.consumeMessageBatchMaxSize,
      concurrency: this.#options.consumeThreadMax, maxReconsumeTimes: this.#options.maxReconsumeTimes,
      localRetryDelayMs: this.#options.localRetryDelayMs, logger: this.#logger, hooks: this.consumeHooks,
    });
  }

  /**
   * Graceful: stop pulling, let running listeners finish, commit offsets, unregister from the
   * brokers, close connections. Idempotent.
   */
  async shutdown(): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'stopping') return;
    const wasRunning = this.#state === 'running';
    this.#state = 'stopping';
    for (const timer of this.#timers) clearInterval(timer);
    this.#stopSignal.abort();
    if (wasRunning) {
      await this.#rebalance.stop();
      await this.#consume?.drain();
      await this.#persistOffsets();
      await this.#consume?.releaseAll([...this.#owned.values()].map((o) => o.mq));
      await this.#client.unregister(this.#options.groupName);
    }
    await this.#consume?.close();
    for (const hook of this.consumeHooks) await hook.shutdown?.();
    await this.#pool?.destroy();
    await this.#client.shutdown(); // fails the held long polls
    await Promise.allSettled([...this.#owned.values()].map((o) => o.loop));
    this.#state = 'stopped';
  }

  /**
   * Abortive stop: no waiting for listeners and no offset commit (the client instance still says
   * goodbye to the brokers). The rest of the group takes this consumer's queues and re-consumes
   * everything it had not committed. Idempotent.
   */
  async destroy(): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'stopping') return;
    this.#state = 'stopping';
    for (const timer of this.#timers) clearInterval(timer);
    this.#stopSignal.abort();
    for (const owned of this.#owned.values()) owned.pq.drop(); // late listener results change nothing
    await this.#rebalance.stop();
    await this.#client.shutdown();
    await this.#consume?.close();
    for (const hook of this.consumeHooks) await hook.shutdown?.();
    await this.#pool?.destroy();
    await Promise.allSettled([...this.#owned.values()].map((o) => o.loop));
    this.#state = 'stopped';
  }

  #every(intervalMs: number, task: () => Promise<void>): void {
    const timer = setInterval(() => void task(), intervalMs);
    timer.unref();
    this.#timers.push(timer);
  }

  /** This group as the instance's heartbeats carry it (read at every heartbeat). */
  #heartbeatData(): ConsumerHeartbeatData {
    return {
      groupName: this.#options.groupName,
      consumeType: 'CONSUME_PASSIVELY',
      messageModel: this.#options.messageModel,
      consumeFromWhere: `CONSUME_FROM_${this.#options.consumeFromWhere}`,
      unitMode: false,
      subscriptionDataSet: [...this.#subscriptions.values()].map((s) => toSubscriptionData(s.topic, s, s.subVersion)),
    };
  }

  /** GET_CONSUMER_RUNNING_INFO's answer: settings, subscriptions and every owned queue's state. */
  #runningInfo(): unknown {
    const { allocateStrategy: _strategy, logger: _logger, ...settings } = this.#options as ResolvedPushOptions & { logger?: unknown };
    return consumerRunningInfo({
      heartbeat: this.#heartbeatData(), settings, consumeOrderly: this.#isOrderly, threadPoolCoreSize: this.#options.consumeThreadMin, startTimestamp: this.#startTimestamp,
      queues: [...this.#owned.values()].map(({ mq, pq, lastPullTimestamp, maxPulledOffset }) => ({
        mq, commitOffset: this.#offsets.readMemory(mq), cachedCount: pq.count, cachedBytes: pq.heldBytes, dropped: pq.isDropped,
        cachedMinOffset: pq.count > 0 ? pq.commitOffset() : 0, cachedMaxOffset: pq.count > 0 ? maxPulledOffset : 0, lastPullTimestamp, lastConsumeTimestamp: 0,
      })),
    });
  }

  async #persistOffsets(): Promise<void> {
    try {
      await this.#offsets.persistAll([...this.#owned.values()].map((o) => o.mq));
    } catch (err) {
      this.#logger.warn(`offset commit of ${this.#options.groupName} failed: ${(err as Error).message}`);
    }
  }

  async #addQueues(queues: readonly MessageQueue[]): Promise<void> {
    for (const mq of queues) {
      if (this.#state !== 'running') return;
      const owned: OwnedQueue = { mq, lastPullTimestamp: 0, maxPulledOffset: -1, pq: new ProcessQueue({ maxHeldCount: this.#options.pullThresholdForQueue, maxHeldBytes: this.#options.pullThresholdSizeForQueue }) };
      this.#owned.set(queueKey(mq), owned);
      owned.loop = this.#pullLoop(owned);
    }
  }

  async #removeQueues(queues: readonly MessageQueue[]): Promise<void> {
    // Side by side: one queue's slow listener must not hold up handing over the others.
    await Promise.all(queues.map(async (mq) => {
      const owned = this.#owned.get(queueKey(mq));
      if (owned === undefined) return;
      owned.pq.drop();
      this.#owned.delete(queueKey(mq));
      const commit = async (): Promise<void> => {
        await this.#offsets.persistAll([mq]).catch((err: Error) => this.#logger.warn(`offset commit of ${queueKey(mq)} failed: ${err.message}`));
        this.#offsets.remove(mq);
      };
      await (this.#consume?.releaseQueue(mq, owned.pq, commit) ?? commit());
    }));
  }

  /** Stored progress, else the consumeFromWhere policy (retry topics always start at their beginning). */
  async #startOffset(mq: MessageQueue): Promise<number> {
    const stored = await this.#offsets.read(mq, 'store');
    if (stored >= 0) return stored;
    const isRetry = mq.topic.startsWith(RETRY_GROUP_TOPIC_PREFIX);
    switch (this.#options.consumeFromWhere) {
      case 'FIRST_OFFSET':
        return 0;
      case 'LAST_OFFSET':
        return isRetry ? 0 : this.#queryOffset(RequestCode.GET_MAX_OFFSET, mq, {});
      case 'TIMESTAMP':
        return isRetry ? 0 : this.#queryOffset(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, mq, { timestamp: String(this.#options.consumeTimestamp) });
    }
  }

  async #queryOffset(code: number, mq: MessageQueue, extra: Record<string, string>): Promise<number> {
    const response = await this.#client.invoke(mq.brokerName, createRequest(code, { topic: mq.topic, queueId: String(mq.queueId), ...extra }));
    if (response.code !== ResponseCode.SUCCESS) throw responseError(response.code, response.remark);
    return Number(response.extFields['offset'] ?? '0');
  }

  #isPulling(owned: OwnedQueue): boolean {
    return this.#state === 'running' && !owned.pq.isDropped;
  }

  async #pullLoop(owned: OwnedQueue): Promise<void> {
    const { mq, pq } = owned;
    const subscription = this.#subscriptions.get(mq.topic);
    if (subscription === undefined) return;
    // Orderly: nothing is pulled, and the start offset is not read, before the queue's lock is held.
    if (!(await this.#consume?.waitUntilPullable(mq, pq))) return;
    let nextOffset = -1;
    while (nextOffset < 0 && this.#isPulling(owned)) {
      try {
        nextOffset = await this.#startOffset(mq);
      } catch (err) {
        this.#logger.warn(`cannot find where to start ${queueKey(mq)}: ${(err as Error).message}`);
        await this.#pause(this.#options.pullErrorBackoffMs);
      }
    }
    while (this.#isPulling(owned)) {
      const pullable = this.#consume?.waitUntilPullable(mq, pq);
      if (pullable !== true && !(await pullable)) break;
      if (pq.isFull) {
        // Flow control: wait for the listener to catch up (RocketMQ re-checks after 50 ms).
        await this.#pause(50);
        continue;
      }
      try {
        const commitOffset = this.#options.messageModel === 'CLUSTERING' ? this.#offsets.readMemory(mq) : -1;
        const result = await pullMessages(this.#client, {
          group: this.#options.groupName, queue: mq, queueOffset: nextOffset, subscription: subscription.expression, expressionType: subscription.expressionType,
          filter: subscription.filter, commitOffset, suspendMs: this.#options.suspendMs, maxMessages: this.#options.pullBatchSize,
          subVersion: subscription.subVersion, signal: this.#stopSignal.signal,
        });
        if (!this.#isPulling(owned)) break;
        nextOffset = result.nextBeginOffset;
        owned.lastPullTimestamp = Date.now();
        if (result.messages.length > 0) {
          owned.maxPulledOffset = result.messages[result.messages.length - 1]!.queueOffset;
          pq.put(result.messages);
          this.#consume?.submit(result.messages, pq, mq);
        } else if (result.status === 'OFFSET_ILLEGAL') {
          this.#logger.warn(`${queueKey(mq)}: offset moved, continuing from ${nextOffset}`);
          this.#offsets.update(mq, nextOffset, false);
        } else if (pq.count === 0) {
          // Nothing held: everything before nextOffset is consumed or filtered out.
          this.#offsets.update(mq, nextOffset, true);
        }
      } catch (err) {
        if (!this.#isPulling(owned)) break;
        this.#logger.warn(`pull of ${queueKey(mq)} failed: ${(err as Error).message}`);
        this.#consume?.pullFailed(mq);
        await this.#pause(this.#options.pullErrorBackoffMs);
      }
    }
  }

  /** Waits `ms` or until shutdown begins. */
  async #pause(ms: number): Promise<void> {
    try {
      await delay(ms, undefined, { signal: this.#stopSignal.signal });
    } catch (err) {
      if ((err as Error).name !== 'AbortError') throw err; // an abort only means "stop waiting"
    }
  }
}
