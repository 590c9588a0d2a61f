/**
 * The producer (DefaultMQProducer): sync, async (the same promise: every send is asynchronous in
 * Node, `sendAsync` is an alias kept for RocketMQ users) and one-way sends; ordered sends through a
 * queue selector or a sharding key; batches; compression; retries on another broker; latency-based
 * fault avoidance. Every message gets a UNIQ_KEY, which SendResult.msgId reports.
 */
import type { Clock } from '../../common/clock';
import { Deferred } from '../../common/deferred';
import { MqError, errorCode } from '../../common/mq-error';
import { javaStringHash } from '../../message/java-hash';
import { MessageConst } from '../../message/message-const';
import { encodeBatchBody } from '../../protocol/batch-body';
import { mqError } from '../../protocol/errors';
import type { RemotingCommand } from '../../protocol/remoting-command';
import type { ResponseWaiter } from '../../remoting/connection';
import { clientStateError } from '../client-config';
import type { ClientInstance } from '../client-instance';
import { acquireClientInstance, type ClientInstanceLease } from '../client-manager';
import { MessageClientIdGenerator } from '../message-client-id';
import type { MessageQueue } from '../message-queue';
import { MASTER_ID, PERM_WRITE, buildTopicRouteInfo, type TopicRouteInfo } from '../route/topic-route-cache';
import { SendAccumulator, isBatchable } from './auto-batch';
import { LatencyFaultTolerance } from './latency-fault-tolerance';
import { checkMessage, checkSendTopic, hasTimer, messageError, withTimerProperties, type Message } from './message';
import { createProducerConfig, type ProducerConfig, type ProducerOptions } from './producer-options';
import { TopicPublishQueues } from './queue-selection';
import { sendResultFrom, type SendResult } from './send-result';
import {
  prepareMessage,
  sendBatchRequest,
  sendMessageRequest,
  type CompressionSettings,
  type PreparedMessage,
  type SendTarget,
} from './send-request';
import { runSendHooks, type SendHook } from '../trace/hooks';
import { createSendTraceHook } from '../trace/send-trace';

/** Picks the queue of an ordered send from the topic's publish queues (MessageQueueSelector). */
export type MessageQueueSelector = (queues: readonly MessageQueue[], msg: Message, arg: unknown) => MessageQueue;

export interface SendOptions {
  /** Send to exactly this queue (no retry elsewhere). */
  readonly queue?: MessageQueue;
  /** Ordered send: the selector picks the queue from `selectorArg` (no retry elsewhere). */
  readonly selector?: MessageQueueSelector;
  readonly selectorArg?: unknown;
  /** Ordered send by key: queue = |javaHash(key) % queues| (SelectMessageQueueByHash). */
  readonly shardingKey?: string;
  /** Overrides sendMsgTimeoutMs for this call. */
  readonly timeoutMs?: number;
}

/** SelectMessageQueueByHash: the same key always lands in the same queue while the route holds. */
export const selectQueueByHash: MessageQueueSelector = (queues, _msg, arg) => {
  let value = javaStringHash(String(arg)) % queues.length;
  if (value < 0) value = Math.abs(value);
  return queues[value]!;
};

interface PublishEntry {
  readonly source: readonly MessageQueue[];
  readonly queues: TopicPublishQueues;
}

export class Producer {
  readonly config: ProducerConfig;
  readonly #instance: ClientInstance;
  /** Set when the instance comes from the per-process table (no `clientInstance` option). */
  readonly #lease: ClientInstanceLease | undefined;
  readonly #clock: Clock;
  readonly #ids: MessageClientIdGenerator;
  readonly #faults: LatencyFaultTolerance | undefined;
  readonly #compression: CompressionSettings;
  readonly #publish = new Map<string, PublishEntry>();
  readonly #accumulator: SendAccumulator | undefined;
  #state: 'created' | 'running' | 'stopped' = 'created';
  /** Told about every send()/sendBatch() result; message trace (enableTrace) adds one. */
  readonly sendHooks: SendHook[] = [];

