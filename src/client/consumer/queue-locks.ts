/**
 * The client side of orderly consumption's queue locks (RocketMQ RebalanceImpl lock/lockAll/unlock):
 * a queue is pulled and consumed only while this client holds its lock on the broker. Locks are
 * asked for in batches (one LOCK_BATCH_MQ per broker for every queue wanted in the same event-loop
 * turn), renewed every 20 s (lockInterval) and treated as lost 30 s after the last successful
 * renewal (REBALANCE_LOCK_MAX_LIVE_TIME), which is before the broker's own 60 s expiry lets anyone
 * else take the queue. A queue whose lock is refused (the previous owner is still finishing) is
 * asked for again after 100 ms, doubling up to 1 s, instead of at the next 20 s renewal: that is
 * what makes a hand-over take about a second rather than RocketMQ's ~20 s.
 */
import { silentLogger, type Logger } from '../../common/logger';
import { responseError } from '../../protocol/errors';
import { parseFastjson } from '../../protocol/fastjson-parser';
import { createRequest } from '../../protocol/remoting-command';
import { RequestCode } from '../../protocol/request-code';
import { ResponseCode } from '../../protocol/response-code';
import type { ConsumerClient } from './consumer-client';
import { queueKey, type MessageQueue } from './consumer-types';

export const LOCK_INTERVAL_MS = 20_000;
export const LOCK_MAX_LIVE_MS = 30_000;
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 1000;
const LOCK_RPC_TIMEOUT_MS = 3000;

export interface QueueLocksOptions {
  readonly group: string;
  readonly logger?: Logger;
  readonly lockIntervalMs?: number;
  readonly lockMaxLiveMs?: number;
}

interface LockState {
  readonly mq: MessageQueue;
  isLocked: boolean;
  lastLockTimestamp: number;
  readonly waiters: Set<(isLocked: boolean) => void>;
}

export class QueueLocks {
  readonly #client: ConsumerClient;
  readonly #group: string;
  readonly #logger: Logger;
  readonly #lockIntervalMs: number;
  readonly #lockMaxLiveMs: number;
  readonly #states = new Map<string, LockState>();
  readonly #pending = new Map<string, LockState>();
  #flushScheduled = false;
  #renewTimer: NodeJS.Timeout | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #retryDelayMs = RETRY_MIN_MS;
  #isStopped = false;
  #unsubscribeClose: (() => void) | undefined;

  constructor(client: ConsumerClient, options: QueueLocksOptions) {
    this.#client = client;
    this.#group = options.group;
    this.#logger = options.logger ?? silentLogger;
    this.#lockIntervalMs = options.lockIntervalMs ?? LOCK_INTERVAL_MS;
    this.#lockMaxLiveMs = options.lockMaxLiveMs ?? LOCK_MAX_LIVE_MS;
  }

  /**
   * Starts the periodic renewal of every tracked queue, and watches connections: when the one to a
   * broker closes, that broker has freed our locks (or restarted without them), so they are lost.
   */
  start(): void {
    this.#renewTimer = setInterval(() => this.lockAll(), this.#lockIntervalMs);
    this.#renewTimer.unref();
    this.#unsubscribeClose = this.#client.onConnectionClose((address) => {
      const brokers = new Set([...this.#states.values()].map((s) => s.mq.brokerName).filter((name) => this.#client.masterAddress(name) === address));
      for (const brokerName of brokers) this.invalidateBroker(brokerName, `the connection to ${address} closed`);
    });
  }

  /** Whether this client holds `mq`'s lock and renewed it less than 30 s ago. */
  isLocked(mq: MessageQueue): boolean {
    const state = this.#states.get(queueKey(mq));
    return state !== undefined && state.isLocked && Date.now() - state.lastLockTimestamp <= this.#lockMaxLiveMs;
  }

