import type { BenchResult } from '../bench-result';
import type { BenchKind, BenchOptions } from '../bench-options';
import type { WorkloadObserver } from '../measurement';
import type { BenchTarget } from '../target';
import { runConsumer } from './consumer';
import { runE2e } from './e2e';
import { runProducer } from './producer';
import { runStore } from './store';

export type Workload = (target: BenchTarget, options: BenchOptions, observer: WorkloadObserver, signal?: AbortSignal) => Promise<BenchResult>;

export const WORKLOADS: Readonly<Record<BenchKind, Workload>> = {
  producer: runProducer,
  consumer: runConsumer,
  e2e: runE2e,
  store: runStore,
};
