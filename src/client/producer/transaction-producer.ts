/**
 * TransactionProducer (RocketMQ TransactionMQProducer): sendMessageInTransaction sends a half message
 * (TRAN_MSG=true, PGROUP, sysFlag PREPARED), runs the listener's local transaction, then tells the
 * broker the verdict with a one-way END_TRANSACTION. It also answers the broker's
 * CHECK_TRANSACTION_STATE for any half message of its group (its own or a crashed peer's) by running
 * checkLocalTransaction and sending END_TRANSACTION with fromTransactionCheck=true.
 *
 * Plain sends go through `producer` (the same group and client instance).
 */
import { errorCode } from '../../common/mq-error';
import { MessageConst, MessageSysFlag } from '../../message/message-const';
import { decodeOffsetMessageId } from '../../message/message-id';
import type { MessageExt } from '../../message/message-types';
import { EndTransactionRequestHeader, type CheckTransactionStateRequest } from '../../protocol/headers/transaction-headers';
import { createRequest } from '../../protocol/remoting-command';
import { RequestCode } from '../../protocol/request-code';
import { clientOptionError, clientStateError } from '../client-config';
import { MessageClientIdGenerator } from '../message-client-id';
import type { MessageQueue } from '../message-queue';
import { checkMessage, hasTimer, keysText, messageError, type Message } from './message';
import { Producer } from './producer';
import type { ProducerOptions } from './producer-options';
import { prepareMessage, sendMessageRequest } from './send-request';
import { sendResultFrom, type SendResult } from './send-result';
import { notifyEndTransaction, notifySendHooks } from '../trace/hooks';
import {
  LOCAL_TRANSACTION_STATES,
  commitOrRollbackOf,
  type LocalTransactionState,
  type TransactionListener,
  type TransactionSendResult,
} from './transaction-listener';

export interface TransactionProducerOptions extends ProducerOptions {
  readonly transactionListener: TransactionListener;
}

/** What END_TRANSACTION names: the half message as the broker stored it. */
interface HalfReference {
  readonly brokerAddr: string;
  readonly queueOffset: number;
  readonly commitLogOffset: number;
  readonly msgId: string;
  readonly transactionId: string;
  /** For the send hooks (message trace): the message's topic, tags and keys. */
  readonly traced: { readonly topic: string; readonly tags: string; readonly keys: string };
}

export class TransactionProducer {
  readonly producer: Producer;
  readonly #listener: TransactionListener;
  readonly #ids: MessageClientIdGenerator;
  #unregisterChecks: (() => void) | undefined;
  #nextQueue = 0;

  constructor(options: TransactionProducerOptions) {
    const listener = options?.transactionListener;
    if (typeof listener?.executeLocalTransaction !== 'function' || typeof listener.checkLocalTransaction !== 'function') {
      throw clientOptionError('transactionListener must have executeLocalTransaction and checkLocalTransaction functions');
    }
    this.producer = new Producer(options);
    this.#listener = listener;
    const instance = this.producer.clientInstance;
    this.#ids = new MessageClientIdGenerator(instance.config.clientIP, process.pid, () => instance.clock.now());
  }

  get groupName(): string {
    return this.producer.config.groupName;
  }

