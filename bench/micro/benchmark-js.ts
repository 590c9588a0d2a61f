/**
 * The slice of benchmark.js (no published types in this repo) the micro-benchmarks use: one
 * Benchmark run synchronously, its mean rate (`hz`) and relative margin of error (`stats.rme`, %).
 */
export interface BenchmarkDeferred {
  resolve(): void;
}

export interface BenchmarkOptions {
  fn: ((deferred: BenchmarkDeferred) => void) | (() => void);
  defer?: boolean;
  /** Seconds of sampling (benchmark.js default 5). */
  maxTime?: number;
  minSamples?: number;
  onComplete?: () => void;
  onError?: (event: { target: { error: unknown } }) => void;
}

export interface BenchmarkInstance {
  readonly hz: number;
  readonly stats: { readonly rme: number; readonly sample: readonly number[] };
  readonly error?: unknown;
  readonly aborted: boolean;
  run(options?: { async: boolean }): BenchmarkInstance;
}

type BenchmarkConstructor = new (name: string, options: BenchmarkOptions) => BenchmarkInstance;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const Benchmark = require('benchmark') as BenchmarkConstructor;

/** Runs one benchmark to completion (deferred ones asynchronously) and returns it. */
export function runBenchmark(name: string, options: BenchmarkOptions): Promise<BenchmarkInstance> {
  return new Promise((resolve, reject) => {
    const bench: BenchmarkInstance = new Benchmark(name, {
      maxTime: 1.5,
      minSamples: 5,
      ...options,
      onComplete: () => {
        if (bench.error !== undefined) reject(bench.error instanceof Error ? bench.error : new Error(String(bench.error)));
        else resolve(bench);
      },
    });
    bench.run({ async: options.defer === true });
  });
}
