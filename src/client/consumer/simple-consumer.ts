/**
 * SimpleConsumer (RocketMQ 5's name) over remoting POP: the application asks for messages with
 * receive(), processes them and acks each one; a message not acked within its invisible duration is
 * delivered again (to any consumer of the group) with deliveryAttempt + 1. There is no rebalancing:
 * every receive pops from any queue of one broker (brokers of the subscribed topics in turn), so
 * several SimpleConsumers of a group share the work. Long polling: receive() waits up to
 * awaitDurationMs for a message to arrive.
 */
import { silentLogger, type Logger } from '../../common/logger';
import { decodeRecords } from '../../message/record-decoder';
import { responseError } from '../../protocol/errors';
import { createRequest, type RemotingCommand } from '../../protocol/remoting-command';
import { RequestCode } from '../../protocol/request-code';
import { ResponseCode } from '../../protocol/response-code';
import {
  buildReceiptHandle, parseReceiptHandle, parseStartOffsetInfo, receiptHandleOf,
} from '../../protocol/headers/pop-extra-info';
import { PopInitMode } from '../../protocol/headers/pop-headers';
import { buildBatchAckBody } from '../../protocol/headers/pop-batch-ack';
import { ConsumerClient } from './consumer-client';
import { optionError, stateError } from './consumer-types';
import { selectSubscription, toSubscriptionData, type SelectedSubscription, type SubscriptionExpression } from './message-selector';
import { toPoppedMessage, type PoppedMessage } from './popped-message';

export type { PoppedMessage } from './popped-message';

export interface SimpleConsumerOptions {
  readonly groupName: string;
  readonly namesrvAddr: string;
  /** topic -> tag expression ('*', 'A || B'), MessageSelector or { sql }; more with subscribe(). */
  readonly subscriptions?: Readonly<Record<string, SubscriptionExpression>>;
  /** How long receive() waits on the broker for a message (long polling). Default 20,000 ms. */
  readonly awaitDurationMs?: number;
  /** Invisible duration when receive() is not given one. Default 30,000 ms. */
  readonly invisibleDurationMs?: number;
  /** Where a group with no pop offset starts on a queue: 'max' (RocketMQ's default) or 'min'. */
  readonly initMode?: 'min' | 'max';
  /** Timeout of acks and changes, and the slack added to a long-polling receive. Default 3,000 ms. */
  readonly requestTimeoutMs?: number;
  readonly instanceName?: string;
  readonly logger?: Logger;
}

export const MAX_RECEIVE_BATCH = 32;
const MAX_INVISIBLE_MS = 12 * 3600_000;
const GROUP_PATTERN = /^[%|a-zA-Z0-9_-]{1,255}$/;

function checkDuration(name: string, value: unknown, min: number, max: number): void {
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    throw optionError(`${name} must be an integer within ${min}..${max} ms, got ${String(value)}`);
  }
}

export class SimpleConsumer implements AsyncIterable<PoppedMessage> {
  readonly #options: SimpleConsumerOptions;
  readonly #client: ConsumerClient;
  readonly #subscriptions = new Map<string, SelectedSubscription>();
  readonly #awaitMs: number;
  readonly #invisibleMs: number;
  readonly #timeoutMs: number;
  readonly #subVersion = Date.now();
  #turn = 0;
  #state: 'created' | 'running' | 'stopped' = 'created';

