import * as hdr from 'hdr-histogram-js';

/** Latency summary in microseconds, as every benchmark reports it. */
export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

/** An HdrHistogram recording nanoseconds, summarised in microseconds (3 significant digits). */
export class LatencyRecorder {
  readonly #histogram = hdr.build({ bitBucketSize: 64, lowestDiscernibleValue: 1, highestTrackableValue: 60e9, numberOfSignificantValueDigits: 3 });

  recordNanos(nanos: number): void {
    this.#histogram.recordValue(Math.max(1, Math.round(nanos)));
  }

  /** Open-loop recording: fills in the samples a stalled system would have delayed (coordinated omission). */
  recordNanosWithExpectedInterval(nanos: number, expectedIntervalNanos: number): void {
    this.#histogram.recordValueWithExpectedInterval(Math.max(1, Math.round(nanos)), expectedIntervalNanos);
  }

  summary(): LatencySummary {
    const h = this.#histogram;
    const us = (ns: number) => Math.round(ns / 10) / 100;
    return {
      count: h.totalCount,
      p50: us(h.getValueAtPercentile(50)),
      p90: us(h.getValueAtPercentile(90)),
      p99: us(h.getValueAtPercentile(99)),
      p999: us(h.getValueAtPercentile(99.9)),
      max: us(h.maxValue),
      mean: us(h.mean),
    };
  }
}