  /**
   * Starts the producer and announces the group at once (checks only reach producers the broker has
   * heard a heartbeat from): the default topic's route names the brokers to tell.
   */
  async start(): Promise<void> {
    await this.producer.start();
    const instance = this.producer.clientInstance;
    this.#unregisterChecks ??= instance.transactionChecks.register(this.groupName, (header, message, brokerAddr) => {
      void this.#answerCheck(header, message, brokerAddr);
    });
    try {
      await instance.topicRoute(this.producer.config.createTopicKey);
    } catch (err) {
      instance.logger.warn(`transaction producer ${this.groupName}: no route for ${this.producer.config.createTopicKey} yet (${(err as Error).message}); brokers learn the group from later heartbeats`);
    }
    await instance.sendHeartbeatToAllBrokers();
  }

  async shutdown(): Promise<void> {
    this.#unregisterChecks?.();
    this.#unregisterChecks = undefined;
    await this.producer.shutdown();
  }

  /**
   * Sends `msg` as a half message, runs the local transaction with `arg`, and ends the transaction
   * on the broker (one-way; if that is lost the broker's check asks again). Throws only when the half
   * message could not be stored; a stored half message that missed a durability wish is rolled back
   * without running the local transaction (as RocketMQ).
   */
  async sendMessageInTransaction(msg: Message, arg?: unknown): Promise<TransactionSendResult> {
    if (this.#unregisterChecks === undefined) throw clientStateError(`transaction producer ${this.groupName} is not started`);
    const body = checkMessage(msg, this.producer.config.maxMessageSize);
    if (msg.delayTimeLevel !== undefined && msg.delayTimeLevel > 0) throw messageError('a transactional message cannot have a delayTimeLevel');
    if (hasTimer(msg)) throw messageError('a transactional message cannot have a delivery time (deliverTimeMs, delayTimeSec, delayTimeMs)');
    const msgId = this.#ids.next();
    const startedAt = Date.now();
    const { sendResult, brokerAddr } = await this.#sendHalf(msg, body, msgId);
    notifySendHooks(this.producer.sendHooks, { producerGroup: this.groupName, messages: [msg], result: sendResult, startedAt, endedAt: Date.now(), msgType: 'Trans_Msg_Half' });
    const transactionId = sendResult.transactionId ?? msgId;
    let state: LocalTransactionState = 'ROLLBACK_MESSAGE';
    let localError: unknown;
    if (sendResult.sendStatus === 'SEND_OK') {
      try {
        state = validState(await this.#listener.executeLocalTransaction(msg, arg));
      } catch (err) {
        state = 'UNKNOW';
        localError = err;
      }
    }
    const half: HalfReference = {
      brokerAddr, queueOffset: sendResult.queueOffset, commitLogOffset: decodeOffsetMessageId(sendResult.offsetMsgId).physicalOffset,
      msgId, transactionId, traced: { topic: msg.topic, tags: msg.tags ?? '', keys: msg.keys === undefined ? '' : keysText(msg.keys) },
    };
    await this.#endTransaction(half, state, false, localError === undefined ? undefined : `executeLocalTransactionBranch exception: ${String(localError)}`);
    return { ...sendResult, localTransactionState: state, transactionId };
  }

  /** The half send: a queue of the topic in turn, retried on another broker after a retriable failure. */
  async #sendHalf(msg: Message, body: Buffer, msgId: string): Promise<{ sendResult: SendResult & { transactionId?: string | undefined }; brokerAddr: string }> {
    const config = this.producer.config;
    const instance = this.producer.clientInstance;
    const extra = { [MessageConst.TRAN_MSG]: 'true', [MessageConst.PGROUP]: config.groupName };
    const prepared = prepareMessage(msg, body, msgId, { overBytes: config.compressMsgBodyOverHowmuch, level: config.compressLevel }, extra);
    const half = { ...prepared, sysFlag: prepared.sysFlag | MessageSysFlag.TRANSACTION_PREPARED_TYPE };
    const queues = await this.producer.publishQueues(msg.topic);
    const attempts = 1 + config.retryTimesWhenSendFailed;
    let lastError: unknown;
    let avoid: string | undefined;
    for (let attempt = 0; attempt < attempts; attempt++) {
      const queue = this.#pickQueue(queues, avoid);
      avoid = queue.brokerName;
      try {
        const brokerAddr = await this.#masterAddress(queue);
        const request = sendMessageRequest({
          producerGroup: config.groupName, topic: queue.topic, queueId: queue.queueId,
          defaultTopic: config.createTopicKey, defaultTopicQueueNums: config.defaultTopicQueueNums,
        }, half, instance.clock.now());
        const response = await instance.invoke(brokerAddr, request, config.sendMsgTimeoutMs);
        const sendResult = sendResultFrom(response, queue, msgId);
        return { sendResult: { ...sendResult, transactionId: response.extFields['transactionId'] }, brokerAddr };
      } catch (err) {
        lastError = err;
        if (!isRetriable(err)) throw err;
      }
    }
    throw lastError;
  }

  #pickQueue(queues: readonly MessageQueue[], avoidBroker: string | undefined): MessageQueue {
    if (queues.length === 0) throw messageError('the topic has no writable queue');
    for (let i = 0; i < queues.length; i++) {
      const queue = queues[this.#nextQueue++ % queues.length]!;
      if (queue.brokerName !== avoidBroker) return queue;
    }
    return queues[this.#nextQueue++ % queues.length]!;
  }

  async #masterAddress(queue: MessageQueue): Promise<string> {
    const instance = this.producer.clientInstance;
    let address = instance.masterAddress(queue.brokerName);
    if (address === undefined) {
      await instance.updateTopicRoute(queue.topic);
      address = instance.masterAddress(queue.brokerName);
    }
    if (address === undefined) throw clientStateError(`the master of broker ${queue.brokerName} is not known`);
    return address;
  }

  async #answerCheck(header: CheckTransactionStateRequest, message: MessageExt, brokerAddr: string): Promise<void> {
    const transactionId = header.transactionId ?? message.properties[MessageConst.UNIQ_KEY] ?? '';
    let state: LocalTransactionState;
    let localError: unknown;
    try {
      state = validState(await this.#listener.checkLocalTransaction({ ...message, transactionId }));
    } catch (err) {
      state = 'UNKNOW';
      localError = err;
    }
    const half: HalfReference = {
      brokerAddr, queueOffset: header.tranStateTableOffset, commitLogOffset: header.commitLogOffset,
      msgId: header.msgId ?? message.properties[MessageConst.UNIQ_KEY] ?? '', transactionId,
      traced: { topic: message.properties[MessageConst.REAL_TOPIC] ?? message.topic, tags: message.tags ?? '', keys: message.keys ?? '' },
    };
    await this.#endTransaction(half, state, true, localError === undefined ? undefined : `checkLocalTransaction exception: ${String(localError)}`);
  }

  /** One-way END_TRANSACTION; a failure is logged: the broker's check will ask again. */
  async #endTransaction(half: HalfReference, state: LocalTransactionState, fromTransactionCheck: boolean, remark: string | undefined): Promise<void> {
    const request = createRequest(RequestCode.END_TRANSACTION, EndTransactionRequestHeader.encode({
      producerGroup: this.groupName, tranStateTableOffset: half.queueOffset, commitLogOffset: half.commitLogOffset,
      commitOrRollback: commitOrRollbackOf(state), fromTransactionCheck, msgId: half.msgId, transactionId: half.transactionId,
    }));
    request.remark = remark;
    notifyEndTransaction(this.producer.sendHooks, {
      producerGroup: this.groupName, ...half.traced, msgId: half.msgId, brokerAddr: half.brokerAddr, transactionId: half.transactionId, state, fromTransactionCheck,
    });
    try {
      await this.producer.clientInstance.invokeOneway(half.brokerAddr, request);
    } catch (err) {
      this.producer.clientInstance.logger.warn(`END_TRANSACTION (${state}) for ${half.transactionId} to ${half.brokerAddr} failed: ${(err as Error).message}; the broker will check it`);
    }
  }
}

function validState(value: unknown): LocalTransactionState {
  return LOCAL_TRANSACTION_STATES.includes(value as LocalTransactionState) ? value as LocalTransactionState : 'UNKNOW';
}

function isRetriable(err: unknown): boolean {
  return (err as { retriable?: unknown } | undefined)?.retriable === true && errorCode(err) !== undefined;
}
