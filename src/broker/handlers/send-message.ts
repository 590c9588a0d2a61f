/**
 * SEND_MESSAGE (10), SEND_MESSAGE_V2 (310) and SEND_BATCH_MESSAGE (320; both single-letter headers; or
 * 310/10 with batch=true): header decode, topic checks and auto-creation, queue choice, delay-level
 * redirection to SCHEDULE_TOPIC_XXXX, %RETRY% -> %DLQ% past maxReconsumeTimes, the store append,
 * and the SendMessageResponseHeader Java clients read (remoting-protocol.md §5.1).
 */
import { MessageConst } from '../../message/message-const';
import { offsetMessageIdPrefix } from '../../message/message-id';
import type { MessageToStore, SocketAddress } from '../../message/message-types';
import { decodeProperties, encodeProperties, findProperties, findProperty } from '../../message/properties-codec';
import { decodeBatchBody } from '../../protocol/batch-body';
import { mqError } from '../../protocol/errors';
import { decodeSendMessageRequestHeader } from '../../protocol/headers/send-message-headers';
import { createFastResponse, createResponse, type RemotingCommand } from '../../protocol/remoting-command';
import { LaterAnswer } from '../../remoting/later-answer';
import type { HandlerContext } from '../../remoting/request-handler';
import type { PutCompletion, PutMessageResult } from '../../store/message-store';
import { parseDelayLevels } from '../../store/store-config';
import { isStored } from '../../store/store-status';
import type { BrokerContext } from '../broker-context';
import { applyDelayLevel } from '../delay/delay-redirect';
import { batchProblem, isSendForbiddenTopic } from '../limits/message-limits';
import { timerMessageToStore } from '../timer/timer-send';
import { batchTransactionProblem, halfMessageToStore, isHalfMessageSend } from '../transaction/half-message';
import { mapPutStatus } from '../status-mapping';
import { PageCacheBusyProbe } from './page-cache-busy';
import { SendQueue } from './send-queue';
import { SendResponseFields } from './send-response';
import { DLQ_GROUP_TOPIC_PREFIX, PERM_READ, PERM_WRITE, RETRY_GROUP_TOPIC_PREFIX, isWriteable, topicNameProblem, type TopicConfig } from '../topic/topic-config-manager';

const DEFAULT_MAX_RECONSUME_TIMES = 16;
/** Request version from which maxReconsumeTimes in the header is honoured (V3_4_9). */
const VERSION_WITH_MAX_RECONSUME_TIMES = 121;

interface SendHeader {
  readonly producerGroup: string;
  readonly topic: string;
  readonly defaultTopic: string;
  readonly defaultTopicQueueNums: number;
  readonly queueId: number;
  readonly sysFlag: number;
  readonly bornTimestamp: number;
  readonly flag: number;
  readonly properties: string;
  readonly reconsumeTimes: number;
  readonly maxReconsumeTimes: number | undefined;
  readonly isBatch: boolean;
}

/** The send header in the broker's terms; the wire forms (10: long names, 310/320: letters) are
 * decoded by the protocol's SendMessageRequestHeader codecs. */
function decodeSendHeader(request: RemotingCommand): SendHeader {
  const h = decodeSendMessageRequestHeader(request);
  return {
    producerGroup: h.producerGroup,
    topic: h.topic,
    defaultTopic: h.defaultTopic,
    defaultTopicQueueNums: h.defaultTopicQueueNums,
    queueId: h.queueId,
    sysFlag: h.sysFlag,
    bornTimestamp: h.bornTimestamp,
    flag: h.flag,
    properties: h.properties ?? '',
    reconsumeTimes: h.reconsumeTimes ?? 0,
    maxReconsumeTimes: h.maxReconsumeTimes,
    isBatch: h.batch ?? false,
  };
}

/** The one send queue all send codes of a broker share. */
export function createSendQueue(broker: BrokerContext): SendQueue {
  return new SendQueue({
    clock: broker.clock,
    maxActive: broker.config.maxConcurrentSends,
    capacity: broker.config.sendThreadPoolQueueCapacity,
    maxWaitMs: broker.config.waitTimeMillsInSendQueue,
  });
}

/** What a broker's send handler works with, made once per handler. */
interface SendContext {
  readonly broker: BrokerContext;
  readonly delayLevelCount: number;
  /** The store host's part of every offset message id this broker hands out. */
  readonly msgIdPrefix: string;
}

