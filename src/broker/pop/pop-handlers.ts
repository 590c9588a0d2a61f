/** POP's request codes, for handler-table.ts; the PopService is the broker's one (popServiceOf). */
import { RequestCode } from '../../protocol/request-code';
import type { HandlerOptions, RequestHandler } from '../../remoting/request-handler';
import type { BrokerContext } from '../broker-context';
import { createAckMessageHandler, createBatchAckHandler, createChangeInvisibleTimeHandler } from './ack-handlers';
import { createPopMessageHandler } from './pop-message-handler';
import { popServiceOf } from './pop-service';

/** Held pops count as in flight (like held pulls). */
const POP_MAX_IN_FLIGHT = 100_000;

export function popHandlers(broker: BrokerContext): Array<[number, RequestHandler, HandlerOptions?]> {
  const pop = popServiceOf(broker);
  return [
    [RequestCode.POP_MESSAGE, createPopMessageHandler(broker, pop), { maxInFlight: POP_MAX_IN_FLIGHT }],
    [RequestCode.ACK_MESSAGE, createAckMessageHandler(broker, pop)],
    [RequestCode.BATCH_ACK_MESSAGE, createBatchAckHandler(broker, pop)],
    [RequestCode.CHANGE_MESSAGE_INVISIBLETIME, createChangeInvisibleTimeHandler(broker, pop)],
  ];
}
