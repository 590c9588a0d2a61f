/**
 * LitePullConsumer: the application polls. Queues come from a subscription (rebalanced within the
 * group like the push consumer) or from assign(). A pull loop per queue fills a buffer; poll()
 * returns one pulled batch and marks it consumed; commitSync() (or the 5 s auto commit) stores the
 * consumed offsets on the broker. seek() moves a queue: buffered and in-flight results from before
 * the seek are discarded (a generation number per queue tells them apart).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { silentLogger, type Logger } from '../../common/logger';
import type { MessageExt } from '../../message/message-types';
import { responseError } from '../../protocol/errors';
import { createRequest } from '../../protocol/remoting-command';
import { RequestCode } from '../../protocol/request-code';
import { ResponseCode } from '../../protocol/response-code';
import type { TagFilter } from '../../protocol/subscription';
import { allocateAveragely } from '../rebalance/strategies/allocate-averagely';
import type { ConsumerHeartbeatData } from '../client-instance';
import { ConsumerClient } from './consumer-client';
import { checkClientConfig, selectSubscription, toSubscriptionData, type SelectedSubscription, type SubscriptionExpression } from './message-selector';
import { optionError, queueKey, stateError, type AllocateStrategy, type ConsumeFromWhereName, type MessageQueue } from './consumer-types';
import { RemoteBrokerOffsetStore } from './offset-store';
import { pullMessages } from './pull-api';
import { RebalanceService } from './rebalance-service';

export interface LitePullConsumerOptions {
  readonly groupName: string;
  readonly namesrvAddr: string;
  readonly consumeFromWhere?: ConsumeFromWhereName;
  readonly allocateStrategy?: AllocateStrategy;
  /** Commit consumed offsets every autoCommitIntervalMs (default true, 5 s). */
  readonly autoCommit?: boolean;
  readonly autoCommitIntervalMs?: number;
  readonly pullBatchSize?: number;
  /** Messages buffered per queue before its pulls pause. Default 1000. */
  readonly pullThresholdForQueue?: number;
  /** Broker long-poll hold per pull. Default 5 s (short, so seeks and shutdowns are not held up). */
  readonly suspendMs?: number;
  readonly pollTimeoutMs?: number;
  readonly rebalanceIntervalMs?: number;
  readonly logger?: Logger;
}

interface QueueState {
  readonly mq: MessageQueue;
  readonly filter: TagFilter;
  readonly expression: string;
  readonly expressionType: string;
  nextOffset: number;
  generation: number;
  buffered: number;
  isDropped: boolean;
  loop?: Promise<void>;
}

interface ReadyBatch {
  readonly state: QueueState;
  readonly generation: number;
  readonly messages: MessageExt[];
}

export class LitePullConsumer implements AsyncIterable<MessageExt[]> {
  readonly #options: LitePullConsumerOptions;
  readonly #logger: Logger;
  readonly #client: ConsumerClient;
  readonly #offsets: RemoteBrokerOffsetStore;
  readonly #rebalance: RebalanceService;
  readonly #subscriptions = new Map<string, SelectedSubscription>();
  readonly #queues = new Map<string, QueueState>();
  readonly #ready: ReadyBatch[] = [];
  readonly #pollWaiters = new Set<() => void>();
  readonly #stopSignal = new AbortController();
  #assigned: MessageQueue[] | undefined;
  #commitTimer: NodeJS.Timeout | undefined;
  readonly #subVersion = Date.now();
  #state: 'created' | 'running' | 'stopped' = 'created';