export function createSendMessageHandler(broker: BrokerContext, isBatchCode: boolean, queue: SendQueue) {
  const send: SendContext = {
    broker,
    delayLevelCount: parseDelayLevels(broker.config.store.messageDelayLevel).length,
    msgIdPrefix: offsetMessageIdPrefix(broker.storeHost),
  };
  const busyProbe = new PageCacheBusyProbe(broker.clock, () => broker.store.beginTimeInLock(), broker.config.osPageCacheBusyTimeOutMills);
  // A send is answered through its SendAnswer (no promise chain per send); checks that fail answer at once.
  const handle = (answer: SendAnswer, ctx: HandlerContext): RemotingCommand | SendAnswer => {
    const header = decodeSendHeader(answer.request);
    const busy = busyProbe.check();
    if (busy !== undefined) return busy;
    const topicConfig = checkTopic(broker, header);
    const bornHost = bornHostOf(ctx.remoteAddress);
    if (isBatchCode || header.isBatch) sendBatch(send, answer, header, topicConfig, bornHost);
    else sendOne(send, answer, header, topicConfig, bornHost);
    return answer;
  };
  return (request: RemotingCommand, ctx: HandlerContext): RemotingCommand | SendAnswer | Promise<RemotingCommand> => {
    if (!queue.tryEnter()) {
      // Every slot is taken: wait in line (the promise form is fine off the usual path).
      return queue.run(() => {
        const result = handle(new SendAnswer(request, send, undefined), ctx);
        return result instanceof SendAnswer ? (result.toPromise() as Promise<RemotingCommand>) : result;
      });
    }
    let result: RemotingCommand | SendAnswer;
    try {
      result = handle(new SendAnswer(request, send, queue), ctx);
    } catch (err) {
      queue.leave();
      throw err;
    }
    if (!(result instanceof SendAnswer)) queue.leave(); // answered at once; a SendAnswer leaves when settled
    return result;
  };
}

/**
 * One send until it is answered: the store's completion for it (putDone) and the dispatcher's
 * LaterAnswer in one object, which also gives back the send queue's slot.
 */
class SendAnswer extends LaterAnswer implements PutCompletion {
  readonly #send: SendContext;
  #queue: SendQueue | undefined;
  #queueId = 0;
  #transactionId: string | undefined;

  /** `queue`: the send queue whose slot this send took with tryEnter(), if it did. */
  constructor(request: RemotingCommand, send: SendContext, queue: SendQueue | undefined) {
    super(request);
    this.#send = send;
    this.#queue = queue;
  }

  /** Stores one message; answered once it is stored (and on disk, when the producer waits for that). */
  storeOne(message: MessageToStore, queueId: number, transactionId: string | undefined): void {
    this.#queueId = queueId;
    this.#transactionId = transactionId;
    this.#send.broker.store.putMessageTo(message, this);
  }

  putDone(result: PutMessageResult): void {
    this.#answerStored(result, undefined, this.#queueId, this.#transactionId);
  }

  /** Stores a batch atomically (the promise form: batches are few and large). */
  storeBatch(messages: MessageToStore[], queueId: number, transactionId: string | undefined): void {
    this.#send.broker.store.putMessages(messages).then(
      (results) => this.#answerStored(results[0] as PutMessageResult, results, queueId, transactionId),
      (err: unknown) => {
        this.#leaveQueue();
        this.fail(err);
      },
    );
  }

  #answerStored(first: PutMessageResult, batch: readonly PutMessageResult[] | undefined, queueId: number, transactionId: string | undefined): void {
    this.#leaveQueue();
    let response: RemotingCommand;
    try {
      response = sendResponse(this.#send, first, batch, queueId, transactionId);
    } catch (err) {
      this.fail(err);
      return;
    }
    this.answer(response);
  }

  #leaveQueue(): void {
    const queue = this.#queue;
    this.#queue = undefined;
    queue?.leave();
  }
}

/**
 * The last topic name that passed checkTopicName. The checks depend on the name alone, and a
 * producer's sends repeat it (the header decoder hands back the same string for the same bytes).
 */
let lastSendableTopic: string | undefined;

function checkTopicName(topic: string): void {
  if (topic === lastSendableTopic) return;
  const problem = topicNameProblem(topic);
  if (problem !== undefined) throw mqError('ERR_INVALID_PARAMETER', `the topic[${topic}] is illegal: ${problem}`);
  if (isSendForbiddenTopic(topic)) throw mqError('ERR_NO_PERMISSION', `Sending message to topic[${topic}] is forbidden.`);
  lastSendableTopic = topic;
}

