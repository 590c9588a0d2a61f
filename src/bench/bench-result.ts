/**
 * What every `cometmq bench` run writes with `--json FILE`: the one schema the flush matrix, the
 * peer comparison and the HTML report read. Latencies are microseconds, rates per second.
 */
export interface LatencyPercentiles {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  p9999: number;
  max: number;
}

/** One line of the per-second report (RocketMQ benchmark style). */
export interface SecondSample {
  second: number;
  sendTps: number;
  receiveTps: number;
  maxRtMillis: number;
  avgRtMillis: number;
  sendFailures: number;
  responseFailures: number;
  /** Messages acknowledged / received in this window (the TPS figures are these per second of window). */
  sent?: number;
  received?: number;
  /** End of the window in seconds since measuring began (windows after a phase change can be short). */
  endSeconds?: number;
  /** The phase the window belongs to: 'run', or a consumer's 'fill' then 'drain'. */
  phase?: 'run' | 'fill' | 'drain';
}

export interface BenchResult {
  kind: 'producer' | 'consumer' | 'e2e' | 'store';
  /** BenchTarget.name ('cometmq', 'redis', 'nats', or 'store' for the bare store). */
  target: string;
  targetDescription: string;
  /** Every option the run used, resolved (defaults filled in), so a cell can be re-run exactly. */
  options: Record<string, string | number | boolean>;
  startedAt: string;
  durationSeconds: number;
  sent: number;
  received: number;
  sendFailures: number;
  responseFailures: number;
  /** Messages per second of the figure the kind is about: sends acknowledged (producer, store) or received (consumer, e2e). */
  throughput: number;
  bytesPerSecond: number;
  /** Send round trip (producer, store) or send-to-receive time (e2e); coordinated-omission corrected when paced. */
  latency: LatencyPercentiles;
  /** (percentile, micros) points for percentile curves, from p0 to p99.999 on a log scale. */
  percentileCurve: Array<{ percentile: number; micros: number }>;
  perSecond: SecondSample[];
  /**
   * Open-loop (--rate) runs only: the round trip from the moment each request was actually sent,
   * without the wait for its due time that `latency` charges (the uncorrected figure, for contrast).
   */
  serviceTime?: LatencyPercentiles;
  /** Set when the run was cut short (Ctrl-C, deadline): the figures cover what finished. */
  interrupted?: boolean;
}
