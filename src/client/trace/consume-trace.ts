/**
 * SubBefore / SubAfter records for a push consumer with `enableTrace` (ConsumeMessageTraceHookImpl):
 * before the listener, one SubBefore per message (retry times, keys) under a request id; after it,
 * one SubAfter per message with the same request id, the cost split evenly, success and the
 * ConsumeReturnType. Messages of the trace topic, and those stored with TRACE_ON=false, are skipped.
 */
import { randomBytes } from 'node:crypto';
import { MessageConst } from '../../message/message-const';
import type { MessageExt } from '../../message/message-types';
import type { ProducerOptions } from '../producer/producer-options';
import type { ConsumeHook, ConsumeOutcome } from './hooks';
import { CONSUME_RETURN_TYPES, type SubAfterRecord, type SubBeforeRecord } from './trace-codec';
import { DispatcherHook } from './dispatcher-hook';
import { TraceDispatcher, type TraceSender } from './trace-dispatcher';
import { resolveTraceTopic, traceProducerGroup, type TraceOptions } from './trace-options';

interface Before {
  readonly requestId: string;
  readonly startedAt: number;
  readonly records: readonly SubBeforeRecord[];
}

export class ConsumeTraceHook extends DispatcherHook implements ConsumeHook {
  readonly #group: string;

  constructor(dispatcher: TraceDispatcher, group: string) {
    super(dispatcher);
    this.#group = group;
  }

  consumeBefore(messages: readonly MessageExt[]): Before | undefined {
    const startedAt = Date.now();
    const requestId = randomBytes(16).toString('hex').toUpperCase();
    const records: SubBeforeRecord[] = [];
    for (const m of messages) {
      if (m.topic === this.dispatcher.traceTopic || m.properties[MessageConst.TRACE_ON] === 'false') continue;
      records.push({
        type: 'SubBefore', timestamp: startedAt, regionId: m.properties[MessageConst.MSG_REGION] ?? 'DefaultRegion', groupName: this.#group,
        requestId, msgId: m.properties[MessageConst.UNIQ_KEY] ?? m.msgId, retryTimes: m.reconsumeTimes, keys: m.keys ?? '',
      });
    }
    if (records.length === 0) return undefined;
    this.dispatcher.append(records);
    return { requestId, startedAt, records };
  }

  consumeAfter(before: unknown, outcome: ConsumeOutcome): void {
    if (before === undefined) return;
    const { requestId, startedAt, records } = before as Before;
    const now = Date.now();
    const cost = Math.round((now - startedAt) / records.length);
    const after: SubAfterRecord[] = records.map((r) => ({
      type: 'SubAfter', requestId, msgId: r.msgId, costTime: cost, success: outcome.success, keys: r.keys,
      contextCode: CONSUME_RETURN_TYPES.indexOf(outcome.returnType), timestamp: now, groupName: this.#group,
    }));
    this.dispatcher.append(after);
  }
}

/** The trace hook of a push consumer, or undefined when its options leave trace off. */
export function createConsumeTraceHook(
  options: TraceOptions & { readonly groupName: string; readonly namesrvAddr: string },
  createSender: (options: ProducerOptions) => TraceSender,
): ConsumeTraceHook | undefined {
  const traceTopic = resolveTraceTopic(options);
  if (traceTopic === undefined) return undefined;
  const dispatcher = new TraceDispatcher({
    traceTopic,
    producerOptions: { groupName: traceProducerGroup(options.groupName), namesrvAddr: options.namesrvAddr, sendMsgTimeoutMs: 5000 },
    createSender,
  });
  return new ConsumeTraceHook(dispatcher, options.groupName);
}