function checkTopic(broker: BrokerContext, header: SendHeader): TopicConfig {
  if (!isWriteable(broker.config.brokerPermission) || broker.config.brokerRole === 'SLAVE') {
    throw mqError('ERR_NO_PERMISSION', `the broker[${broker.config.brokerIP1}] sending message is forbidden`);
  }
  checkTopicName(header.topic);
  const config = broker.topics.getOrCreateForSend(header.topic, header.defaultTopic, header.defaultTopicQueueNums);
  if (config === undefined) {
    throw mqError('ERR_TOPIC_NOT_EXIST', `topic[${header.topic}] not exist, apply first please! https://rocketmq.apache.org/docs/bestPractice/06FAQ`);
  }
  if (!isWriteable(config.perm)) throw mqError('ERR_NO_PERMISSION', `the topic[${header.topic}] sending message is forbidden`);
  const maxQueues = Math.max(config.readQueueNums, config.writeQueueNums);
  if (header.queueId >= maxQueues) {
    throw mqError('ERR_INVALID_PARAMETER', `request queueId[${header.queueId}] is illegal, topic: ${header.topic} writeQueueNums: ${config.writeQueueNums} readQueueNums: ${config.readQueueNums}`);
  }
  return config;
}

function sendOne(send: SendContext, answer: SendAnswer, header: SendHeader, topicConfig: TopicConfig, bornHost: SocketAddress): void {
  const broker = send.broker;
  const request = answer.request;
  const text = header.properties;
  findProperties(text, SEND_PATH_PROPERTIES, sendPathValues);
  const [tranMsg, delay, uniqKey, cluster] = sendPathValues;
  let topic = header.topic;
  let queueId = header.queueId < 0 ? randomQueue(topicConfig.writeQueueNums) : header.queueId;
  if (isHalfMessageSend(tranMsg, header.sysFlag)) {
    // Transactional: stored as a half message, invisible to consumers until END_TRANSACTION commits it.
    const half = halfMessageToStore(header, { topic, queueId }, request.body ?? EMPTY_BODY, bornHost, broker.config.brokerClusterName);
    answer.storeOne(half, queueId, uniqKey);
    return;
  }
  const timed = timerMessageToStore(broker, text, header, { topic, queueId }, request.body ?? EMPTY_BODY, bornHost);
  if (timed !== undefined) {
    // TIMER_DELIVER_MS / TIMER_DELAY_SEC / TIMER_DELAY_MS: parked in the timer topic (broker/timer).
    answer.storeOne(timed, queueId, uniqKey);
    return;
  }
  if (!topic.startsWith(RETRY_GROUP_TOPIC_PREFIX) && delay === undefined) {
    // The common case: nothing to rewrite, so the producer's properties are stored as they came.
    const message: MessageToStore = {
      topic, queueId, body: request.body ?? EMPTY_BODY, flag: header.flag,
      propertiesText: withProperty(text, cluster !== undefined, MessageConst.CLUSTER, broker.config.brokerClusterName),
      bornTimestamp: header.bornTimestamp, bornHost, sysFlag: header.sysFlag, reconsumeTimes: header.reconsumeTimes,
    };
    answer.storeOne(message, queueId, uniqKey);
    return;
  }
  const properties = decodeProperties(text);

  if (topic.startsWith(RETRY_GROUP_TOPIC_PREFIX)) {
    const group = topic.slice(RETRY_GROUP_TOPIC_PREFIX.length);
    const groupMax = broker.groups.get(group)?.retryMaxTimes ?? DEFAULT_MAX_RECONSUME_TIMES;
    const max = request.version >= VERSION_WITH_MAX_RECONSUME_TIMES && header.maxReconsumeTimes !== undefined ? header.maxReconsumeTimes : groupMax;
    // An orderly group holding queue locks must not see retries out of order: straight to the DLQ.
    if (header.reconsumeTimes > max || broker.locks.hasLiveLocks(group, broker.clock.now())) {
      topic = DLQ_GROUP_TOPIC_PREFIX + group;
      broker.topics.getOrCreateGroupTopic(topic, 1, PERM_READ | PERM_WRITE);
      queueId = 0;
      properties[MessageConst.DELAY] = '-1';
    }
  }
  properties[MessageConst.CLUSTER] = broker.config.brokerClusterName;

  ({ topic, queueId } = applyDelayLevel(properties, { topic, queueId }, header.sysFlag, send.delayLevelCount));

  const message: MessageToStore = {
    topic, queueId, body: request.body ?? EMPTY_BODY, flag: header.flag, properties,
    bornTimestamp: header.bornTimestamp, bornHost, sysFlag: header.sysFlag, reconsumeTimes: header.reconsumeTimes,
  };
  answer.storeOne(message, queueId, properties[MessageConst.UNIQ_KEY]);
}

