/**
 * `cometmq bench e2e`: sends (at --rate, 1,000 msgs/s by default) while receiving; the figure is
 * send-to-receive latency, measured from each body's stamp (the due time when paced, so a stalled
 * sender's delay counts against the system).
 */
import type { BenchResult } from '../bench-result';
import type { BenchOptions } from '../bench-options';
import type { WorkloadObserver } from '../measurement';
import type { BenchTarget } from '../target';
import { runReceiving } from './receive-run';

export function runE2e(target: BenchTarget, options: BenchOptions, observer: WorkloadObserver, signal: AbortSignal = new AbortController().signal): Promise<BenchResult> {
  return runReceiving(target, options, observer, signal, true);
}
