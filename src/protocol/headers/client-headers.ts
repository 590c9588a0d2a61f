import { defineHeader, optional, required, type HeaderOf } from './header-schema';

/** UNREGISTER_CLIENT (35). */
export const UnregisterClientRequestHeader = defineHeader('UnregisterClientRequestHeader', {
  clientID: required('string'),
  producerGroup: optional('string'),
  consumerGroup: optional('string'),
});
export type UnregisterClientRequest = HeaderOf<typeof UnregisterClientRequestHeader.schema>;

/** GET_CONSUMER_LIST_BY_GROUP (38) and NOTIFY_CONSUMER_IDS_CHANGED (40). */
export const ConsumerGroupRequestHeader = defineHeader('GetConsumerListByGroupRequestHeader', {
  consumerGroup: required('string'),
});
export type ConsumerGroupRequest = HeaderOf<typeof ConsumerGroupRequestHeader.schema>;

/** CONSUMER_SEND_MSG_BACK (36). `offset` is the failed message's commit-log offset. */
export const ConsumerSendMsgBackRequestHeader = defineHeader('ConsumerSendMsgBackRequestHeader', {
  offset: required('long'),
  group: required('string'),
  delayLevel: required('int'),
  originMsgId: optional('string'),
  originTopic: optional('string'),
  unitMode: optional('boolean'),
  maxReconsumeTimes: optional('int'),
});
export type ConsumerSendMsgBackRequest = HeaderOf<typeof ConsumerSendMsgBackRequestHeader.schema>;

/** VIEW_MESSAGE_BY_ID (33). */
export const ViewMessageRequestHeader = defineHeader('ViewMessageRequestHeader', {
  offset: required('long'),
  topic: optional('string'),
});
export type ViewMessageRequest = HeaderOf<typeof ViewMessageRequestHeader.schema>;

/** QUERY_MESSAGE (12); ext `_UNIQUE_KEY_QUERY=true` means `key` is a UNIQ_KEY. */
export const QueryMessageRequestHeader = defineHeader('QueryMessageRequestHeader', {
  topic: required('string'),
  key: required('string'),
  maxNum: required('int'),
  beginTimestamp: required('long'),
  endTimestamp: required('long'),
  isUniqueKeyQuery: optional('boolean', '_UNIQUE_KEY_QUERY'),
});
export type QueryMessageRequest = HeaderOf<typeof QueryMessageRequestHeader.schema>;

export const QueryMessageResponseHeader = defineHeader('QueryMessageResponseHeader', {
  indexLastUpdateTimestamp: required('long'),
  indexLastUpdatePhyoffset: required('long'),
});

/** UPDATE_AND_CREATE_TOPIC (17). `attributes` is `+key=value,...`. */
export const CreateTopicRequestHeader = defineHeader('CreateTopicRequestHeader', {
  topic: required('string'),
  defaultTopic: required('string'),
  readQueueNums: required('int'),
  writeQueueNums: required('int'),
  perm: required('int'),
  topicFilterType: required('string'),
  topicSysFlag: optional('int'),
  order: required('boolean'),
  attributes: optional('string'),
  force: optional('boolean'),
});
export type CreateTopicRequest = HeaderOf<typeof CreateTopicRequestHeader.schema>;

/** DELETE_TOPIC_IN_BROKER (215), GET_TOPIC_STATS_INFO (202). */
export const TopicRequestHeader = defineHeader('DeleteTopicRequestHeader', {
  topic: required('string'),
});
