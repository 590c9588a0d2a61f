/** The broker's request codes and their handlers, registered on the remoting server in one place. */
import { RequestCode } from '../../protocol/request-code';
import type { HandlerOptions, HandlerRegistry, RequestHandler } from '../../remoting/request-handler';
import type { BrokerContext } from '../broker-context';
import {
  createDeleteTopicHandler,
  createGetAllTopicConfigHandler,
  createGetBrokerRuntimeInfoHandler,
  createGetConsumeStatsHandler,
  createGetConsumerConnectionListHandler,
  createGetTopicStatsHandler,
  createUpdateAndCreateTopicHandler,
} from './admin';
import {
  createConsumeMessageDirectlyHandler,
  createGetConsumerRunningInfoHandler,
  createGetProducerConnectionListHandler,
  createQueryTopicConsumeByWhoHandler,
} from './client-admin';
import {
  createGetConsumerListByGroupHandler,
  createHeartbeatHandler,
  createUnregisterClientHandler,
} from './client-manage';
import {
  createGetEarliestMsgStoreTimeHandler,
  createGetMaxOffsetHandler,
  createGetMinOffsetHandler,
  createQueryConsumerOffsetHandler,
  createSearchOffsetByTimestampHandler,
  createUpdateConsumerOffsetHandler,
} from './consumer-manage';
import { createConsumerSendBackHandler } from './consumer-send-back';
import { createCheckClientConfigHandler } from '../filter/subscription-checks';
import { createPullMessageHandler } from './pull-message';
import { createQueryMessageHandler, createViewMessageByIdHandler } from './query-message';
import { createLockBatchHandler, createUnlockBatchHandler } from './queue-lock';
import {
  createDeleteSubscriptionGroupHandler,
  createGetAllSubscriptionGroupHandler,
  createUpdateSubscriptionGroupHandler,
} from './subscription-group-admin';
import { createSendMessageHandler, createSendQueue } from './send-message';
import { createEndTransactionHandler } from '../transaction/end-transaction-handler';
import { popHandlers } from '../pop/pop-handlers';
import { createUpdateAndCreateTopicListHandler } from './create-topic-list';

/** Held long polls count as in flight: room for one per queue of many consumers. */
const PULL_MAX_IN_FLIGHT = 100_000;

export function brokerHandlers(broker: BrokerContext): Array<[number, RequestHandler, HandlerOptions?]> {
  const pull = createPullMessageHandler(broker);
  const sends = createSendQueue(broker);
  return [
    [RequestCode.SEND_MESSAGE, createSendMessageHandler(broker, false, sends)],
    [RequestCode.SEND_MESSAGE_V2, createSendMessageHandler(broker, false, sends)],
    [RequestCode.SEND_BATCH_MESSAGE, createSendMessageHandler(broker, true, sends)],
    [RequestCode.PULL_MESSAGE, pull, { maxInFlight: PULL_MAX_IN_FLIGHT }],
    [RequestCode.LITE_PULL_MESSAGE, pull, { maxInFlight: PULL_MAX_IN_FLIGHT }],
    [RequestCode.QUERY_CONSUMER_OFFSET, createQueryConsumerOffsetHandler(broker)],
    [RequestCode.UPDATE_CONSUMER_OFFSET, createUpdateConsumerOffsetHandler(broker)],
    [RequestCode.GET_MAX_OFFSET, createGetMaxOffsetHandler(broker)],
    [RequestCode.GET_MIN_OFFSET, createGetMinOffsetHandler(broker)],
    [RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, createSearchOffsetByTimestampHandler(broker)],
    [RequestCode.GET_EARLIEST_MSG_STORETIME, createGetEarliestMsgStoreTimeHandler(broker)],
    [RequestCode.HEART_BEAT, createHeartbeatHandler(broker)],
    [RequestCode.UNREGISTER_CLIENT, createUnregisterClientHandler(broker)],
    [RequestCode.GET_CONSUMER_LIST_BY_GROUP, createGetConsumerListByGroupHandler(broker)],
    [RequestCode.CHECK_CLIENT_CONFIG, createCheckClientConfigHandler(broker)],
    [RequestCode.CONSUMER_SEND_MSG_BACK, createConsumerSendBackHandler(broker)],
    [RequestCode.LOCK_BATCH_MQ, createLockBatchHandler(broker, broker.locks)],
    [RequestCode.UNLOCK_BATCH_MQ, createUnlockBatchHandler(broker.locks)],
    [RequestCode.QUERY_MESSAGE, createQueryMessageHandler(broker)],
    [RequestCode.VIEW_MESSAGE_BY_ID, createViewMessageByIdHandler(broker)],
    [RequestCode.UPDATE_AND_CREATE_TOPIC, createUpdateAndCreateTopicHandler(broker)],
    [RequestCode.UPDATE_AND_CREATE_TOPIC_LIST, createUpdateAndCreateTopicListHandler(broker)],
    [RequestCode.DELETE_TOPIC_IN_BROKER, createDeleteTopicHandler(broker)],
    [RequestCode.GET_ALL_TOPIC_CONFIG, createGetAllTopicConfigHandler(broker)],
    [RequestCode.GET_TOPIC_STATS_INFO, createGetTopicStatsHandler(broker)],
    [RequestCode.GET_CONSUMER_CONNECTION_LIST, createGetConsumerConnectionListHandler(broker)],
    [RequestCode.GET_CONSUME_STATS, createGetConsumeStatsHandler(broker)],
    [RequestCode.GET_BROKER_RUNTIME_INFO, createGetBrokerRuntimeInfoHandler(broker)],
    [RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, createUpdateSubscriptionGroupHandler(broker)],
    [RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG, createGetAllSubscriptionGroupHandler(broker)],
    [RequestCode.DELETE_SUBSCRIPTIONGROUP, createDeleteSubscriptionGroupHandler(broker)],
    [RequestCode.GET_PRODUCER_CONNECTION_LIST, createGetProducerConnectionListHandler(broker)],
    [RequestCode.QUERY_TOPIC_CONSUME_BY_WHO, createQueryTopicConsumeByWhoHandler(broker)],
    [RequestCode.GET_CONSUMER_RUNNING_INFO, createGetConsumerRunningInfoHandler(broker)],
    [RequestCode.CONSUME_MESSAGE_DIRECTLY, createConsumeMessageDirectlyHandler(broker)],
    [RequestCode.END_TRANSACTION, createEndTransactionHandler(broker, broker.transactions)],
    ...popHandlers(broker),
  ];
}

export function registerBrokerHandlers(registry: HandlerRegistry, broker: BrokerContext): void {
  for (const [code, handler, options] of brokerHandlers(broker)) registry.registerHandler(code, handler, options ?? {});
}
