/**
 * The one call the send handler makes for timer messages: given a single send, returns the record
 * to append instead (to rmq_sys_wheel_timer, or to the real topic when already due), or undefined
 * when the send carries no timer property. Throws the RocketMQ answer for bad values.
 */
import { MessageConst } from '../../message/message-const';
import type { MessageToStore, SocketAddress } from '../../message/message-types';
import { decodeProperties } from '../../message/properties-codec';
import type { BrokerContext } from '../broker-context';
import { mayHaveTimer, parkedProperties, timerDueTime, TIMER_TOPIC } from './timer-message';

export interface TimerSendHeader {
  readonly flag: number;
  readonly sysFlag: number;
  readonly bornTimestamp: number;
  readonly reconsumeTimes: number;
}

export function timerMessageToStore(
  broker: BrokerContext, propertiesText: string, header: TimerSendHeader, target: { topic: string; queueId: number }, body: Buffer, bornHost: SocketAddress,
): MessageToStore | undefined {
  if (!mayHaveTimer(propertiesText)) return undefined;
  const properties = decodeProperties(propertiesText);
  const now = broker.clock.now();
  const due = timerDueTime(properties, header.sysFlag, now, broker.config);
  if (due === undefined) return undefined;
  properties[MessageConst.CLUSTER] = broker.config.brokerClusterName;
  // Already due: RocketMQ stores it in the real topic at once, properties untouched.
  const isDue = due <= now;
  return {
    topic: isDue ? target.topic : TIMER_TOPIC, queueId: isDue ? target.queueId : 0, body, flag: header.flag,
    properties: isDue ? properties : parkedProperties(properties, target, due),
    bornTimestamp: header.bornTimestamp, bornHost, sysFlag: header.sysFlag, reconsumeTimes: header.reconsumeTimes,
  };
}
