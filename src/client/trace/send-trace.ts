/**
 * Pub records for a producer with `enableTrace` (SendMessageTraceHookImpl): one per message sent
 * (a batch gives one per message, cost split evenly), built from the SendResult and handed to the
 * dispatcher. Sends to the trace topic itself are never traced.
 */
import type { ClientInstance } from '../client-instance';
import { keysText, type Message } from '../producer/message';
import type { ProducerOptions } from '../producer/producer-options';
import type { EndTransactionHookContext, SendHook, SendHookContext } from './hooks';
import type { PubRecord } from './trace-codec';
import { DispatcherHook } from './dispatcher-hook';
import { TraceDispatcher, type TraceSender } from './trace-dispatcher';
import { resolveTraceTopic, traceProducerGroup } from './trace-options';

export class SendTraceHook extends DispatcherHook implements SendHook {
  readonly #instance: ClientInstance;

  constructor(dispatcher: TraceDispatcher, instance: ClientInstance) {
    super(dispatcher);
    this.#instance = instance;
  }

  sendAfter(ctx: SendHookContext): void {
    const first = ctx.messages[0];
    if (first === undefined || first.topic === this.dispatcher.traceTopic) return;
    const { result } = ctx;
    const msgIds = result.msgId.split(',');
    const offsetIds = result.offsetMsgId.split(',');
    const cost = Math.round((ctx.endedAt - ctx.startedAt) / ctx.messages.length);
    const storeHost = this.#instance.masterAddress(result.messageQueue.brokerName) ?? result.messageQueue.brokerName;
    const records: PubRecord[] = ctx.messages.map((msg, i) => ({
      type: 'Pub',
      timestamp: ctx.startedAt,
      regionId: result.regionId ?? 'DefaultRegion',
      groupName: ctx.producerGroup,
      topic: msg.topic,
      msgId: msgIds[i] ?? '',
      tags: msg.tags ?? '',
      keys: msg.keys === undefined ? '' : keysText(msg.keys),
      storeHost,
      bodyLength: bodyLength(msg),
      costTime: cost,
      msgType: ctx.msgType ?? (msg.delayTimeLevel !== undefined && msg.delayTimeLevel > 0 ? 'Delay_Msg' : 'Normal_Msg'),
      offsetMsgId: offsetIds[i] ?? '',
      success: result.sendStatus === 'SEND_OK',
    }));
    this.dispatcher.append(records);
  }

  endTransaction(ctx: EndTransactionHookContext): void {
    if (ctx.topic === this.dispatcher.traceTopic) return;
    this.dispatcher.append([{
      type: 'EndTransaction', timestamp: Date.now(), regionId: 'DefaultRegion', groupName: ctx.producerGroup, topic: ctx.topic, msgId: ctx.msgId,
      tags: ctx.tags, keys: ctx.keys, storeHost: ctx.brokerAddr, msgType: 'Trans_msg_Commit', transactionId: ctx.transactionId,
      transactionState: ctx.state, fromTransactionCheck: ctx.fromTransactionCheck,
    }]);
  }
}

function bodyLength(msg: Message): number {
  return typeof msg.body === 'string' ? Buffer.byteLength(msg.body) : msg.body.length;
}

/** The trace hook of a producer, or undefined when its options leave trace off. */
export function createSendTraceHook(
  options: ProducerOptions, instance: ClientInstance, createSender: (options: ProducerOptions) => TraceSender,
): SendTraceHook | undefined {
  const traceTopic = resolveTraceTopic(options);
  if (traceTopic === undefined) return undefined;
  const dispatcher = new TraceDispatcher({
    traceTopic,
    producerOptions: {
      groupName: traceProducerGroup(options.groupName),
      namesrvAddr: instance.config.namesrvAddrs,
      clientIP: instance.config.clientIP,
      sendMsgTimeoutMs: 5000,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    },
    createSender,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  return new SendTraceHook(dispatcher, instance);
}
