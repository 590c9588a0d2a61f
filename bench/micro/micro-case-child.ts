/**
 * One micro-benchmark case in its own process (bench/lib/run-isolated.ts), measured in rounds that
 * alternate the calibration loop and the case (a quarter second each). Each round gives a ratio
 * case ÷ calibration taken moments apart, so whatever else the machine is doing at that moment
 * slows both; the figure kept is the median ratio over the rounds.
 */
import { runBenchmark } from './benchmark-js';
import { CALIBRATION, microCase, type MicroOperation } from './micro-cases';

const ROUNDS = 15;
const ROUND_SECONDS = 0.1;

export interface MicroResult extends Record<string, unknown> {
  name: string;
  /** Median over the rounds of the case's rate (1 / median per-sample time within a round). */
  opsPerSec: number;
  /** Spread of the per-round normalised figures: (max - min) / median, in percent. */
  spreadPercent: number;
  calibrationOpsPerSec: number;
  /** Median of the per-round case ÷ calibration ratios: what the baseline stores and the check compares. */
  normalised: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function rate(name: string, op: MicroOperation): Promise<number> {
  const bench = op.isAsync
    ? await runBenchmark(name, {
        defer: true,
        maxTime: ROUND_SECONDS,
        fn: (deferred) => {
          (op.run() as Promise<unknown>).then(() => deferred.resolve(), (err: unknown) => {
            process.stderr.write(`${name}: ${(err as Error).message}\n`);
            process.exit(1);
          });
        },
      })
    : await runBenchmark(name, { fn: op.run as () => void, maxTime: ROUND_SECONDS });
  // The median sample rather than benchmark.js's mean: a sample that landed on a busy core drags the mean.
  return 1 / median(bench.stats.sample);
}

export async function runCase(params: Record<string, unknown>): Promise<MicroResult> {
  const c = microCase(String(params['name']));
  const calibration = await CALIBRATION.setup();
  const op = await c.setup();
  const ratios: number[] = [];
  const rates: number[] = [];
  const calibrationRates: number[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const cal = await rate(CALIBRATION.name, calibration);
      const hz = await rate(c.name, op);
      calibrationRates.push(cal);
      rates.push(hz);
      ratios.push(hz / cal);
    }
  } finally {
    await op.teardown();
    await calibration.teardown();
  }
  const normalised = median(ratios);
  return {
    name: c.name,
    opsPerSec: median(rates),
    spreadPercent: ((Math.max(...ratios) - Math.min(...ratios)) / normalised) * 100,
    calibrationOpsPerSec: median(calibrationRates),
    normalised,
  };
}
