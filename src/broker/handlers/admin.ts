/**
 * Admin codes (remoting-protocol.md §5.13): UPDATE_AND_CREATE_TOPIC (17), GET_ALL_TOPIC_CONFIG (21),
 * GET_BROKER_RUNTIME_INFO (28), GET_TOPIC_STATS_INFO (202), GET_CONSUMER_CONNECTION_LIST (203),
 * GET_CONSUME_STATS (208), DELETE_TOPIC_IN_BROKER (215). Bodies follow fastjson's output: bean keys
 * in alphabetical order, and MessageQueue objects as map keys where Java admin tools expect them.
 */
import { mqError } from '../../protocol/errors';
import { optionalBoolean, optionalInt, optionalString, requiredString } from '../../protocol/headers/header-fields';
import { CURRENT_VERSION } from '../../protocol/language-code';
import { createResponse, type RemotingCommand } from '../../protocol/remoting-command';
import { ResponseCode } from '../../protocol/response-code';
import type { BrokerContext } from '../broker-context';
import { SCHEDULE_TOPIC } from '../../message/message-const';
import { DEFAULT_TOPIC, RETRY_GROUP_TOPIC_PREFIX, topicNameProblem, type TopicFilterType } from '../topic/topic-config-manager';

/** Topics an admin may not create, change or delete through the broker. */
const SYSTEM_TOPICS = new Set([DEFAULT_TOPIC, SCHEDULE_TOPIC, 'SELF_TEST_TOPIC', 'OFFSET_MOVED_EVENT', 'RMQ_SYS_TRANS_HALF_TOPIC', 'RMQ_SYS_TRANS_OP_HALF_TOPIC', 'TRANS_CHECK_MAX_TIME_TOPIC', 'BenchmarkTest']);

export function isSystemTopic(broker: BrokerContext, topic: string): boolean {
  return SYSTEM_TOPICS.has(topic) || topic.startsWith('rmq_sys_') || topic === broker.config.brokerClusterName || topic === broker.config.brokerName;
}

export function createUpdateAndCreateTopicHandler(broker: BrokerContext) {
  return (request: RemotingCommand): RemotingCommand => {
    const topic = requiredString(request, 'topic');
    const problem = topicNameProblem(topic);
    if (problem !== undefined) throw mqError('ERR_INVALID_PARAMETER', `The specified topic[${topic}] is illegal: ${problem}`);
    if (isSystemTopic(broker, topic)) throw mqError('ERR_INVALID_PARAMETER', `The topic[${topic}] is conflict with system topic.`);
    const readQueueNums = optionalInt(request, 'readQueueNums', 16);
    const writeQueueNums = optionalInt(request, 'writeQueueNums', 16);
    const perm = optionalInt(request, 'perm', 6);
    if (readQueueNums < 1 || writeQueueNums < 1 || readQueueNums > 1024 || writeQueueNums > 1024) {
      throw mqError('ERR_INVALID_PARAMETER', `queue numbers must be within 1..1024 (read ${readQueueNums}, write ${writeQueueNums})`);
    }
    if (perm < 0 || perm > 7) throw mqError('ERR_INVALID_PARAMETER', `perm must be within 0..7, got ${perm}`);
    const filterType = optionalString(request, 'topicFilterType') ?? 'SINGLE_TAG';
    if (filterType !== 'SINGLE_TAG' && filterType !== 'MULTI_TAG') throw mqError('ERR_INVALID_PARAMETER', `topicFilterType ${filterType} is not SINGLE_TAG or MULTI_TAG`);
    const config = {
      topicName: topic, readQueueNums, writeQueueNums, perm, topicFilterType: filterType as TopicFilterType,
      topicSysFlag: optionalInt(request, 'topicSysFlag', 0), order: optionalBoolean(request, 'order', false),
    };
    const existing = broker.topics.get(topic);
    const isUnchanged = existing !== undefined && JSON.stringify(existing) === JSON.stringify(config);
    if (!isUnchanged) broker.topics.update(config);
    return createResponse(ResponseCode.SUCCESS);
  };
}

export function createDeleteTopicHandler(broker: BrokerContext) {
  return (request: RemotingCommand): RemotingCommand => {
    const topic = requiredString(request, 'topic');
    if (isSystemTopic(broker, topic)) throw mqError('ERR_INVALID_PARAMETER', `The topic[${topic}] is conflict with system topic.`);
    broker.topics.delete(topic);
    broker.store.deleteTopic(topic);
    return createResponse(ResponseCode.SUCCESS);
  };
}

export function createGetAllTopicConfigHandler(broker: BrokerContext) {
  return (): RemotingCommand => createResponse(ResponseCode.SUCCESS, undefined, {}, Buffer.from(JSON.stringify(broker.topics.serializeWrapper()), 'utf8'));
}

/** A MessageQueue written as fastjson writes it when it is a map key. */
function messageQueueKey(brokerName: string, queueId: number, topic: string): string {
  return `{"brokerName":${JSON.stringify(brokerName)},"queueId":${queueId},"topic":${JSON.stringify(topic)}}`;
}

