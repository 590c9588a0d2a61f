/** A message received by a SimpleConsumer: the stored message plus what ack and change need. */
import type { MessageExt } from '../../message/message-types';

export interface PoppedMessage extends MessageExt {
  /** The subscribed topic (also for redeliveries, which the broker stores in a retry topic). */
  readonly topic: string;
  /** The client message id (UNIQ_KEY) when the producer set one, else the offset message id. */
  readonly messageId: string;
  /** 1 on the first delivery, + 1 for each redelivery (reconsumeTimes + 1). */
  readonly deliveryAttempt: number;
  /** The broker the message was popped from; acks go there. */
  readonly brokerName: string;
  /** The receipt handle (extraInfo); replaced by changeInvisibleDuration. */
  receiptHandle: string;
  /** When the message becomes visible again unless acked (ms since the epoch, broker clock). */
  invisibleUntil: number;
}

export function toPoppedMessage(m: MessageExt, topic: string, brokerName: string, receiptHandle: string, invisibleUntil: number): PoppedMessage {
  return {
    ...m,
    topic,
    messageId: m.properties['UNIQ_KEY'] ?? m.msgId,
    deliveryAttempt: m.reconsumeTimes + 1,
    brokerName,
    receiptHandle,
    invisibleUntil,
  };
}
