import { defineHeader, optional, required, type HeaderOf } from './header-schema';

/** PullMessageRequestHeader (PULL_MESSAGE 11, LITE_PULL_MESSAGE 361). */
export const PullMessageRequestHeader = defineHeader('PullMessageRequestHeader', {
  consumerGroup: required('string'),
  topic: required('string'),
  queueId: required('int'),
  queueOffset: required('long'),
  maxMsgNums: required('int'),
  sysFlag: required('int'),
  commitOffset: required('long'),
  suspendTimeoutMillis: required('long'),
  subscription: optional('string'),
  subVersion: required('long'),
  expressionType: optional('string'),
  maxMsgBytes: optional('int'),
  requestSource: optional('int'),
  proxyFrowardClientId: optional('string'),
});

export type PullMessageRequest = HeaderOf<typeof PullMessageRequestHeader.schema>;

/** PullMessageResponseHeader: every pull answer carries the four mandatory fields. */
export const PullMessageResponseHeader = defineHeader('PullMessageResponseHeader', {
  suggestWhichBrokerId: required('long'),
  nextBeginOffset: required('long'),
  minOffset: required('long'),
  maxOffset: required('long'),
  offsetDelta: optional('long'),
  topicSysFlag: optional('int'),
  groupSysFlag: optional('int'),
  forbiddenType: optional('int'),
});

export type PullMessageResponse = HeaderOf<typeof PullMessageResponseHeader.schema>;

/** PullSysFlag bits of PullMessageRequestHeader.sysFlag. */
export const PullSysFlag = {
  COMMIT_OFFSET: 1,
  SUSPEND: 2,
  SUBSCRIPTION: 4,
  CLASS_FILTER: 8,
  LITE_PULL: 16,
} as const;