  /** Resolves true once `mq` is locked (asking for it when it is not), false when `signal` aborts or the locks stop. */
  waitUntilLocked(mq: MessageQueue, signal: AbortSignal): Promise<boolean> {
    if (this.isLocked(mq)) return Promise.resolve(true);
    if (this.#isStopped || signal.aborted) return Promise.resolve(false);
    const state = this.#track(mq);
    return new Promise((resolve) => {
      const onAbort = (): void => {
        state.waiters.delete(settle);
        resolve(false);
      };
      const settle = (isLocked: boolean): void => {
        signal.removeEventListener('abort', onAbort);
        resolve(isLocked);
      };
      state.waiters.add(settle);
      signal.addEventListener('abort', onAbort, { once: true });
      this.#request(state);
    });
  }

  /** Renews every tracked queue now (also run after each rebalance). */
  lockAll(): void {
    for (const state of this.#states.values()) this.#request(state);
  }

  /** Treats every lock on `brokerName` as lost (it is asked for again by the next wait). */
  invalidateBroker(brokerName: string, why: string): void {
    for (const state of this.#states.values()) {
      if (state.mq.brokerName !== brokerName || !state.isLocked) continue;
      state.isLocked = false;
      this.#logger.warn(`${this.#group}: lock of ${queueKey(state.mq)} must be taken again (${why})`);
    }
  }

  /** Stops tracking `queues` and sends UNLOCK_BATCH_MQ for them (best effort: the broker also frees them when we leave). */
  async release(queues: readonly MessageQueue[]): Promise<void> {
    const byBroker = new Map<string, MessageQueue[]>();
    for (const mq of queues) {
      const state = this.#states.get(queueKey(mq));
      if (state === undefined) continue;
      this.#forget(state);
      byBroker.set(mq.brokerName, [...(byBroker.get(mq.brokerName) ?? []), mq]);
    }
    await Promise.all([...byBroker].map(async ([brokerName, mqs]) => {
      try {
        const response = await this.#client.invoke(brokerName, this.#lockRequest(RequestCode.UNLOCK_BATCH_MQ, mqs), LOCK_RPC_TIMEOUT_MS);
        if (response.code !== ResponseCode.SUCCESS) throw responseError(response.code, response.remark);
      } catch (err) {
        this.#logger.warn(`unlock of ${mqs.length} queue(s) of ${this.#group} on ${brokerName} failed: ${(err as Error).message}`);
      }
    }));
  }

  /** Stops timers and wakes every waiter with false; locks are not released (see release()). */
  stop(): void {
    this.#isStopped = true;
    this.#unsubscribeClose?.();
    if (this.#renewTimer !== undefined) clearInterval(this.#renewTimer);
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    for (const state of [...this.#states.values()]) this.#forget(state);
  }

  #track(mq: MessageQueue): LockState {
    const key = queueKey(mq);
    let state = this.#states.get(key);
    if (state === undefined) {
      state = { mq, isLocked: false, lastLockTimestamp: 0, waiters: new Set() };
      this.#states.set(key, state);
    }
    return state;
  }

  #forget(state: LockState): void {
    const key = queueKey(state.mq);
    if (this.#states.get(key) === state) this.#states.delete(key);
    this.#pending.delete(key);
    state.isLocked = false;
    for (const settle of state.waiters) settle(false);
    state.waiters.clear();
  }

  /** Queues the lock request for the end of this event-loop turn, so one request carries them all. */
  #request(state: LockState): void {
    if (this.#isStopped) return;
    this.#pending.set(queueKey(state.mq), state);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    const byBroker = new Map<string, LockState[]>();
    for (const state of this.#pending.values()) byBroker.set(state.mq.brokerName, [...(byBroker.get(state.mq.brokerName) ?? []), state]);
    this.#pending.clear();
    await Promise.all([...byBroker].map(([brokerName, states]) => this.#lockOnBroker(brokerName, states)));
    this.#scheduleRetryIfUnlocked();
  }

  async #lockOnBroker(brokerName: string, states: readonly LockState[]): Promise<void> {
    const sentAt = Date.now();
    let lockedKeys: Set<string>;
    try {
      const response = await this.#client.invoke(brokerName, this.#lockRequest(RequestCode.LOCK_BATCH_MQ, states.map((s) => s.mq)), LOCK_RPC_TIMEOUT_MS);
      if (response.code !== ResponseCode.SUCCESS) throw responseError(response.code, response.remark);
      const body = parseFastjson(response.body ?? Buffer.from('{}')) as { lockOKMQSet?: unknown };
      const locked = Array.isArray(body.lockOKMQSet) ? body.lockOKMQSet as MessageQueue[] : [];
      lockedKeys = new Set(locked.map((mq) => queueKey({ topic: String(mq.topic), brokerName: String(mq.brokerName), queueId: Number(mq.queueId) })));
    } catch (err) {
      // Unknown outcome: keep what we believed; an unrenewed lock lapses by itself after 30 s.
      this.#logger.warn(`lock of ${states.length} queue(s) of ${this.#group} on ${brokerName} failed: ${(err as Error).message}`);
      return;
    }
    for (const state of states) {
      if (this.#states.get(queueKey(state.mq)) !== state) continue; // released while the request was out
      const isLocked = lockedKeys.has(queueKey(state.mq));
      if (isLocked && !state.isLocked) this.#logger.info(`${this.#group} locked ${queueKey(state.mq)}`);
      else if (!isLocked && state.isLocked) this.#logger.warn(`${this.#group} lost the lock of ${queueKey(state.mq)}`);
      state.isLocked = isLocked;
      if (!isLocked) continue;
      state.lastLockTimestamp = sentAt; // the broker's lock is at least as fresh as the request
      for (const settle of state.waiters) settle(true);
      state.waiters.clear();
    }
  }

  /** Backoff retries (100 ms doubling to 1 s) while a tracked queue is unlocked; reset once all are locked. */
  #scheduleRetryIfUnlocked(): void {
    if (this.#isStopped || this.#retryTimer !== undefined) return;
    const unlocked = [...this.#states.values()].filter((s) => !this.isLocked(s.mq));
    if (unlocked.length === 0) {
      this.#retryDelayMs = RETRY_MIN_MS;
      return;
    }
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      for (const state of this.#states.values()) if (!this.isLocked(state.mq)) this.#request(state);
    }, this.#retryDelayMs);
    this.#retryTimer.unref();
    this.#retryDelayMs = Math.min(this.#retryDelayMs * 2, RETRY_MAX_MS);
  }

  #lockRequest(code: number, queues: readonly MessageQueue[]) {
    const body = {
      consumerGroup: this.#group, clientId: this.#client.clientId, onlyThisBroker: false,
      mqSet: queues.map((mq) => ({ brokerName: mq.brokerName, queueId: mq.queueId, topic: mq.topic })),
    };
    return createRequest(code, {}, Buffer.from(JSON.stringify(body), 'utf8'));
  }
}