  constructor(options: SimpleConsumerOptions) {
    if (options === null || typeof options !== 'object') throw optionError('options must be an object');
    if (typeof options.groupName !== 'string' || !GROUP_PATTERN.test(options.groupName)) throw optionError('groupName must be 1-255 characters of [%|a-zA-Z0-9_-]');
    if (typeof options.namesrvAddr !== 'string' || options.namesrvAddr === '') throw optionError('namesrvAddr is required');
    this.#awaitMs = options.awaitDurationMs ?? 20_000;
    this.#invisibleMs = options.invisibleDurationMs ?? 30_000;
    this.#timeoutMs = options.requestTimeoutMs ?? 3000;
    checkDuration('awaitDurationMs', this.#awaitMs, 0, 300_000);
    checkDuration('invisibleDurationMs', this.#invisibleMs, 1, MAX_INVISIBLE_MS);
    checkDuration('requestTimeoutMs', this.#timeoutMs, 1, 300_000);
    if (options.initMode !== undefined && options.initMode !== 'min' && options.initMode !== 'max') throw optionError(`initMode must be 'min' or 'max', got ${String(options.initMode)}`);
    for (const [topic, expression] of Object.entries(options.subscriptions ?? {})) this.#subscriptions.set(topic, selectSubscription(expression));
    this.#options = options;
    this.#client = new ConsumerClient({ namesrvAddr: options.namesrvAddr, instanceName: options.instanceName, logger: options.logger ?? silentLogger });
  }

  get groupName(): string {
    return this.#options.groupName;
  }

  async start(): Promise<void> {
    if (this.#state !== 'created') throw stateError(`the SimpleConsumer is ${this.#state}`);
    this.#state = 'running';
    this.#client.registerConsumer(this.#options.groupName, () => ({
      groupName: this.#options.groupName, consumeType: 'CONSUME_ACTIVELY', messageModel: 'CLUSTERING', consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
      subscriptionDataSet: [...this.#subscriptions].map(([topic, s]) => toSubscriptionData(topic, s, this.#subVersion)),
    }));
    await this.#client.start();
    for (const topic of this.#subscriptions.keys()) await this.#client.refreshRoute(topic);
    await this.#client.heartbeat();
  }

  /** Adds or replaces the subscription of `topic` (ERR_TOPIC_NOT_EXIST when it has no route). */
  async subscribe(topic: string, expression: SubscriptionExpression = '*'): Promise<void> {
    if (typeof topic !== 'string' || topic === '') throw optionError('topic must be a non-empty string');
    const selected = selectSubscription(expression);
    if (this.#state === 'running') await this.#client.refreshRoute(topic);
    this.#subscriptions.set(topic, selected);
  }

  unsubscribe(topic: string): void {
    this.#subscriptions.delete(topic);
  }

  /**
   * Up to maxMessages (1..32) messages, invisible to other consumers for invisibleDurationMs; an
   * empty array when none arrived within awaitDurationMs.
   */
  async receive(maxMessages = 16, invisibleDurationMs = this.#invisibleMs): Promise<PoppedMessage[]> {
    this.#assertRunning();
    if (!Number.isInteger(maxMessages) || maxMessages < 1 || maxMessages > MAX_RECEIVE_BATCH) {
      throw optionError(`maxMessages must be an integer within 1..${MAX_RECEIVE_BATCH}, got ${String(maxMessages)}`);
    }
    checkDuration('invisibleDurationMs', invisibleDurationMs, 1, MAX_INVISIBLE_MS);
    const topics = [...this.#subscriptions.keys()];
    if (topics.length === 0) throw stateError('the SimpleConsumer has no subscription');
    const turn = this.#turn++;
    const topic = topics[turn % topics.length] as string;
    const route = this.#client.cachedRoute(topic) ?? await this.#client.refreshRoute(topic);
    const brokers = [...new Set(route.queues.map((q) => q.brokerName))];
    if (brokers.length === 0) throw responseError(ResponseCode.TOPIC_NOT_EXIST, `no readable queue of ${topic}`);
    const brokerName = brokers[Math.floor(turn / topics.length) % brokers.length] as string;
    const subscription = this.#subscriptions.get(topic) as SelectedSubscription;
    const request = createRequest(RequestCode.POP_MESSAGE, {
      consumerGroup: this.#options.groupName, topic, queueId: '-1', maxMsgNums: String(maxMessages),
      invisibleTime: String(invisibleDurationMs), pollTime: String(this.#awaitMs), bornTime: String(Date.now()),
      initMode: String(this.#options.initMode === 'min' ? PopInitMode.MIN : PopInitMode.MAX),
      expType: subscription.expressionType, exp: subscription.expression,
    });
    const response = await this.#client.invoke(brokerName, request, this.#awaitMs + this.#timeoutMs);
    if (response.code === ResponseCode.POLLING_TIMEOUT || response.code === ResponseCode.PULL_NOT_FOUND) return [];
    if (response.code !== ResponseCode.SUCCESS) throw responseError(response.code, response.remark);
    return this.#messagesOf(response, topic, brokerName);
  }

  /** Acknowledges a received message: it will not be delivered again. */
  async ack(message: PoppedMessage): Promise<void> {
    this.#assertRunning();
    const response = await this.#client.invoke(message.brokerName, createRequest(RequestCode.ACK_MESSAGE, this.#handleFields(message)), this.#timeoutMs);
    if (response.code !== ResponseCode.SUCCESS) throw responseError(response.code, response.remark);
  }

  /**
   * Acknowledges several received messages with one BATCH_ACK_MESSAGE per (broker, topic) instead
   * of one request each.
   */
  async ackAll(messages: readonly PoppedMessage[]): Promise<void> {
    this.#assertRunning();
    const groups = new Map<string, PoppedMessage[]>();
    for (const m of messages) {
      this.#handleFields(m);
      const key = `${m.brokerName}\u0001${m.topic}`;
      groups.set(key, [...(groups.get(key) ?? []), m]);
    }
    await Promise.all([...groups.values()].map(async (batch) => {
      const first = batch[0] as PoppedMessage;
      const body = buildBatchAckBody(first.brokerName, this.#options.groupName, first.topic, batch.map((m) => m.receiptHandle));
      const response = await this.#client.invoke(first.brokerName, createRequest(RequestCode.BATCH_ACK_MESSAGE, {}, body), this.#timeoutMs);
      if (response.code !== ResponseCode.SUCCESS) throw responseError(response.code, response.remark);
    }));
  }

  /**
   * Makes the message invisible for invisibleDurationMs from now (longer or shorter than before).
   * The message's receipt handle is replaced; ack it (or change it again) with the same object.
   */
  async changeInvisibleDuration(message: PoppedMessage, invisibleDurationMs: number): Promise<PoppedMessage> {
    this.#assertRunning();
    checkDuration('invisibleDurationMs', invisibleDurationMs, 1, MAX_INVISIBLE_MS);
    const request = createRequest(RequestCode.CHANGE_MESSAGE_INVISIBLETIME, { ...this.#handleFields(message), invisibleTime: String(invisibleDurationMs) });
    const response = await this.#client.invoke(message.brokerName, request, this.#timeoutMs);
    if (response.code !== ResponseCode.SUCCESS) throw responseError(response.code, response.remark);
    const old = parseReceiptHandle(message.receiptHandle);
    const f = response.extFields;
    message.receiptHandle = buildReceiptHandle({
      ...old, ckQueueOffset: message.queueOffset, popTime: Number(f['popTime']), invisibleTime: Number(f['invisibleTime']), reviveQid: Number(f['reviveQid']),
    });
    message.invisibleUntil = Number(f['popTime']) + Number(f['invisibleTime']);
    return message;
  }

  /** Receives batches until shutdown, yielding messages one by one (each still to be acked). */
  async *[Symbol.asyncIterator](): AsyncIterator<PoppedMessage> {
    while (this.#state === 'running') {
      let batch: PoppedMessage[];
      try {
        batch = await this.receive();
      } catch (err) {
        if (this.#state !== 'running') return;
        throw err;
      }
      for (const message of batch) yield message;
    }
  }

  async shutdown(): Promise<void> {
    if (this.#state === 'stopped') return;
    const wasRunning = this.#state === 'running';
    this.#state = 'stopped';
    if (wasRunning) {
      await this.#client.unregister(this.#options.groupName).catch(() => undefined);
      await this.#client.shutdown();
    }
  }

  #assertRunning(): void {
    if (this.#state !== 'running') throw stateError(`the SimpleConsumer is ${this.#state}; start() it first`);
  }

  #handleFields(message: PoppedMessage): Record<string, string> {
    if (message === null || typeof message !== 'object' || typeof message.receiptHandle !== 'string') throw optionError('not a message received by a SimpleConsumer');
    return {
      consumerGroup: this.#options.groupName, topic: message.topic, queueId: String(message.queueId),
      extraInfo: message.receiptHandle, offset: String(message.queueOffset),
    };
  }

  #messagesOf(response: RemotingCommand, topic: string, brokerName: string): PoppedMessage[] {
    const f = response.extFields;
    const info = {
      popTime: Number(f['popTime']), invisibleTime: Number(f['invisibleTime']), reviveQid: Number(f['reviveQid']),
      startOffsets: parseStartOffsetInfo(f['startOffsetInfo']),
    };
    return decodeRecords(response.body ?? null).map((m) => toPoppedMessage(m, topic, brokerName, receiptHandleOf(m, info, brokerName), info.popTime + info.invisibleTime));
  }
}
