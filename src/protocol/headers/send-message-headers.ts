import { RequestCode } from '../request-code';
import type { RemotingCommand } from '../remoting-command';
import { defineHeader, optional, required, type HeaderOf } from './header-schema';

/** SendMessageRequestHeader (SEND_MESSAGE, 10): long field names. */
export const SendMessageRequestHeaderV1 = defineHeader('SendMessageRequestHeader', {
  producerGroup: required('string'),
  topic: required('string'),
  defaultTopic: required('string'),
  defaultTopicQueueNums: required('int'),
  queueId: required('int'),
  sysFlag: required('int'),
  bornTimestamp: required('long'),
  flag: required('int'),
  properties: optional('string'),
  reconsumeTimes: optional('int'),
  unitMode: optional('boolean'),
  batch: optional('boolean'),
  maxReconsumeTimes: optional('int'),
  brokerName: optional('string'),
});

/**
 * SendMessageRequestHeaderV2 (SEND_MESSAGE_V2 310 and SEND_BATCH_MESSAGE 320): the same fields under
 * single letters, decoded to the V1 property names.
 */
export const SendMessageRequestHeaderV2 = defineHeader('SendMessageRequestHeaderV2', {
  producerGroup: required('string', 'a'),
  topic: required('string', 'b'),
  defaultTopic: required('string', 'c'),
  defaultTopicQueueNums: required('int', 'd'),
  queueId: required('int', 'e'),
  sysFlag: required('int', 'f'),
  bornTimestamp: required('long', 'g'),
  flag: required('int', 'h'),
  properties: optional('string', 'i'),
  reconsumeTimes: optional('int', 'j'),
  unitMode: optional('boolean', 'k'),
  maxReconsumeTimes: optional('int', 'l'),
  batch: optional('boolean', 'm'),
  brokerName: optional('string', 'n'),
});

export type SendMessageRequestHeader = HeaderOf<typeof SendMessageRequestHeaderV1.schema>;

/**
 * The send header of any send request, as Java's parseRequestHeader does: letters for 310 and 320,
 * long names for 10. A 320 request is always a batch.
 */
export function decodeSendMessageRequestHeader(request: RemotingCommand): SendMessageRequestHeader {
  if (request.code === RequestCode.SEND_MESSAGE_V2 || request.code === RequestCode.SEND_REPLY_MESSAGE_V2) {
    return SendMessageRequestHeaderV2.decodeFrom(request);
  }
  if (request.code === RequestCode.SEND_BATCH_MESSAGE) {
    const header = SendMessageRequestHeaderV2.decodeFrom(request);
    header.batch = true;
    return header;
  }
  return SendMessageRequestHeaderV1.decodeFrom(request);
}

/** SendMessageResponseHeader, plus the region and trace switches Java adds as ext keys. */
export const SendMessageResponseHeader = defineHeader('SendMessageResponseHeader', {
  msgId: required('string'),
  queueId: required('int'),
  queueOffset: required('long'),
  transactionId: optional('string'),
  batchUniqId: optional('string'),
  msgRegion: optional('string', 'MSG_REGION'),
  traceOn: optional('boolean', 'TRACE_ON'),
});

export type SendMessageResponse = HeaderOf<typeof SendMessageResponseHeader.schema>;