  constructor(options: ProducerOptions) {
    this.config = createProducerConfig(options);
    this.#lease = options.clientInstance === undefined ? acquireClientInstance(this.config.client!) : undefined;
    this.#instance = options.clientInstance ?? this.#lease!.instance;
    this.#clock = this.#instance.clock;
    this.#ids = new MessageClientIdGenerator(this.#instance.config.clientIP, process.pid, () => this.#clock.now());
    this.#faults = this.config.sendLatencyFaultEnable ? new LatencyFaultTolerance(this.#clock) : undefined;
    this.#compression = { overBytes: this.config.compressMsgBodyOverHowmuch, level: this.config.compressLevel };
    this.#accumulator = this.config.autoBatch
      ? new SendAccumulator(this.config.batchMaxBytes, {
        sendSingle: (topic, s) => this.#sendWithRetries(topic, s.timeoutMs, s.prepared.msgId, s.prepared, undefined),
        sendBatch: (topic, sends, timeoutMs) => {
          const ids = sends.map((s) => s.prepared.msgId).join(',');
          return this.#sendWithRetries(topic, timeoutMs, ids, undefined, encodeBatchBody(sends.map((s) => s.prepared)));
        },
      })
      : undefined;
    const trace = createSendTraceHook(options, this.#instance, (o) => new Producer(o));
    if (trace !== undefined) this.sendHooks.push(trace);
  }

  get clientInstance(): ClientInstance {
    return this.#instance;
  }

  /** The fault-avoidance table (undefined when sendLatencyFaultEnable is off). */
  get faultTolerance(): LatencyFaultTolerance | undefined {
    return this.#faults;
  }

  async start(): Promise<void> {
    if (this.#state === 'running') return;
    if (this.#state === 'stopped') throw clientStateError('a shut down producer cannot be restarted');
    if (this.#lease !== undefined) await this.#instance.start();
    this.#instance.registerProducer(this.config.groupName);
    for (const hook of this.sendHooks) await hook.start?.();
    this.#state = 'running';
  }

  /**
   * Unregisters the group from the brokers and leaves the shared instance (the last user closes
   * it); an instance given as `clientInstance` stays with its owner.
   */
  async shutdown(): Promise<void> {
    const wasRunning = this.#state === 'running';
    this.#state = 'stopped';
    if (wasRunning) for (const hook of this.sendHooks) await hook.shutdown?.();
    if (wasRunning) await this.#instance.unregisterProducer(this.config.groupName);
    await this.#lease?.release();
  }

  /**
   * Sends one message and resolves once the broker stored it. Without a queue choice the send is
   * retried up to retryTimesWhenSendFailed times on retriable failures, each time avoiding the
   * broker that failed; with `queue`, `selector` or `shardingKey` it goes to that queue once.
   */
  send(msg: Message, options?: SendOptions): Promise<SendResult> {
    if (this.sendHooks.length === 0) return this.#send(msg, options);
    return runSendHooks(this.sendHooks, this.config.groupName, [msg], () => this.#send(msg, options));
  }

  /**
   * Not an async function: the common path hands back #sendWithRetries' promise itself, sparing a
   * wrapper promise and its extra microtask turns per message. Bad input still rejects, never throws.
   */
  #send(msg: Message, options?: SendOptions): Promise<SendResult> {
    let prepared: PreparedMessage;
    let timeoutMs: number;
    let msgId: string;
    try {
      this.#checkRunning();
      const body = checkMessage(msg, this.config.maxMessageSize);
      timeoutMs = this.#timeout(options);
      msgId = this.#ids.next();
      const extra = withTimerProperties(msg, options?.shardingKey !== undefined ? shardingProperty(options.shardingKey) : undefined);
      prepared = prepareMessage(msg, body, msgId, this.#compression, extra);
    } catch (err) {
      return Promise.reject(err);
    }
    if (options !== undefined && (options.queue !== undefined || options.selector !== undefined || options.shardingKey !== undefined)) {
      return this.#chosenQueue(msg, options).then((queue) => this.#sendOnce(queue, prepared, msgId, timeoutMs));
    }
    if (this.#accumulator !== undefined && isBatchable(msg.topic, prepared, msg.delayTimeLevel) && !hasTimer(msg)) {
      return this.#accumulator.add(msg.topic, { prepared, timeoutMs });
    }
    return this.#sendWithRetries(msg.topic, timeoutMs, msgId, prepared, undefined);
  }

  /** The same as send(): every send returns a promise; kept for RocketMQ users' code. */
  sendAsync(msg: Message, options?: SendOptions): Promise<SendResult> {
    return this.send(msg, options);
  }

  /** Fire and forget: resolves once the request is handed to the socket; no retries, no result. */
  async sendOneway(msg: Message, options?: SendOptions): Promise<void> {
    this.#checkRunning();
    const body = checkMessage(msg, this.config.maxMessageSize);
    const timeoutMs = this.#timeout(options);
    const extra = withTimerProperties(msg, options?.shardingKey !== undefined ? shardingProperty(options.shardingKey) : undefined);
    const prepared = prepareMessage(msg, body, this.#ids.next(), this.#compression, extra);
    const queue = options !== undefined && (options.queue !== undefined || options.selector !== undefined || options.shardingKey !== undefined)
      ? await this.#chosenQueue(msg, options)
      : (await this.#publishQueues(msg.topic)).select(undefined, this.#faults);
    const address = await this.#masterAddress(queue.brokerName);
    await this.#instance.invokeOneway(address, sendMessageRequest(this.#target(queue), prepared, this.#clock.now()), timeoutMs);
  }

  /**
   * Sends messages of one topic as one batch request (SEND_MESSAGE_V2 with the batch flag, see
   * send-request.ts): stored atomically at consecutive
   * offsets of one queue. The encoded batch must fit maxMessageSize; delay levels are refused.
   * SendResult.msgId and offsetMsgId list every message's id, comma-separated, in order.
   */
  sendBatch(msgs: readonly Message[], options?: SendOptions): Promise<SendResult> {
    if (this.sendHooks.length === 0) return this.#sendBatch(msgs, options);
    return runSendHooks(this.sendHooks, this.config.groupName, msgs, () => this.#sendBatch(msgs, options));
  }

  async #sendBatch(msgs: readonly Message[], options?: SendOptions): Promise<SendResult> {
    this.#checkRunning();
    if (!Array.isArray(msgs) || msgs.length === 0) throw messageError('a batch needs at least one message');
    const topic = msgs[0]!.topic;
    checkSendTopic(topic);
    const ids: string[] = [];
    const entries: { flag: number; body: Buffer; properties: string }[] = [];
    for (const msg of msgs) {
      const body = checkMessage(msg, this.config.maxMessageSize);
      if (msg.topic !== topic) throw messageError(`a batch has one topic; found ${msg.topic} after ${topic}`);
      if (msg.delayTimeLevel !== undefined && msg.delayTimeLevel > 0) throw messageError('batch messages cannot have a delayTimeLevel');
      if (hasTimer(msg)) throw messageError('batch messages cannot have a delivery time (deliverTimeMs, delayTimeSec, delayTimeMs)');
      if (msg.topic.startsWith('%RETRY%')) throw messageError('batches cannot be sent to retry topics');
      const prepared: PreparedMessage = prepareMessage(msg, body, this.#ids.next(), undefined);
      ids.push(prepared.msgId);
      entries.push({ flag: prepared.flag, body: prepared.body, properties: prepared.properties });
    }
    const batchBody = encodeBatchBody(entries);
    if (batchBody.length > this.config.maxMessageSize) {
      throw messageError(`the batch is ${batchBody.length} bytes encoded; the limit is ${this.config.maxMessageSize}`);
    }
    const timeoutMs = this.#timeout(options);
    const msgId = ids.join(',');
    if (options?.queue !== undefined || options?.selector !== undefined || options?.shardingKey !== undefined) {
      const queue = await this.#chosenQueue(msgs[0]!, options);
      const address = await this.#masterAddress(queue.brokerName);
      const response = await this.#instance.invoke(address, sendBatchRequest(this.#target(queue), batchBody, this.#clock.now()), timeoutMs);
      return sendResultFrom(response, queue, msgId);
    }
    return this.#sendWithRetries(topic, timeoutMs, msgId, undefined, batchBody);
  }

  /** The queues sends to `topic` may use now (fetching the route when needed). */
  async publishQueues(topic: string): Promise<readonly MessageQueue[]> {
    checkSendTopic(topic);
    return (await this.#publishQueues(topic)).queues;
  }

  // ---- internals ------------------------------------------------------------------------------

  /**
   * One message (`prepared`) or one encoded batch (`batchBody`). The common case (route and broker
   * address cached, the first attempt stored) runs without an async frame: one promise continuation
   * per send instead of a suspended function holding every local. Anything else goes on in
   * #retrySends, from the attempt it has reached.
   */
  #sendWithRetries(
    topic: string,
    timeoutMs: number,
    msgId: string,
    prepared: PreparedMessage | undefined,
    batchBody: Buffer | undefined,
  ): Promise<SendResult> {
    // One clock read serves the first attempt (deadline, start and born timestamp): reading the
    // clock is not free on every VM, and this runs once per message.
    const started = this.#clock.now();
    const deadline = started + timeoutMs;
    const queue = this.#cachedPublishQueues(topic)?.select(undefined, this.#faults);
    const address = queue === undefined ? undefined : this.#instance.masterAddress(queue.brokerName);
    if (queue === undefined || address === undefined) return this.#retrySends(topic, timeoutMs, msgId, prepared, batchBody, deadline, 0, undefined, undefined);
    const attempt = new FirstAttempt(this.#firstAttemptOutcome, topic, timeoutMs, msgId, prepared, batchBody, deadline, queue, started);
    let request: RemotingCommand;
    try {
      request = this.#sendRequest(queue, prepared, batchBody, started);
    } catch (err) {
      attempt.failed(err instanceof Error ? err : new Error(String(err)));
      return attempt.promise;
    }
    this.#instance.invokeWith(address, request, timeoutMs, attempt);
    return attempt.promise;
  }

  /** What a first attempt's answer becomes (made once per producer: no closures per send). */
  readonly #firstAttemptOutcome: FirstAttemptOutcome = {
    responded: (attempt, response) => {
      const { queue, started } = attempt;
      let result: SendResult;
      try {
        result = sendResultFrom(response, queue, attempt.msgId);
      } catch (err) {
        return this.#firstAttemptFailed(attempt, err);
      }
      this.#faults?.update(queue.brokerName, this.#clock.now() - started, false);
      if (result.sendStatus !== 'SEND_OK' && this.config.retryAnotherBrokerWhenNotStoreOK && this.config.retryTimesWhenSendFailed > 0) {
        return this.#retryAfterFirst(attempt, undefined);
      }
      return result;
    },
    failed: (attempt, err) => this.#firstAttemptFailed(attempt, err),
  };

  /** A failed first attempt: noted against its broker; a retriable failure is retried elsewhere. */
  #firstAttemptFailed(attempt: FirstAttempt, err: unknown): Promise<SendResult> {
    this.#faults?.update(attempt.queue.brokerName, this.#clock.now() - attempt.started, true);
    if (!isRetriable(err)) return Promise.reject(err);
    return this.#retryAfterFirst(attempt, err);
  }

  #retryAfterFirst(attempt: FirstAttempt, lastError: unknown): Promise<SendResult> {
    const { topic, timeoutMs, msgId, prepared, batchBody, deadline, queue } = attempt;
    return this.#retrySends(topic, timeoutMs, msgId, prepared, batchBody, deadline, 1, queue.brokerName, lastError);
  }

  /** The request of one send attempt: a message, or an encoded batch. */
  #sendRequest(queue: MessageQueue, prepared: PreparedMessage | undefined, batchBody: Buffer | undefined, bornTimestamp: number): RemotingCommand {
    return prepared !== undefined
      ? sendMessageRequest(this.#target(queue), prepared, bornTimestamp)
      : sendBatchRequest(this.#target(queue), batchBody!, bornTimestamp);
  }


  /** The attempts from `firstAttempt` on, each avoiding the broker that failed last. */
  async #retrySends(
    topic: string,
    timeoutMs: number,
    msgId: string,
    prepared: PreparedMessage | undefined,
    batchBody: Buffer | undefined,
    deadline: number,
    firstAttempt: number,
    lastFailedBroker: string | undefined,
    previousError: unknown,
  ): Promise<SendResult> {
    const publish = this.#cachedPublishQueues(topic) ?? await this.#publishQueues(topic);
    const attempts = 1 + this.config.retryTimesWhenSendFailed;
    let lastBroker = lastFailedBroker;
    let lastError = previousError;
    for (let attempt = firstAttempt; attempt < attempts; attempt++) {
      const now = this.#clock.now();
      const remaining = deadline - now;
      if (remaining <= 0) break;
      const queue = publish.select(lastBroker, this.#faults);
      lastBroker = queue.brokerName;
      const started = now;
      try {
        // The cached master address needs no await; only a miss goes to the name server.
        const address = this.#instance.masterAddress(queue.brokerName) ?? await this.#masterAddress(queue.brokerName);
        const response = await this.#instance.invoke(address, this.#sendRequest(queue, prepared, batchBody, started), remaining);
        const result = sendResultFrom(response, queue, msgId);
        this.#faults?.update(queue.brokerName, this.#clock.now() - started, false);
        if (result.sendStatus !== 'SEND_OK' && this.config.retryAnotherBrokerWhenNotStoreOK && attempt + 1 < attempts) continue;
        return result;
      } catch (err) {
        this.#faults?.update(queue.brokerName, this.#clock.now() - started, true);
        lastError = err;
        if (!isRetriable(err)) throw err;
      }
    }
    const why = lastError === undefined ? `the ${timeoutMs} ms send timeout elapsed` : (lastError as Error).message;
    const responseCode = (lastError as MqError | undefined)?.responseCode;
    throw new MqError(errorCode(lastError) ?? 'ERR_REMOTING_TIMEOUT', `send to topic ${topic} failed after ${attempts} attempt(s): ${why}`, {
      retriable: true,
      ...(responseCode === undefined ? {} : { responseCode }),
      ...(lastError === undefined ? {} : { cause: lastError }),
    });
  }

  async #sendOnce(queue: MessageQueue, prepared: PreparedMessage, msgId: string, timeoutMs: number): Promise<SendResult> {
    const started = this.#clock.now();
    try {
      const address = await this.#masterAddress(queue.brokerName);
      const response = await this.#instance.invoke(address, sendMessageRequest(this.#target(queue), prepared, this.#clock.now()), timeoutMs);
      const result = sendResultFrom(response, queue, msgId);
      this.#faults?.update(queue.brokerName, this.#clock.now() - started, false);
      return result;
    } catch (err) {
      this.#faults?.update(queue.brokerName, this.#clock.now() - started, true);
      throw err;
    }
  }

  async #chosenQueue(msg: Message, options: SendOptions): Promise<MessageQueue> {
    if (options.queue !== undefined) {
      const q = options.queue;
      if (q.topic !== msg.topic) throw messageError(`the queue's topic ${q.topic} is not the message's topic ${msg.topic}`);
      // The queue names its broker; a producer that never routed this topic learns the address here.
      if (this.#instance.masterAddress(q.brokerName) === undefined) await this.#publishQueues(msg.topic);
      return q;
    }
    const queues = (await this.#publishQueues(msg.topic)).queues;
    if (options.shardingKey !== undefined) {
      if (typeof options.shardingKey !== 'string' || options.shardingKey === '') throw messageError('shardingKey must be a non-empty string');
      return selectQueueByHash(queues, msg, options.shardingKey);
    }
    const chosen = options.selector!(queues, msg, options.selectorArg);
    if (chosen === undefined || chosen === null || !queues.includes(chosen)) {
      const known = queues.find((q) => chosen !== undefined && chosen !== null && q.brokerName === chosen.brokerName && q.queueId === chosen.queueId);
      if (known === undefined) throw messageError('the selector returned a queue that is not one of the queues it was given');
      return known;
    }
    return chosen;
  }

  /** The hot path: publish queues of a cached, unchanged route, without a promise. */
  #cachedPublishQueues(topic: string): TopicPublishQueues | undefined {
    const entry = this.#publish.get(topic);
    if (entry === undefined) return undefined;
    const info = this.#instance.cachedTopicRoute(topic);
    // No route yet: the default topic's stand-in serves until the refresh finds one (#publishQueues).
    if (info === undefined) return entry.queues;
    return entry.source === info.publishQueues ? entry.queues : undefined;
  }

  /** Publish queues from the cached route; else the name server; else the default topic's route. */
  async #publishQueues(topic: string): Promise<TopicPublishQueues> {
    let info: TopicRouteInfo | undefined = this.#instance.cachedTopicRoute(topic);
    const entry = this.#publish.get(topic);
    if (info === undefined && entry !== undefined) return entry.queues; // default-topic stand-in, until the refresh finds the route
    if (info === undefined || info.publishQueues.length === 0) info = await this.#instance.updateTopicRoute(topic);
    if (info === undefined || info.publishQueues.length === 0) {
      const stand = await this.#defaultTopicQueues(topic);
      this.#publish.set(topic, stand);
      this.#instance.watchTopic(topic);
      return stand.queues;
    }
    if (entry !== undefined && entry.source === info.publishQueues) return entry.queues;
    const fresh = { source: info.publishQueues, queues: new TopicPublishQueues(info.publishQueues) };
    this.#publish.set(topic, fresh);
    return fresh.queues;
  }

  /** An unknown topic is sent through the default topic's brokers, which auto-create it. */
  async #defaultTopicQueues(topic: string): Promise<PublishEntry> {
    let template: TopicRouteInfo;
    try {
      template = await this.#instance.topicRoute(this.config.createTopicKey);
    } catch (err) {
      if (errorCode(err) !== 'ERR_TOPIC_NOT_EXIST') throw err;
      throw mqError('ERR_TOPIC_NOT_EXIST', `no route info for topic ${topic} (and no ${this.config.createTopicKey} route to auto-create it)`, err);
    }
    const queueDatas = template.route.queueDatas
      .filter((q) => (q.perm & PERM_WRITE) !== 0)
      .map((q) => {
        const nums = Math.min(this.config.defaultTopicQueueNums, q.writeQueueNums);
        return { ...q, readQueueNums: nums, writeQueueNums: nums };
      });
    const info = buildTopicRouteInfo(topic, { queueDatas, brokerDatas: template.route.brokerDatas });
    if (info.publishQueues.length === 0) {
      throw mqError('ERR_TOPIC_NOT_EXIST', `no writable broker for topic ${topic}`);
    }
    return { source: info.publishQueues, queues: new TopicPublishQueues(info.publishQueues) };
  }

  async #masterAddress(brokerName: string): Promise<string> {
    let address = this.#instance.masterAddress(brokerName);
    if (address === undefined) {
      // The broker table may be older than the route that named this broker: ask once more.
      await Promise.allSettled(this.#instance.cachedTopics().map((t) => this.#instance.updateTopicRoute(t)));
      address = this.#instance.findBrokerAddress(brokerName, MASTER_ID, true)?.address;
    }
    if (address === undefined) {
      throw mqError('ERR_BROKER_NOT_EXIST', `the master of broker ${brokerName} is not known`);
    }
    return address;
  }

  #target(queue: MessageQueue): SendTarget {
    return {
      producerGroup: this.config.groupName,
      topic: queue.topic,
      queueId: queue.queueId,
      defaultTopic: this.config.createTopicKey,
      defaultTopicQueueNums: this.config.defaultTopicQueueNums,
    };
  }

  #timeout(options: SendOptions | undefined): number {
    const timeoutMs = options?.timeoutMs ?? this.config.sendMsgTimeoutMs;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw messageError(`timeoutMs must be a positive number, got ${timeoutMs}`);
    return timeoutMs;
  }

  #checkRunning(): void {
    if (this.#state !== 'running') {
      throw clientStateError(`producer ${this.config.groupName} is ${this.#state === 'created' ? 'not started' : 'shut down'}`);
    }
  }
}

function shardingProperty(key: string): Record<string, string> {
  if (typeof key !== 'string' || key === '' || /[\u0001\u0002]/.test(key)) {
    throw messageError('shardingKey must be a non-empty string without \\u0001 or \\u0002');
  }
  return { [MessageConst.SHARDING_KEY]: key };
}

function isRetriable(err: unknown): boolean {
  return err instanceof MqError ? err.retriable : false;
}

/** The producer's side of a first attempt: its result, or the promise of the retries. */
interface FirstAttemptOutcome {
  responded(attempt: FirstAttempt, response: RemotingCommand): SendResult | Promise<SendResult>;
  failed(attempt: FirstAttempt, err: Error): Promise<SendResult>;
}

/**
 * The first attempt of a send, usually its only one: the connection's ResponseWaiter and the
 * resolver of the caller's promise in one object, so a send in flight holds no promise chain. It
 * keeps what #retrySends needs to take the send up after it.
 */
class FirstAttempt extends Deferred<SendResult> implements ResponseWaiter {
  constructor(
    readonly outcome: FirstAttemptOutcome,
    readonly topic: string,
    readonly timeoutMs: number,
    readonly msgId: string,
    readonly prepared: PreparedMessage | undefined,
    readonly batchBody: Buffer | undefined,
    readonly deadline: number,
    readonly queue: MessageQueue,
    readonly started: number,
  ) {
    super();
  }

  responded(response: RemotingCommand): void {
    try {
      this.resolve(this.outcome.responded(this, response));
    } catch (err) {
      this.reject(err);
    }
  }

  failed(error: Error): void {
    this.resolve(this.outcome.failed(this, error));
  }
}