  constructor(options: LitePullConsumerOptions) {
    if (options === null || typeof options !== 'object') throw optionError('options must be an object');
    if (typeof options.groupName !== 'string' || !/^[%|a-zA-Z0-9_-]{1,255}$/.test(options.groupName)) throw optionError('groupName must be 1-255 characters of [%|a-zA-Z0-9_-]');
    for (const key of ['autoCommitIntervalMs', 'pullBatchSize', 'pullThresholdForQueue', 'pollTimeoutMs', 'rebalanceIntervalMs'] as const) {
      const v = options[key];
      if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw optionError(`${key} must be a positive integer, got ${String(v)}`);
    }
    if (options.suspendMs !== undefined && (!Number.isInteger(options.suspendMs) || options.suspendMs < 0)) throw optionError('suspendMs must be a non-negative integer');
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
    this.#client = new ConsumerClient({ namesrvAddr: options.namesrvAddr, logger: this.#logger });
    this.#offsets = new RemoteBrokerOffsetStore(this.#client, options.groupName);
    this.#rebalance = new RebalanceService(this.#client, {
      addQueues: async (queues) => {
        for (const mq of queues) this.#addQueue(mq);
      },
      removeQueues: (queues) => this.#removeQueues(queues),
    }, {
      group: options.groupName, messageModel: 'CLUSTERING', strategy: options.allocateStrategy ?? allocateAveragely,
      intervalMs: options.rebalanceIntervalMs ?? 20_000, logger: this.#logger,
    });
    this.#client.onConsumerIdsChanged((group) => {
      if (group === options.groupName) void this.#rebalance.trigger();
    });
  }

  /** A TAG expression (`*`, `TagA || TagB`) or an SQL92 selector (`{ sql }`, MessageSelector.bySql). */
  subscribe(topic: string, expression: SubscriptionExpression = '*'): void {
    if (this.#state !== 'created') throw stateError('subscribe() must be called before start()');
    if (this.#assigned !== undefined) throw stateError('subscribe() and assign() cannot be mixed');
    this.#subscriptions.set(topic, selectSubscription(expression));
  }

  /** Consumes exactly these queues (no rebalancing). */
  assign(queues: readonly MessageQueue[]): void {
    if (this.#state !== 'created') throw stateError('assign() must be called before start()');
    if (this.#subscriptions.size > 0) throw stateError('subscribe() and assign() cannot be mixed');
    this.#assigned = queues.map((q) => ({ topic: q.topic, brokerName: q.brokerName, queueId: q.queueId }));
  }

  /** Queues this consumer currently pulls. */
  assignment(): MessageQueue[] {
    return [...this.#queues.values()].map((s) => s.mq);
  }

  /** The readable queues of a topic (for assign). */
  async fetchMessageQueues(topic: string): Promise<MessageQueue[]> {
    return [...(await this.#client.refreshRoute(topic)).queues];
  }

  async start(): Promise<void> {
    if (this.#state !== 'created') throw stateError(`start() called on a ${this.#state} consumer`);
    if (this.#subscriptions.size === 0 && this.#assigned === undefined) throw stateError('subscribe() or assign() before start()');
    this.#state = 'running';
    await this.#client.start();
    if (this.#options.autoCommit ?? true) {
      this.#commitTimer = setInterval(() => void this.commitSync().catch((err: Error) => this.#logger.warn(`auto commit failed: ${err.message}`)), this.#options.autoCommitIntervalMs ?? 5000);
      this.#commitTimer.unref();
    }
    if (this.#assigned !== undefined) {
      for (const topic of new Set(this.#assigned.map((q) => q.topic))) {
        this.#subscriptions.set(topic, selectSubscription('*'));
        await this.#client.refreshRoute(topic);
      }
      for (const mq of this.#assigned) this.#addQueue(mq);
      return;
    }
    this.#client.registerConsumer(this.#options.groupName, () => this.#heartbeatData());
    for (const topic of this.#subscriptions.keys()) {
      this.#rebalance.addTopic(topic);
      await this.#client.refreshRoute(topic).catch((err: Error) => this.#logger.warn(`no route for ${topic} yet: ${err.message}`));
    }
    const topics = [...this.#subscriptions].map(([topic, s]) => ({ topic, ...s, subVersion: this.#subVersion }));
    // A refused SQL92 expression rejects start() and leaves the consumer stopped (Java: checkClientInBroker).
    await checkClientConfig(this.#client, this.#options.groupName, topics).catch(async (err: unknown) => {
      await this.shutdown();
      throw err;
    });
    await this.#client.heartbeat();
    await this.#rebalance.start();
  }

  /** The next pulled batch, or [] when none arrives within `timeoutMs`. Its messages count as consumed. */
  async poll(timeoutMs = this.#options.pollTimeoutMs ?? 5000): Promise<MessageExt[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const batch = this.#takeReady();
      if (batch !== undefined) return batch;
      const remaining = deadline - Date.now();
      if (remaining <= 0 || this.#state !== 'running') return [];
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.#pollWaiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, remaining);
        this.#pollWaiters.add(wake);
      });
    }
  }

  /** Stores the consumed offsets of every owned queue on the broker. */
  async commitSync(): Promise<void> {
    await this.#offsets.persistAll(this.assignment());
  }

  /** The next poll of `mq` starts at `offset`. */
  seek(mq: MessageQueue, offset: number): void {
    if (!Number.isInteger(offset) || offset < 0) throw optionError(`offset must be a non-negative integer, got ${offset}`);
    const state = this.#queues.get(queueKey(mq));
    if (state === undefined) throw stateError(`${queueKey(mq)} is not assigned to this consumer`);
    state.generation++;
    state.nextOffset = offset;
    state.buffered = 0;
    this.#offsets.update(mq, offset, false);
  }

  async seekToBegin(mq: MessageQueue): Promise<void> {
    this.seek(mq, await this.#queryOffset(RequestCode.GET_MIN_OFFSET, mq));
  }

  async seekToEnd(mq: MessageQueue): Promise<void> {
    this.seek(mq, await this.#queryOffset(RequestCode.GET_MAX_OFFSET, mq));
  }

  async *[Symbol.asyncIterator](): AsyncIterator<MessageExt[]> {
    while (this.#state === 'running') {
      const batch = await this.poll();
      if (batch.length > 0) yield batch;
    }
  }

  /** Stops pulling, commits (with auto commit on), unregisters, closes connections. Idempotent. */
  async shutdown(): Promise<void> {
    if (this.#state === 'stopped') return;
    const wasRunning = this.#state === 'running';
    this.#state = 'stopped';
    clearInterval(this.#commitTimer);
    this.#stopSignal.abort();
    for (const wake of [...this.#pollWaiters]) wake();
    if (wasRunning) {
      await this.#rebalance.stop();
      if (this.#options.autoCommit ?? true) await this.commitSync().catch((err: Error) => this.#logger.warn(`final commit failed: ${err.message}`));
      if (this.#assigned === undefined) await this.#client.unregister(this.#options.groupName);
    }
    await this.#client.shutdown();
    await Promise.allSettled([...this.#queues.values()].map((s) => s.loop));
  }

  #takeReady(): MessageExt[] | undefined {
    while (this.#ready.length > 0) {
      const batch = this.#ready.shift() as ReadyBatch;
      const { state } = batch;
      if (state.isDropped || batch.generation !== state.generation) continue; // stale: seeked or rebalanced away
      state.buffered -= batch.messages.length;
      const last = batch.messages[batch.messages.length - 1] as MessageExt;
      this.#offsets.update(state.mq, last.queueOffset + 1, false);
      return batch.messages;
    }
    return undefined;
  }

  #addQueue(mq: MessageQueue): void {
    if (this.#state !== 'running' || this.#queues.has(queueKey(mq))) return;
    const subscription = this.#subscriptions.get(mq.topic) ?? selectSubscription('*');
    const state: QueueState = { mq, filter: subscription.filter, expression: subscription.expression, expressionType: subscription.expressionType, nextOffset: -1, generation: 0, buffered: 0, isDropped: false };
    this.#queues.set(queueKey(mq), state);
    state.loop = this.#pullLoop(state);
  }

  async #removeQueues(queues: readonly MessageQueue[]): Promise<void> {
    for (const mq of queues) {
      const state = this.#queues.get(queueKey(mq));
      if (state === undefined) continue;
      state.isDropped = true;
      this.#queues.delete(queueKey(mq));
      await this.#offsets.persistAll([mq]).catch((err: Error) => this.#logger.warn(`offset commit of ${queueKey(mq)} failed: ${err.message}`));
      this.#offsets.remove(mq);
    }
  }

  async #startOffset(mq: MessageQueue): Promise<number> {
    const stored = await this.#offsets.read(mq, 'store');
    if (stored >= 0) return stored;
    switch (this.#options.consumeFromWhere ?? 'LAST_OFFSET') {
      case 'FIRST_OFFSET':
        return 0;
      case 'LAST_OFFSET':
        return this.#queryOffset(RequestCode.GET_MAX_OFFSET, mq);
      case 'TIMESTAMP':
        return this.#queryOffset(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, mq, { timestamp: String(Date.now() - 30 * 60_000) });
    }
  }

  async #queryOffset(code: number, mq: MessageQueue, extra: Record<string, string> = {}): Promise<number> {
    const response = await this.#client.invoke(mq.brokerName, createRequest(code, { topic: mq.topic, queueId: String(mq.queueId), ...extra }));
    if (response.code !== ResponseCode.SUCCESS) throw responseError(response.code, response.remark);
    return Number(response.extFields['offset'] ?? '0');
  }

  #isPulling(state: QueueState): boolean {
    return this.#state === 'running' && !state.isDropped;
  }

  async #pullLoop(state: QueueState): Promise<void> {
    const threshold = this.#options.pullThresholdForQueue ?? 1000;
    while (this.#isPulling(state)) {
      try {
        if (state.nextOffset < 0) {
          const generation = state.generation;
          const start = await this.#startOffset(state.mq);
          if (generation === state.generation) state.nextOffset = start; // a seek meanwhile wins
          continue;
        }
        if (state.buffered >= threshold) {
          await this.#pause(50); // flow control: the application polls slower than we pull
          continue;
        }
        const generation = state.generation;
        const result = await pullMessages(this.#client, {
          group: this.#options.groupName, queue: state.mq, queueOffset: state.nextOffset, subscription: state.expression, expressionType: state.expressionType,
          filter: state.filter, suspendMs: this.#options.suspendMs ?? 5000, maxMessages: this.#options.pullBatchSize ?? 32,
        });
        if (!this.#isPulling(state) || generation !== state.generation) continue; // seeked meanwhile: drop the result
        state.nextOffset = result.nextBeginOffset;
        if (result.messages.length > 0) {
          state.buffered += result.messages.length;
          this.#ready.push({ state, generation, messages: result.messages });
          for (const wake of [...this.#pollWaiters]) wake();
        } else if (result.status === 'OFFSET_ILLEGAL') {
          this.#offsets.update(state.mq, result.nextBeginOffset, false);
        } else if (state.buffered === 0) {
          // Nothing pending for this queue: everything before nextBeginOffset was consumed or
          // filtered out by the subscription, so the committed offset may move past it
          // (RocketMQ's correctTagsOffset); otherwise a tag-filtered group never reaches diff 0.
          this.#offsets.update(state.mq, result.nextBeginOffset, true);
        }
      } catch (err) {
        if (!this.#isPulling(state)) break;
        this.#logger.warn(`pull of ${queueKey(state.mq)} failed: ${(err as Error).message}`);
        await this.#pause(1000);
      }
    }
  }

  #heartbeatData(): ConsumerHeartbeatData {
    return {
      groupName: this.#options.groupName,
      consumeType: 'CONSUME_ACTIVELY',
      messageModel: 'CLUSTERING',
      consumeFromWhere: `CONSUME_FROM_${this.#options.consumeFromWhere ?? 'LAST_OFFSET'}`,
      unitMode: false,
      subscriptionDataSet: [...this.#subscriptions].map(([topic, s]) => toSubscriptionData(topic, s, this.#subVersion)),
    };
  }

  async #pause(ms: number): Promise<void> {
    try {
      await delay(ms, undefined, { signal: this.#stopSignal.signal });
    } catch (err) {
      if ((err as Error).name !== 'AbortError') throw err; // an abort only means "stop waiting"
    }
  }
}
