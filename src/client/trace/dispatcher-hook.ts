/**
 * What a producer's and a consumer's trace hook have in common: they own a TraceDispatcher, start
 * and stop with it, and report its counters.
 */
import type { TraceDispatcher, TraceStats } from './trace-dispatcher';

export abstract class DispatcherHook {
  readonly dispatcher: TraceDispatcher;

  constructor(dispatcher: TraceDispatcher) {
    this.dispatcher = dispatcher;
  }

  get stats(): TraceStats {
    return this.dispatcher.stats;
  }

  start(): Promise<void> {
    return this.dispatcher.start();
  }

  shutdown(): Promise<void> {
    return this.dispatcher.shutdown();
  }
}
