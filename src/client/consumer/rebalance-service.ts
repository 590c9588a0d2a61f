/**
 * Decides which queues this consumer owns. Clustering: consumer ids of the group (from a broker) and
 * the topic's queues, both sorted, go through the allocation strategy, so every member computes the
 * same split. Broadcasting: every queue. Runs at start, every 20 s and on NOTIFY_CONSUMER_IDS_CHANGED;
 * runs never overlap (a trigger during a run schedules one more run).
 */
import { silentLogger, type Logger } from '../../common/logger';
import { responseError } from '../../protocol/errors';
import { parseFastjson } from '../../protocol/fastjson-parser';
import { createRequest } from '../../protocol/remoting-command';
import { RequestCode } from '../../protocol/request-code';
import { ResponseCode } from '../../protocol/response-code';
import type { ConsumerClient } from './consumer-client';
import { compareQueues, queueKey, type AllocateStrategy, type MessageModelName, type MessageQueue } from './consumer-types';

export const DEFAULT_REBALANCE_INTERVAL_MS = 20_000;
const RETRY_FAILED_MS = 1000;

/** What the owner of the queues does when ownership changes. */
export interface QueueOwner {
  /** Starts consuming newly owned queues. */
  addQueues(queues: readonly MessageQueue[]): Promise<void>;
  /** Stops consuming queues owned no more (persisting their offsets first). */
  removeQueues(queues: readonly MessageQueue[]): Promise<void>;
  /** After every run, changed or not (orderly consumers renew their queue locks here). */
  rebalanced?(): void;
}

export interface RebalanceOptions {
  readonly group: string;
  readonly messageModel: MessageModelName;
  readonly strategy: AllocateStrategy;
  readonly intervalMs?: number;
  readonly logger?: Logger;
}

export class RebalanceService {
  readonly #client: ConsumerClient;
  readonly #owner: QueueOwner;
  readonly #options: RebalanceOptions;
  readonly #logger: Logger;
  readonly #topics = new Set<string>();
  readonly #owned = new Map<string, MessageQueue>();
  #timer: NodeJS.Timeout | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #isRerunWanted = false;
  #isStopped = false;

  constructor(client: ConsumerClient, owner: QueueOwner, options: RebalanceOptions) {
    this.#client = client;
    this.#owner = owner;
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
  }

  addTopic(topic: string): void {
    this.#topics.add(topic);
  }

  /** Queues currently owned, sorted. */
  ownedQueues(): MessageQueue[] {
    return [...this.#owned.values()].sort(compareQueues);
  }

  start(): Promise<void> {
    this.#timer = setInterval(() => void this.trigger(), this.#options.intervalMs ?? DEFAULT_REBALANCE_INTERVAL_MS);
    this.#timer.unref();
    return this.trigger();
  }

  /** Runs a rebalance now, or once more after the one under way. Resolves when ownership is settled. */
  trigger(): Promise<void> {
    if (this.#isStopped) return Promise.resolve();
    if (this.#running !== undefined) {
      this.#isRerunWanted = true;
      return this.#running;
    }
    this.#running = (async () => {
      try {
        do {
          this.#isRerunWanted = false;
          await this.#rebalanceAll();
        } while (this.#isRerunWanted && !this.#isStopped);
        if (!this.#isStopped) this.#owner.rebalanced?.();
      } finally {
        this.#running = undefined;
      }
    })();
    return this.#running;
  }

  /** Stops the timer and waits for a run under way; queues stay owned (the consumer drops them). */
  async stop(): Promise<void> {
    this.#isStopped = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    await this.#running?.catch(() => undefined);
  }

  async #rebalanceAll(): Promise<void> {
    let hasFailed = false;
    for (const topic of this.#topics) {
      try {
        await this.#rebalanceTopic(topic);
      } catch (err) {
        // One topic failing (no route yet, broker down) must not stop the others.
        hasFailed = true;
        this.#logger.warn(`rebalance of ${topic} for ${this.#options.group} failed: ${(err as Error).message}`);
      }
    }
    // A topic without a route yet (a retry topic just created by our heartbeat is registered with
    // the name server moments later) is tried again soon rather than at the next 20 s run.
    if (hasFailed && !this.#isStopped && this.#retryTimer === undefined) {
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = undefined;
        void this.trigger();
      }, RETRY_FAILED_MS);
      this.#retryTimer.unref();
    }
  }

  async #rebalanceTopic(topic: string): Promise<void> {
    const route = await this.#client.refreshRoute(topic);
    let wanted: MessageQueue[];
    if (this.#options.messageModel === 'BROADCASTING') {
      wanted = [...route.queues];
    } else {
      const ids = await this.#consumerIds(topic);
      const queues = [...route.queues].sort(compareQueues);
      wanted = ids.length === 0 ? [] : this.#options.strategy(this.#options.group, this.#client.clientId, queues, [...ids].sort());
    }
    if (this.#isStopped) return;
    const wantedKeys = new Set(wanted.map(queueKey));
    const removed = [...this.#owned.values()].filter((mq) => mq.topic === topic && !wantedKeys.has(queueKey(mq)));
    const added = wanted.filter((mq) => !this.#owned.has(queueKey(mq)));
    if (removed.length > 0) {
      for (const mq of removed) this.#owned.delete(queueKey(mq));
      await this.#owner.removeQueues(removed);
    }
    if (added.length > 0) {
      for (const mq of added) this.#owned.set(queueKey(mq), mq);
      await this.#owner.addQueues(added);
    }
  }

  async #consumerIds(topic: string): Promise<string[]> {
    const route = this.#client.cachedRoute(topic);
    const brokerName = route?.queues[0]?.brokerName;
    if (brokerName === undefined) return [];
    const response = await this.#client.invoke(brokerName, createRequest(RequestCode.GET_CONSUMER_LIST_BY_GROUP, { consumerGroup: this.#options.group }));
    if (response.code !== ResponseCode.SUCCESS) throw responseError(response.code, response.remark);
    const body = parseFastjson(response.body ?? Buffer.alloc(0)) as { consumerIdList?: unknown[] };
    return (body.consumerIdList ?? []).filter((id): id is string => typeof id === 'string');
  }
}
