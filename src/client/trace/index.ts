export * from './trace-codec';
export { TraceDispatcher, DEFAULT_TRACE_TOPIC } from './trace-dispatcher';
export type { TraceDispatcherOptions, TraceSender, TraceStats } from './trace-dispatcher';
export type { SendHook, SendHookContext, EndTransactionHookContext, ConsumeHook, ConsumeOutcome } from './hooks';
export type { TraceOptions } from './trace-options';
export { SendTraceHook } from './send-trace';
export { ConsumeTraceHook } from './consume-trace';
export { messageLife } from './trace-view';
export type { MessageLife, GroupConsumption, ConsumeAttempt } from './trace-view';
