/** The `enableTrace` / `traceTopic` options producers and push consumers share, validated once. */
import { topicProblem } from '../../message/topic-validator';
import { clientOptionError } from '../client-config';
import { DEFAULT_TRACE_TOPIC } from './trace-dispatcher';

export interface TraceOptions {
  /** Record Pub (producer) or SubBefore/SubAfter (push consumer) traces. Default false, as in RocketMQ. */
  readonly enableTrace?: boolean;
  /** Where trace records go. Default RMQ_SYS_TRACE_TOPIC (the broker's msgTraceTopicName). */
  readonly traceTopic?: string;
}

/** The trace topic when trace is on, undefined when it is off; bad values throw ERR_INVALID_ARGUMENT. */
export function resolveTraceTopic(options: TraceOptions): string | undefined {
  if (options.enableTrace !== undefined && typeof options.enableTrace !== 'boolean') throw clientOptionError('enableTrace must be a boolean');
  if (options.traceTopic !== undefined) {
    const problem = topicProblem(options.traceTopic);
    if (problem !== undefined) throw clientOptionError(`traceTopic: ${problem}`);
  }
  return options.enableTrace === true ? options.traceTopic ?? DEFAULT_TRACE_TOPIC : undefined;
}

/** The trace producer's group: RocketMQ's _INNER_TRACE_PRODUCER prefix plus the traced group. */
export function traceProducerGroup(group: string): string {
  return `_INNER_TRACE_PRODUCER-${group}`.slice(0, 120);
}