function sendBatch(send: SendContext, answer: SendAnswer, header: SendHeader, topicConfig: TopicConfig, bornHost: SocketAddress): void {
  const broker = send.broker;
  const request = answer.request;
  const transactional = batchTransactionProblem(header.sysFlag);
  if (transactional !== undefined) throw mqError('ERR_MESSAGE_ILLEGAL', transactional);
  const queueId = header.queueId < 0 ? randomQueue(topicConfig.writeQueueNums) : header.queueId;
  const inner = decodeBatchBody(request.body ?? EMPTY_BODY);
  const problem = batchProblem({ topic: header.topic, properties: header.properties, bodyLength: request.body?.length ?? 0, innerProperties: inner.map((m) => m.propertiesText) }, broker.config.store.maxMessageSize);
  if (problem !== undefined) throw mqError('ERR_MESSAGE_ILLEGAL', problem);
  const cluster = broker.config.brokerClusterName;
  const messages: MessageToStore[] = inner.map((m) => ({
    topic: header.topic, queueId, body: m.body, flag: m.flag, propertiesText: withProperty(m.propertiesText, findProperty(m.propertiesText, MessageConst.CLUSTER) !== undefined, MessageConst.CLUSTER, cluster),
    bornTimestamp: header.bornTimestamp, bornHost, sysFlag: header.sysFlag, reconsumeTimes: header.reconsumeTimes,
  }));
  let uniqKeys = '';
  for (const m of inner) {
    const key = findProperty(m.propertiesText, MessageConst.UNIQ_KEY);
    if (key !== undefined) uniqKeys += uniqKeys === '' ? key : ',' + key;
  }
  answer.storeBatch(messages, queueId, uniqKeys === '' ? undefined : uniqKeys);
}

/** `batch`: every result of a batch send (their ids replace the single msgId); undefined for one message. */
function sendResponse(
  send: SendContext, first: PutMessageResult, batch: readonly PutMessageResult[] | undefined, queueId: number, transactionId: string | undefined,
): RemotingCommand {
  const broker = send.broker;
  const stats = first.status === 'SERVICE_NOT_AVAILABLE' ? broker.store.stats() : undefined;
  const mapped = mapPutStatus(first.status, {
    isDiskFull: broker.store.isDiskFull,
    diskUsageRatio: stats?.diskUsageRatio ?? -1,
    storeRemark: first.remark,
  });
  if (!isStored(first.status)) return createResponse(mapped.code, mapped.remark);
  return createFastResponse(mapped.code, mapped.remark, new SendResponseFields({
    msgIdPrefix: send.msgIdPrefix,
    physicalOffset: first.physicalOffset,
    batchMsgIds: batch === undefined || batch.length === 1 ? undefined : batch.map((r) => r.msgId).join(','),
    queueId,
    queueOffset: first.queueOffset,
    region: broker.config.region,
    traceOn: broker.config.traceOn,
    transactionId,
  }));
}

const EMPTY_BODY = Buffer.alloc(0);

/** What the send path decides on, found in one pass over the producer's properties (findProperties). */
const SEND_PATH_PROPERTIES = [MessageConst.TRAN_MSG, MessageConst.DELAY, MessageConst.UNIQ_KEY, MessageConst.CLUSTER] as const;
const sendPathValues: Array<string | undefined> = [undefined, undefined, undefined, undefined];

/**
 * `text` with `name` set to `value` (the broker's own properties, e.g. CLUSTER): appended when
 * absent, otherwise through a decode and re-encode so the name stays unique.
 */
function withProperty(text: string, isPresent: boolean, name: string, value: string): string {
  if (isPresent) return encodeProperties({ ...decodeProperties(text), [name]: value });
  const separated = text.length === 0 || text.endsWith('\u0002') ? text : text + '\u0002';
  return separated + name + '\u0001' + value + '\u0002';
}

function randomQueue(writeQueueNums: number): number {
  return Math.floor(Math.random() * Math.max(1, writeQueueNums));
}

/**
 * The born host of a connection's sends, parsed once per address: the record encoder recognises the
 * same object and reuses its bytes. Bounded: cleared past MAX_CACHED_HOSTS addresses.
 */
const bornHosts = new Map<string, SocketAddress>();
const MAX_CACHED_HOSTS = 4096;

function bornHostOf(remoteAddress: string): SocketAddress {
  let host = bornHosts.get(remoteAddress);
  if (host === undefined) {
    host = parseAddress(remoteAddress);
    if (bornHosts.size >= MAX_CACHED_HOSTS) bornHosts.clear();
    bornHosts.set(remoteAddress, host);
  }
  return host;
}

/** "ip:port" (IPv6 literals contain colons: the port is after the last one). */
export function parseAddress(address: string): SocketAddress {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(at + 1));
  return { address: host === '' || host === 'unknown' ? '127.0.0.1' : host, port: Number.isInteger(port) ? port : 0 };
}
