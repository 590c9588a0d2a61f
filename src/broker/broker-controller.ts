/**
 * Wiring and lifecycle of one broker. start(): store -> topic and offset managers load -> long
 * polling and the delay-level scheduler -> remoting server -> name-server registration. shutdown()
 * runs it backwards: unregister, answer every held pull, stop the server, stop the scheduler,
 * persist offsets and topics, close the store. Both are
 * idempotent.
 */
import { createServer } from 'node:net';
import { systemClock, type Clock, type TimerHandle } from '../common/clock';
import { ConsoleLogger, type Logger } from '../common/logger';
import { RemotingClient } from '../remoting/remoting-client';
import { RemotingServer } from '../remoting/remoting-server';
import type { MessageStore, RecoveryReport } from '../store/message-store';
import { NativeMessageStore } from '../store/native-message-store';
import { parseDelayLevels } from '../store/store-config';
import type { BrokerConfig } from './broker-config';
import type { BrokerContext } from './broker-context';
import { BusyPoll } from './busy-poll';
import { ScheduleMessageService } from './delay/schedule-message-service';
import { TimerWheelService } from './timer/timer-wheel-service';
import { ConsumerFilterCache } from './filter/consumer-filter-cache';
import { notifyConsumerIdsChanged } from './handlers/client-manage';
import { registerBrokerHandlers } from './handlers/handler-table';
import { PullHoldService } from './long-polling/pull-hold-service';
import { ConsumerOffsetManager } from './offset/consumer-offset-manager';
import { NamesrvRegistrar } from './out/namesrv-registrar';
import { ConsumerRegistry } from './registry/consumer-registry';
import { ProducerRegistry } from './registry/producer-registry';
import { QueueLockManager } from './registry/queue-lock-manager';
import { SubscriptionGroupManager } from './subscription/subscription-group-manager';
import { TopicConfigManager } from './topic/topic-config-manager';
import { ensureTraceTopic } from './trace/trace-topic';
import { createTransactionServices } from './transaction/transaction-services';
import { popServiceOf, type PopService } from './pop/pop-service';
import type { TransactionalMessageCheckService } from './transaction/transaction-check-service';

/** How often silent client channels are looked for (Apache ClientHousekeepingService: 10 s). */
const CLIENT_SCAN_INTERVAL_MS = 10_000;

export interface BrokerControllerOptions {
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Held-pull re-check period (5 s). */
  readonly pullHoldCheckIntervalMs?: number;
}

export class BrokerController {
  readonly config: BrokerConfig;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #options: BrokerControllerOptions;
  #context: BrokerContext | null = null;
  #server: RemotingServer | null = null;
  #client: RemotingClient | null = null;
  #registrar: NamesrvRegistrar | null = null;
  #schedule: ScheduleMessageService | null = null;
  #timers: TimerWheelService | null = null;
  #store: MessageStore | null = null;
  #offsets: ConsumerOffsetManager | null = null;
  #transactionChecks: TransactionalMessageCheckService | null = null;
  #scanTimer: TimerHandle | null = null;
  #pop: PopService | null = null;
  #busyPoll: BusyPoll | null = null;
  #startPromise: Promise<RecoveryReport> | null = null;
  #shutdownPromise: Promise<void> | null = null;

  constructor(config: BrokerConfig, options: BrokerControllerOptions = {}) {
    this.config = config;
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? new ConsoleLogger('broker');
  }

  /** The port served (the real one when listenPort is 0). */
  get port(): number {
    return this.#server?.port ?? 0;
  }

  /** "brokerIP1:port", as published to name servers. */
  get brokerAddr(): string {
    return `${this.config.brokerIP1}:${this.port}`;
  }

  get context(): BrokerContext {
    if (this.#context === null) throw new Error('broker not started');
    return this.#context;
  }

  start(): Promise<RecoveryReport> {
    this.#startPromise ??= this.#start();
    return this.#startPromise;
  }

  shutdown(): Promise<void> {
    this.#shutdownPromise ??= this.#shutdown();
    return this.#shutdownPromise;
  }

  async #start(): Promise<RecoveryReport> {
    try {
      return await this.#open();
    } catch (err) {
      // Close whatever opened (the store's directory lock, timers, sockets) before reporting the failure.
      await this.#close();
      throw err;
    }
  }

