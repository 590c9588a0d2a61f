/**
 * `cometmq bench store`: the producer workload over the store target — the embedded MessageStore in
 * this process, appends awaited one request at a time per sender, no network.
 */
import type { BenchResult } from '../bench-result';
import type { BenchOptions } from '../bench-options';
import type { WorkloadObserver } from '../measurement';
import type { BenchTarget } from '../target';
import { runProducer } from './producer';

export function runStore(target: BenchTarget, options: BenchOptions, observer: WorkloadObserver, signal: AbortSignal = new AbortController().signal): Promise<BenchResult> {
  return runProducer(target, options, observer, signal);
}
