import { defineHeader, optional, required, type HeaderOf } from './header-schema';

/** QUERY_CONSUMER_OFFSET (14). */
export const QueryConsumerOffsetRequestHeader = defineHeader('QueryConsumerOffsetRequestHeader', {
  consumerGroup: required('string'),
  topic: required('string'),
  queueId: required('int'),
  setZeroIfNotFound: optional('boolean'),
});
export type QueryConsumerOffsetRequest = HeaderOf<typeof QueryConsumerOffsetRequestHeader.schema>;

/** UPDATE_CONSUMER_OFFSET (15); the response has no header. */
export const UpdateConsumerOffsetRequestHeader = defineHeader('UpdateConsumerOffsetRequestHeader', {
  consumerGroup: required('string'),
  topic: required('string'),
  queueId: required('int'),
  commitOffset: required('long'),
});
export type UpdateConsumerOffsetRequest = HeaderOf<typeof UpdateConsumerOffsetRequestHeader.schema>;

/** GET_MAX_OFFSET (30). */
export const GetMaxOffsetRequestHeader = defineHeader('GetMaxOffsetRequestHeader', {
  topic: required('string'),
  queueId: required('int'),
  committed: optional('boolean'),
});
export type GetMaxOffsetRequest = HeaderOf<typeof GetMaxOffsetRequestHeader.schema>;

/** GET_MIN_OFFSET (31) and GET_EARLIEST_MSG_STORETIME (32). */
export const QueueRequestHeader = defineHeader('GetMinOffsetRequestHeader', {
  topic: required('string'),
  queueId: required('int'),
});
export type QueueRequest = HeaderOf<typeof QueueRequestHeader.schema>;

/** SEARCH_OFFSET_BY_TIMESTAMP (29). */
export const SearchOffsetRequestHeader = defineHeader('SearchOffsetRequestHeader', {
  topic: required('string'),
  queueId: required('int'),
  timestamp: required('long'),
  boundaryType: optional('string'),
});
export type SearchOffsetRequest = HeaderOf<typeof SearchOffsetRequestHeader.schema>;

/** The `offset` answer of QUERY_CONSUMER_OFFSET, GET_MAX/MIN_OFFSET and SEARCH_OFFSET_BY_TIMESTAMP. */
export const OffsetResponseHeader = defineHeader('QueryConsumerOffsetResponseHeader', {
  offset: required('long'),
});
export type OffsetResponse = HeaderOf<typeof OffsetResponseHeader.schema>;

/** GET_EARLIEST_MSG_STORETIME answer. */
export const EarliestMsgStoreTimeResponseHeader = defineHeader('GetEarliestMsgStoretimeResponseHeader', {
  timestamp: required('long'),
});
