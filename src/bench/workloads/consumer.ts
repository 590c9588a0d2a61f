/**
 * `cometmq bench consumer`: fills a backlog of --messages (or --duration of sends), then drains it
 * with a fresh consumer group from the first offset; the figure is messages received per second of
 * the drain. With --live it consumes while the producer runs instead.
 */
import type { BenchResult } from '../bench-result';
import type { BenchOptions } from '../bench-options';
import type { WorkloadObserver } from '../measurement';
import type { BenchTarget } from '../target';
import { runReceiving } from './receive-run';

export function runConsumer(target: BenchTarget, options: BenchOptions, observer: WorkloadObserver, signal: AbortSignal = new AbortController().signal): Promise<BenchResult> {
  return runReceiving(target, options, observer, signal, options.live);
}