  async #open(): Promise<RecoveryReport> {
    const config = this.config;
    // STOREHOST (and so every msgId) carries the port, so port 0 is resolved before the store opens.
    const port = config.listenPort === 0 ? await findFreePort(config.listenHost) : config.listenPort;
    const storeHost = { address: config.brokerIP1, port };
    this.#busyPoll = config.serverBusyPollMicros > 0 ? new BusyPoll(config.serverBusyPollMicros) : null;
    const store: MessageStore = new NativeMessageStore(config.store, {
      storeHost, clock: this.#clock, logger: this.#logger, diskWait: this.#busyPoll?.answerOwed,
    });
    this.#store = store;
    const recovery = await store.start();
    const topics = new TopicConfigManager({
      storePathRootDir: config.store.storePathRootDir,
      brokerClusterName: config.brokerClusterName,
      brokerName: config.brokerName,
      defaultTopicQueueNums: config.defaultTopicQueueNums,
      autoCreateTopicEnable: config.autoCreateTopicEnable,
      clock: this.#clock,
    });
    topics.load();
    ensureTraceTopic(topics, config);
    const offsets = new ConsumerOffsetManager({
      storePathRootDir: config.store.storePathRootDir, flushIntervalMs: config.flushConsumerOffsetInterval, clock: this.#clock, logger: this.#logger,
    });
    offsets.load();
    this.#offsets = offsets;
    offsets.start();
    const schedule = new ScheduleMessageService({
      store, storePathRootDir: config.store.storePathRootDir, levelDelaysMs: parseDelayLevels(config.store.messageDelayLevel),
      flushIntervalMs: config.flushConsumerOffsetInterval, clock: this.#clock, logger: this.#logger,
    });
    schedule.load();
    this.#schedule = schedule;
    // Slaves only keep the cursors; the master delivers.
    if (config.brokerRole !== 'SLAVE') schedule.start();
    const timers = new TimerWheelService({
      store, storePathRootDir: config.store.storePathRootDir, precisionMs: config.timerPrecisionMs,
      flushIntervalMs: config.timerFlushIntervalMs, clock: this.#clock, logger: this.#logger,
    });
    this.#timers = timers;
    // Like the delay levels: a slave keeps the timer topic; the master rebuilds the wheel and delivers.
    if (config.brokerRole !== 'SLAVE') {
      await timers.load();
      timers.start();
    }
    const pullHold = new PullHoldService(store, this.#clock, this.#options.pullHoldCheckIntervalMs ?? 5000);
    pullHold.start();
    const groups = new SubscriptionGroupManager(config.store.storePathRootDir, config.autoCreateSubscriptionGroup, this.#clock);
    groups.load();
    const consumers = new ConsumerRegistry();
    const locks = new QueueLockManager();
    consumers.onGroupChanged((group, clients) => {
      // A departed client's queue locks go first, so the members notified next can lock its queues.
      locks.retainClients(group, clients.map((c) => c.clientId));
      if (groups.get(group)?.notifyConsumerIdsChangedEnable !== false) notifyConsumerIdsChanged(group, clients);
    });
    const producers = new ProducerRegistry();
    const { transactions, checks } = createTransactionServices(config, store, offsets, producers, storeHost, this.#clock, this.#logger);
    this.#transactionChecks = checks;
    if (config.brokerRole !== 'SLAVE') checks.start();
    const context: BrokerContext = { config, store, topics, offsets, consumers, producers, pullHold, locks, groups, filters: new ConsumerFilterCache(), transactions, clock: this.#clock, logger: this.#logger, storeHost };
    this.#context = context;
    // POP: replays its revive log (in-flight checkpoints, pop offsets) before the first request.
    this.#pop = popServiceOf(context);
    await this.#pop.start();

    const server = new RemotingServer({
      host: config.listenHost, port, logger: this.#logger, clock: this.#clock, idleTimeoutMs: config.channelExpiredTimeoutMs,
      onActivity: this.#busyPoll?.noteActivity,
    });
    registerBrokerHandlers(server, context);
    server.onConnectionClose((connection) => {
      consumers.removeConnection(connection.id);
      producers.removeConnection(connection.id);
    });
    this.#server = server;
    await server.start();
    this.#scheduleClientScan(context);

    this.#client = new RemotingClient({ logger: this.#logger, clock: this.#clock });
    this.#registrar = new NamesrvRegistrar(config, topics, this.#client, `${config.brokerIP1}:${server.port}`, this.#clock, this.#logger);
    await this.#registrar.start();
    return recovery;
  }

  #scheduleClientScan(context: BrokerContext): void {
    this.#scanTimer = this.#clock.setTimer(() => {
      const now = this.#clock.now();
      context.consumers.expireSilent(now, this.config.channelExpiredTimeoutMs);
      context.producers.expireSilent(now, this.config.channelExpiredTimeoutMs);
      this.#scheduleClientScan(context);
    }, CLIENT_SCAN_INTERVAL_MS);
  }

  async #shutdown(): Promise<void> {
    // A start in progress finishes (or fails and closes itself) first.
    if (this.#startPromise !== null) await this.#startPromise.catch(() => undefined);
    await this.#close();
  }

  /** Closes, in reverse start order, whatever has been opened; safe on a partial start. */
  async #close(): Promise<void> {
    this.#scanTimer?.cancel();
    await this.#registrar?.shutdown();
    await this.#client?.shutdown();
    this.#context?.pullHold.shutdown();
    await this.#pop?.shutdown();
    await this.#server?.shutdown();
    this.#busyPoll?.close();
    await this.#schedule?.shutdown();
    await this.#timers?.shutdown();
    await this.#transactionChecks?.shutdown();
    await this.#offsets?.shutdown();
    this.#context?.topics.persist();
    await this.#store?.shutdown();
  }
}

/** A port free right now on `host` (the OS picks it); tests use listenPort 0. */
function findFreePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