export function createGetTopicStatsHandler(broker: BrokerContext) {
  return (request: RemotingCommand): RemotingCommand => {
    const topic = requiredString(request, 'topic');
    const config = broker.topics.get(topic);
    if (config === undefined) throw mqError('ERR_TOPIC_NOT_EXIST', `topic[${topic}] not exist`);
    const entries: string[] = [];
    for (let queueId = 0; queueId < config.writeQueueNums; queueId++) {
      const maxOffset = broker.store.getMaxOffsetInQueue(topic, queueId);
      const minOffset = broker.store.getMinOffsetInQueue(topic, queueId);
      const last = maxOffset > 0 ? broker.store.getMessageStoreTimestamp(topic, queueId, maxOffset - 1) : 0;
      entries.push(`${messageQueueKey(broker.config.brokerName, queueId, topic)}:{"lastUpdateTimestamp":${Math.max(0, last)},"maxOffset":${maxOffset},"minOffset":${minOffset}}`);
    }
    return createResponse(ResponseCode.SUCCESS, undefined, {}, Buffer.from(`{"offsetTable":{${entries.join(',')}}}`, 'utf8'));
  };
}

export function createGetConsumerConnectionListHandler(broker: BrokerContext) {
  return (request: RemotingCommand): RemotingCommand => {
    const groupName = requiredString(request, 'consumerGroup');
    const group = broker.consumers.group(groupName);
    if (group === undefined || group.clients.size === 0) {
      return createResponse(ResponseCode.CONSUMER_NOT_ONLINE, `the consumer group[${groupName}] not online`);
    }
    const subscriptionTable: Record<string, unknown> = {};
    for (const [topic, sub] of [...group.subscriptions].sort(([a], [b]) => a.localeCompare(b))) {
      subscriptionTable[topic] = {
        classFilterMode: sub.classFilterMode, codeSet: sub.codeSet, expressionType: sub.expressionType,
        subString: sub.subString, subVersion: sub.subVersion, tagsSet: sub.tagsSet, topic: sub.topic,
      };
    }
    const body = {
      connectionSet: [...group.clients.values()].map((c) => ({
        clientAddr: c.connection.remoteAddress, clientId: c.clientId, language: c.language, version: c.version,
      })),
      consumeFromWhere: group.consumeFromWhere,
      consumeType: group.consumeType,
      messageModel: group.messageModel,
      subscriptionTable,
    };
    return createResponse(ResponseCode.SUCCESS, undefined, {}, Buffer.from(JSON.stringify(body), 'utf8'));
  };
}

export function createGetConsumeStatsHandler(broker: BrokerContext) {
  return (request: RemotingCommand): RemotingCommand => {
    const group = requiredString(request, 'consumerGroup');
    const onlyTopic = optionalString(request, 'topic');
    const topics = new Set<string>(onlyTopic !== undefined && onlyTopic !== '' ? [onlyTopic] : broker.offsets.topicsOfGroup(group));
    if (onlyTopic === undefined || onlyTopic === '') {
      for (const topic of broker.consumers.group(group)?.subscriptions.keys() ?? []) topics.add(topic);
    }
    const entries: string[] = [];
    for (const topic of [...topics].sort()) {
      const config = broker.topics.get(topic);
      if (config === undefined) continue;
      for (let queueId = 0; queueId < config.readQueueNums; queueId++) {
        const brokerOffset = broker.store.getMaxOffsetInQueue(topic, queueId);
        const consumerOffset = Math.max(0, broker.offsets.queryOffset(group, topic, queueId));
        const lastTimestamp = consumerOffset > 0 ? Math.max(0, broker.store.getMessageStoreTimestamp(topic, queueId, consumerOffset - 1)) : 0;
        entries.push(`${messageQueueKey(broker.config.brokerName, queueId, topic)}:{"brokerOffset":${brokerOffset},"consumerOffset":${consumerOffset},"lastTimestamp":${lastTimestamp},"pullOffset":${consumerOffset}}`);
      }
    }
    if (entries.length === 0 && !topics.has(RETRY_GROUP_TOPIC_PREFIX + group) && broker.consumers.group(group) === undefined) {
      return createResponse(ResponseCode.CONSUMER_NOT_ONLINE, `the consumer group[${group}] has no offsets and is not online`);
    }
    return createResponse(ResponseCode.SUCCESS, undefined, {}, Buffer.from(`{"consumeTps":0.0,"offsetTable":{${entries.join(',')}}}`, 'utf8'));
  };
}

export function createGetBrokerRuntimeInfoHandler(broker: BrokerContext) {
  const startedAt = broker.clock.now();
  return (): RemotingCommand => {
    const stats = broker.store.stats();
    const table: Record<string, string> = {
      bootTimestamp: String(startedAt),
      brokerVersion: String(CURRENT_VERSION),
      brokerVersionDesc: 'CometMQ',
      commitLogDiskRatio: stats.diskUsageRatio < 0 ? '0.0' : String(stats.diskUsageRatio),
      commitLogMaxOffset: String(broker.store.getMaxPhysicalOffset()),
      commitLogMinOffset: String(broker.store.getMinPhysicalOffset()),
      dispatchBehindBytes: String(broker.store.getMaxPhysicalOffset() - broker.store.getDispatchedPosition()),
      msgPutTotalTodayNow: String(stats.appendedMessages),
      putMessageTimesTotal: String(stats.appendedMessages),
      pullHeldCount: String(broker.pullHold.heldCount),
      runtime: `[ ${Math.floor((broker.clock.now() - startedAt) / 1000)} seconds ]`,
    };
    const sorted = Object.fromEntries(Object.entries(table).sort(([a], [b]) => a.localeCompare(b)));
    return createResponse(ResponseCode.SUCCESS, undefined, {}, Buffer.from(JSON.stringify({ table: sorted }), 'utf8'));
  };
}

