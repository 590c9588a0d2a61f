/**
 * An HdrHistogram of nanoseconds (3 significant digits, up to 60 s) summarised in microseconds, the
 * unit of BenchResult. Open-loop runs record from each request's due time, which is the
 * coordinated-omission correction: a stall delays every request scheduled behind it, and each of
 * those is charged its full wait.
 */
import * as hdr from 'hdr-histogram-js';
import type { LatencyPercentiles } from './bench-result';

const HIGHEST_NANOS = 60e9;

/** Percentiles of the curve: 100 × (1 − 10^−x) for x = 0, 0.1, … 5, i.e. p0 to p99.999 on a log scale. */
const CURVE_PERCENTILES = Array.from({ length: 51 }, (_, i) => Math.round(100 * (1 - 10 ** (-i / 10)) * 10_000) / 10_000);

export class LatencyRecorder {
  #histogram = LatencyRecorder.#build();

  static #build(): hdr.Histogram {
    return hdr.build({ bitBucketSize: 64, lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_NANOS, numberOfSignificantValueDigits: 3 });
  }

  get count(): number {
    return this.#histogram.totalCount;
  }

  recordNanos(nanos: number): void {
    this.#histogram.recordValue(Math.min(HIGHEST_NANOS, Math.max(1, Math.round(nanos))));
  }

  reset(): void {
    this.#histogram.reset();
  }

  percentiles(): LatencyPercentiles {
    const h = this.#histogram;
    if (h.totalCount === 0) return { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, p9999: 0, max: 0 };
    // A percentile is the top of its bucket and can read above the exact maximum: cap it.
    const at = (p: number): number => micros(Math.min(h.getValueAtPercentile(p), h.maxValue));
    return {
      count: h.totalCount,
      mean: micros(h.mean),
      p50: at(50),
      p90: at(90),
      p99: at(99),
      p999: at(99.9),
      p9999: at(99.99),
      max: micros(h.maxValue),
    };
  }

  curve(): Array<{ percentile: number; micros: number }> {
    if (this.#histogram.totalCount === 0) return [];
    const h = this.#histogram;
    return CURVE_PERCENTILES.map((percentile) => ({ percentile, micros: micros(Math.min(h.getValueAtPercentile(percentile), h.maxValue)) }));
  }
}

function micros(nanos: number): number {
  return Math.round(nanos / 10) / 100;
}
