/**
 * Offset requests (remoting-protocol.md §5.5): QUERY_CONSUMER_OFFSET (14), UPDATE_CONSUMER_OFFSET
 * (15), SEARCH_OFFSET_BY_TIMESTAMP (29), GET_MAX_OFFSET (30), GET_MIN_OFFSET (31) and
 * GET_EARLIEST_MSG_STORETIME (32). Every value goes on the wire as a string extField.
 */
import { mqError } from '../../protocol/errors';
import { optionalBoolean, requiredInt, requiredString } from '../../protocol/headers/header-fields';
import { createResponse, type RemotingCommand } from '../../protocol/remoting-command';
import { ResponseCode } from '../../protocol/response-code';
import type { BrokerContext } from '../broker-context';

export function createQueryConsumerOffsetHandler(broker: BrokerContext) {
  return (request: RemotingCommand): RemotingCommand => {
    const group = requiredString(request, 'consumerGroup');
    const topic = requiredString(request, 'topic');
    const queueId = requiredInt(request, 'queueId');
    const setZeroIfNotFound = optionalBoolean(request, 'setZeroIfNotFound', true);
    const committed = broker.offsets.queryOffset(group, topic, queueId);
    if (committed >= 0) return createResponse(ResponseCode.SUCCESS, undefined, { offset: String(committed) });
    if (!setZeroIfNotFound) {
      return createResponse(ResponseCode.QUERY_NOT_FOUND, 'Not found, do not set to zero, maybe this group boot first');
    }
    // Apache answers 0 when the queue still starts at offset 0 and that message is cheap to read;
    // here "never truncated" stands in for "still in the page cache" (remoting-protocol.md §11).
    if (broker.store.getMinOffsetInQueue(topic, queueId) <= 0) {
      return createResponse(ResponseCode.SUCCESS, undefined, { offset: '0' });
    }
    return createResponse(ResponseCode.QUERY_NOT_FOUND, 'Not found, V3_0_6_SNAPSHOT maybe this group consumer boot first');
  };
}

export function createUpdateConsumerOffsetHandler(broker: BrokerContext) {
  return (request: RemotingCommand): RemotingCommand => {
    const group = requiredString(request, 'consumerGroup');
    const topic = requiredString(request, 'topic');
    const queueId = requiredInt(request, 'queueId');
    const commitOffset = requiredInt(request, 'commitOffset');
    const config = broker.topics.get(topic);
    if (config === undefined) throw mqError('ERR_TOPIC_NOT_EXIST', `Topic ${topic} not exist!`);
    if (queueId < 0 || queueId >= Math.max(config.readQueueNums, config.writeQueueNums)) {
      throw mqError('ERR_INVALID_PARAMETER', `QueueId is invalid, topic:${topic} queueId:${queueId}`);
    }
    if (commitOffset < 0) throw mqError('ERR_INVALID_PARAMETER', `commitOffset ${commitOffset} must not be negative`);
    broker.offsets.commitOffset(group, topic, queueId, commitOffset);
    return createResponse(ResponseCode.SUCCESS);
  };
}

function queueArgs(request: RemotingCommand): { topic: string; queueId: number } {
  const topic = requiredString(request, 'topic');
  const queueId = requiredInt(request, 'queueId');
  if (queueId < 0) throw mqError('ERR_INVALID_PARAMETER', `queueId ${queueId} must not be negative`);
  // Like Apache, no topic-config check: an unknown queue simply reads as empty (offset 0).
  return { topic, queueId };
}

export function createGetMaxOffsetHandler(broker: BrokerContext) {
  return (request: RemotingCommand): RemotingCommand => {
    const { topic, queueId } = queueArgs(request);
    return createResponse(ResponseCode.SUCCESS, undefined, { offset: String(broker.store.getMaxOffsetInQueue(topic, queueId)) });
  };
}

export function createGetMinOffsetHandler(broker: BrokerContext) {
  return (request: RemotingCommand): RemotingCommand => {
    const { topic, queueId } = queueArgs(request);
    return createResponse(ResponseCode.SUCCESS, undefined, { offset: String(broker.store.getMinOffsetInQueue(topic, queueId)) });
  };
}

export function createSearchOffsetByTimestampHandler(broker: BrokerContext) {
  return (request: RemotingCommand): RemotingCommand => {
    const { topic, queueId } = queueArgs(request);
    const timestamp = requiredInt(request, 'timestamp');
    return createResponse(ResponseCode.SUCCESS, undefined, { offset: String(broker.store.getOffsetInQueueByTime(topic, queueId, timestamp)) });
  };
}

export function createGetEarliestMsgStoreTimeHandler(broker: BrokerContext) {
  return (request: RemotingCommand): RemotingCommand => {
    const { topic, queueId } = queueArgs(request);
    return createResponse(ResponseCode.SUCCESS, undefined, { timestamp: String(broker.store.getEarliestMessageTime(topic, queueId)) });
  };
}
