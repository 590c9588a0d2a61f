/**
 * CONSUMER_SEND_MSG_BACK for one consumed message (SendMessageBackRequestHeader): the broker
 * re-stores it in %RETRY%<group> at `delayLevel` (0: the broker picks it from the reconsume count),
 * or in %DLQ%<group> with delayLevel -1 or once it has used up `maxReconsumeTimes`.
 */
import { MessageConst } from '../../message/message-const';
import type { MessageExt } from '../../message/message-types';
import { responseError } from '../../protocol/errors';
import { createRequest } from '../../protocol/remoting-command';
import { RequestCode } from '../../protocol/request-code';
import { ResponseCode } from '../../protocol/response-code';
import type { ConsumerClient } from './consumer-client';
import type { MessageQueue } from './consumer-types';

/** Resolves once the broker took the message back; rejects with its response code otherwise. */
export async function sendMessageBack(
  client: ConsumerClient, queue: MessageQueue, message: MessageExt, group: string, delayLevel: number, maxReconsumeTimes: number,
): Promise<void> {
  const response = await client.invoke(queue.brokerName, createRequest(RequestCode.CONSUMER_SEND_MSG_BACK, {
    offset: String(message.commitLogOffset),
    group,
    delayLevel: String(delayLevel),
    originMsgId: message.properties[MessageConst.ORIGIN_MESSAGE_ID] ?? message.msgId,
    originTopic: message.properties[MessageConst.RETRY_TOPIC] ?? message.topic,
    unitMode: 'false',
    maxReconsumeTimes: String(maxReconsumeTimes),
  }));
  if (response.code !== ResponseCode.SUCCESS) throw responseError(response.code, response.remark);
}
