/**
 * Client registration (remoting-protocol.md §5.6-5.7): HEART_BEAT (34) registers producers and
 * consumers before the reply is written (so a consumer's next GET_CONSUMER_LIST_BY_GROUP sees
 * itself), creating %RETRY%<group> on a group's first heartbeat; UNREGISTER_CLIENT (35);
 * GET_CONSUMER_LIST_BY_GROUP (38); and NOTIFY_CONSUMER_IDS_CHANGED (40), one-way to every member of
 * a group whose membership or subscriptions changed.
 */
import { mqError } from '../../protocol/errors';
import { optionalString, requiredString } from '../../protocol/headers/header-fields';
import { createRequest, createResponse, type RemotingCommand } from '../../protocol/remoting-command';
import { RequestCode } from '../../protocol/request-code';
import { ResponseCode } from '../../protocol/response-code';
import type { SubscriptionData } from '../../protocol/subscription-data';
import type { HandlerContext } from '../../remoting/request-handler';
import type { BrokerContext } from '../broker-context';
import { checkHeartbeatFilters } from '../filter/subscription-checks';
import type { ConsumerClient, ConsumerRegistration } from '../registry/consumer-registry';
import { PERM_READ, PERM_WRITE, RETRY_GROUP_TOPIC_PREFIX } from '../topic/topic-config-manager';

interface HeartbeatData {
  readonly clientId: string;
  readonly producerGroups: readonly string[];
  readonly consumers: readonly ConsumerRegistration[];
}

export function decodeHeartbeat(body: Buffer | undefined): HeartbeatData {
  let json: unknown;
  try {
    json = JSON.parse((body ?? Buffer.alloc(0)).toString('utf8'));
  } catch (err) {
    throw mqError('ERR_BODY_MALFORMED', `HEART_BEAT body is not JSON: ${(err as Error).message}`, err);
  }
  const data = asObject(json, 'HeartbeatData');
  const clientId = data['clientID'];
  if (typeof clientId !== 'string' || clientId === '') throw malformed('clientID must be a non-empty string');
  const producerGroups = asArray(data['producerDataSet'], 'producerDataSet').map((p) => stringField(asObject(p, 'ProducerData'), 'groupName'));
  // Heartbeat V2: withoutSub=true means "subscriptions unchanged since the last full heartbeat".
  const isWithoutSub = data['withoutSub'] === true;
  const consumers = asArray(data['consumerDataSet'], 'consumerDataSet').map((c): ConsumerRegistration => {
    const consumer = asObject(c, 'ConsumerData');
    return {
      groupName: stringField(consumer, 'groupName'),
      consumeType: optionalStringField(consumer, 'consumeType', 'CONSUME_PASSIVELY'),
      messageModel: optionalStringField(consumer, 'messageModel', 'CLUSTERING'),
      consumeFromWhere: optionalStringField(consumer, 'consumeFromWhere', 'CONSUME_FROM_LAST_OFFSET'),
      subscriptions: isWithoutSub ? undefined
        : asArray(consumer['subscriptionDataSet'], 'subscriptionDataSet').map((s) => decodeSubscription(asObject(s, 'SubscriptionData'))),
    };
  });
  return { clientId, producerGroups, consumers };
}

function decodeSubscription(s: Record<string, unknown>): SubscriptionData {
  const subVersion = s['subVersion'];
  return {
    topic: stringField(s, 'topic'),
    subString: optionalStringField(s, 'subString', '*'),
    tagsSet: asArray(s['tagsSet'], 'tagsSet').filter((t): t is string => typeof t === 'string'),
    codeSet: asArray(s['codeSet'], 'codeSet').filter((c): c is number => typeof c === 'number'),
    subVersion: typeof subVersion === 'number' ? subVersion : 0,
    expressionType: optionalStringField(s, 'expressionType', 'TAG'),
    classFilterMode: s['classFilterMode'] === true,
  };
}

export function createHeartbeatHandler(broker: BrokerContext) {
  return (request: RemotingCommand, ctx: HandlerContext): RemotingCommand => {
    const heartbeat = decodeHeartbeat(request.body);
    const now = broker.clock.now();
    const filters = checkHeartbeatFilters(broker, heartbeat.consumers);
    for (const consumer of filters.accepted) {
      // The retry topic must be routable as soon as the group exists (clients subscribe to it).
      const group = broker.groups.findOrCreate(consumer.groupName);
      if (group !== undefined && group.retryQueueNums > 0) {
        broker.topics.getOrCreateGroupTopic(RETRY_GROUP_TOPIC_PREFIX + consumer.groupName, group.retryQueueNums, PERM_READ | PERM_WRITE);
      }
      broker.consumers.register(consumer, { clientId: heartbeat.clientId, connection: ctx.connection, language: request.language, version: request.version }, now);
    }
    for (const group of heartbeat.producerGroups) {
      broker.producers.register(group, { clientId: heartbeat.clientId, connection: ctx.connection, language: request.language, version: request.version }, now);
    }
    // Everything valid is registered; a group with a bad SQL92 expression is not (SUBSCRIPTION_PARSE_FAILED).
    if (filters.failure !== undefined) throw filters.failure;
    return createResponse(ResponseCode.SUCCESS);
  };
}

export function createUnregisterClientHandler(broker: BrokerContext) {
  return (request: RemotingCommand): RemotingCommand => {
    const clientId = requiredString(request, 'clientID');
    const producerGroup = optionalString(request, 'producerGroup');
    const consumerGroup = optionalString(request, 'consumerGroup');
    if (producerGroup !== undefined && producerGroup !== '') broker.producers.unregister(producerGroup, clientId);
    if (consumerGroup !== undefined && consumerGroup !== '') broker.consumers.unregister(consumerGroup, clientId);
    return createResponse(ResponseCode.SUCCESS);
  };
}

export function createGetConsumerListByGroupHandler(broker: BrokerContext) {
  return (request: RemotingCommand): RemotingCommand => {
    const group = requiredString(request, 'consumerGroup');
    const ids = broker.consumers.clientIds(group);
    if (ids.length === 0) return createResponse(ResponseCode.SYSTEM_ERROR, `no consumer for this group, ${group}`);
    return createResponse(ResponseCode.SUCCESS, undefined, {}, Buffer.from(JSON.stringify({ consumerIdList: ids }), 'utf8'));
  };
}

/** Sends NOTIFY_CONSUMER_IDS_CHANGED one-way to each live member of a changed group. */
export function notifyConsumerIdsChanged(group: string, clients: readonly ConsumerClient[]): void {
  for (const client of clients) {
    if (client.connection.isClosed) continue;
    client.connection.invokeOneway(createRequest(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, { consumerGroup: group }));
  }
}

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed(`${what} must be an object`);
  return value as Record<string, unknown>;
}

function asArray(value: unknown, what: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw malformed(`${what} must be an array`);
  return value;
}

function stringField(obj: Record<string, unknown>, name: string): string {
  const value = obj[name];
  if (typeof value !== 'string' || value === '') throw malformed(`${name} must be a non-empty string`);
  return value;
}

function optionalStringField(obj: Record<string, unknown>, name: string, fallback: string): string {
  const value = obj[name];
  return typeof value === 'string' && value !== '' ? value : fallback;
}

function malformed(why: string): Error {
  return mqError('ERR_BODY_MALFORMED', `HeartbeatData: ${why}`);
}
