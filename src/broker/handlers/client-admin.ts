/**
 * Admin requests about clients: GET_PRODUCER_CONNECTION_LIST (204), QUERY_TOPIC_CONSUME_BY_WHO
 * (300), and the two the broker relays to one consumer's connection and answers with that
 * client's reply: GET_CONSUMER_RUNNING_INFO (307) and CONSUME_MESSAGE_DIRECTLY (309, the message
 * attached as its stored record).
 */
import { decodeOffsetMessageId } from '../../message/message-id';
import { mqError } from '../../protocol/errors';
import { optionalString, requiredString } from '../../protocol/headers/header-fields';
import { createRequest, createResponse, type RemotingCommand } from '../../protocol/remoting-command';
import { ResponseCode } from '../../protocol/response-code';
import type { BrokerContext } from '../broker-context';
import type { ConsumerClient } from '../registry/consumer-registry';
import { rawRecordAt } from './query-message';

/** How long a relayed request waits for the client (Apache uses the admin's timeout; 5 s default). */
const RELAY_TIMEOUT_MS = 5000;

export function createGetProducerConnectionListHandler(broker: BrokerContext) {
  return (request: RemotingCommand): RemotingCommand => {
    const group = requiredString(request, 'producerGroup');
    const clients = broker.producers.clients(group);
    if (clients.length === 0) return createResponse(ResponseCode.SYSTEM_ERROR, `the producer group[${group}] not exist`);
    const connectionSet = clients.map((c) => ({ clientAddr: c.connection.remoteAddress, clientId: c.clientId, language: c.language, version: c.version }));
    return createResponse(ResponseCode.SUCCESS, undefined, {}, Buffer.from(JSON.stringify({ connectionSet }), 'utf8'));
  };
}

export function createQueryTopicConsumeByWhoHandler(broker: BrokerContext) {
  return (request: RemotingCommand): RemotingCommand => {
    const topic = requiredString(request, 'topic');
    const groups = new Set(broker.offsets.groupsOfTopic(topic));
    for (const group of broker.consumers.groupsSubscribedTo(topic)) groups.add(group);
    return createResponse(ResponseCode.SUCCESS, undefined, {}, Buffer.from(JSON.stringify({ groupList: [...groups].sort() }), 'utf8'));
  };
}

function findClient(broker: BrokerContext, group: string, clientId: string): ConsumerClient {
  const client = [...(broker.consumers.group(group)?.clients.values() ?? [])].find((c) => c.clientId === clientId && !c.connection.isClosed);
  if (client === undefined) throw mqError('ERR_CONSUMER_NOT_ONLINE', `The Consumer <${clientId}> not online`);
  return client;
}

async function relay(client: ConsumerClient, forwarded: RemotingCommand): Promise<RemotingCommand> {
  try {
    const reply = await client.connection.invoke(forwarded, RELAY_TIMEOUT_MS);
    return createResponse(reply.code, reply.remark, { ...reply.extFields }, reply.body);
  } catch (err) {
    return createResponse(ResponseCode.SYSTEM_ERROR, `invoke request ${forwarded.code} to ${client.clientId} failed: ${(err as Error).message}`);
  }
}

export function createGetConsumerRunningInfoHandler(broker: BrokerContext) {
  return (request: RemotingCommand): Promise<RemotingCommand> => {
    const group = requiredString(request, 'consumerGroup');
    const clientId = requiredString(request, 'clientId');
    const client = findClient(broker, group, clientId);
    const jstackEnable = optionalString(request, 'jstackEnable') ?? 'false';
    return relay(client, createRequest(request.code, { consumerGroup: group, clientId, jstackEnable }));
  };
}

export function createConsumeMessageDirectlyHandler(broker: BrokerContext) {
  return (request: RemotingCommand): Promise<RemotingCommand> => {
    const group = requiredString(request, 'consumerGroup');
    const clientId = requiredString(request, 'clientId');
    const msgId = requiredString(request, 'msgId');
    const client = findClient(broker, group, clientId);
    const record = rawRecordAt(broker, decodeOffsetMessageId(msgId).physicalOffset);
    if (record === null) throw mqError('ERR_QUERY_NOT_FOUND', `can not find message by the msgId ${msgId}`);
    return relay(client, createRequest(request.code, { ...request.extFields }, record));
  };
}
