import { defineHeader, optional, required, type HeaderOf } from './header-schema';

/**
 * POP consumption headers (RocketMQ 5 remoting, remoting-protocol.md §5.14), field names as the Java
 * header classes spell them so a RocketMQ 5 remoting client reads and writes them unchanged.
 */

/** POP_MESSAGE (200050). queueId -1 = any queue; expType/exp the subscription (TAG or SQL92). */
export const PopMessageRequestHeader = defineHeader('PopMessageRequestHeader', {
  consumerGroup: required('string'),
  topic: required('string'),
  queueId: required('int'),
  maxMsgNums: required('int'),
  invisibleTime: required('long'),
  pollTime: required('long'),
  bornTime: required('long'),
  initMode: required('int'),
  expType: optional('string'),
  exp: optional('string'),
  order: optional('boolean'),
  attemptId: optional('string'),
});
export type PopMessageRequest = HeaderOf<typeof PopMessageRequestHeader.schema>;

/** startOffsetInfo / msgOffsetInfo: `;`-joined "<retryType> <queueId> <offset[,offset...]>" entries. */
export const PopMessageResponseHeader = defineHeader('PopMessageResponseHeader', {
  popTime: required('long'),
  invisibleTime: required('long'),
  reviveQid: required('int'),
  restNum: required('long'),
  startOffsetInfo: optional('string'),
  msgOffsetInfo: optional('string'),
  orderCountInfo: optional('string'),
});
export type PopMessageResponse = HeaderOf<typeof PopMessageResponseHeader.schema>;

/** ACK_MESSAGE (200051): extraInfo is the receipt handle (the message's POP_CK property). */
export const AckMessageRequestHeader = defineHeader('AckMessageRequestHeader', {
  consumerGroup: required('string'),
  topic: required('string'),
  queueId: required('int'),
  extraInfo: required('string'),
  offset: required('long'),
});
export type AckMessageRequest = HeaderOf<typeof AckMessageRequestHeader.schema>;

/** CHANGE_MESSAGE_INVISIBLETIME (200053): the ack fields plus the new invisibleTime (ms from now). */
export const ChangeInvisibleTimeRequestHeader = defineHeader('ChangeInvisibleTimeRequestHeader', {
  consumerGroup: required('string'),
  topic: required('string'),
  queueId: required('int'),
  extraInfo: required('string'),
  offset: required('long'),
  invisibleTime: required('long'),
});
export type ChangeInvisibleTimeRequest = HeaderOf<typeof ChangeInvisibleTimeRequestHeader.schema>;

export const ChangeInvisibleTimeResponseHeader = defineHeader('ChangeInvisibleTimeResponseHeader', {
  popTime: required('long'),
  invisibleTime: required('long'),
  reviveQid: required('int'),
});
export type ChangeInvisibleTimeResponse = HeaderOf<typeof ChangeInvisibleTimeResponseHeader.schema>;

/** ConsumeInitMode: where a group without a pop offset starts. */
export const PopInitMode = Object.freeze({ MIN: 0, MAX: 1 });
