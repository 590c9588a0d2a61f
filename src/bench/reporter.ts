/**
 * What `cometmq bench` prints: every second a line in the style of RocketMQ's benchmark tools
 * (`Send TPS: 12,345  Max RT(ms): 12  Average RT(ms): 1.234  Send Failed: 0  Response Failed: 0`,
 * plus `Receive TPS` when the run receives), a live progress line redrawn with \r only when
 * stdout is a terminal, and at the end the totals and the HdrHistogram percentiles.
 */
import type { BenchResult, LatencyPercentiles, SecondSample } from './bench-result';
import type { BenchKind } from './bench-options';
import type { Phase, Progress, WorkloadObserver } from './measurement';

export interface Output {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

const number = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Milliseconds as RocketMQ prints them, with decimals kept where a whole number would say 0. */
function millis(ms: number): string {
  return ms >= 10 ? String(Math.round(ms)) : ms.toFixed(3);
}

function micros(us: number): string {
  return us >= 1000 ? number(us) : String(Math.round(us * 10) / 10);
}

export function secondLine(sample: SecondSample, receives: boolean): string {
  const parts = [
    `Send TPS: ${number(sample.sendTps)}`,
    `Max RT(ms): ${millis(sample.maxRtMillis)}`,
    `Average RT(ms): ${sample.avgRtMillis.toFixed(3)}`,
    `Send Failed: ${sample.sendFailures}`,
    `Response Failed: ${sample.responseFailures}`,
  ];
  if (receives) parts.push(`Receive TPS: ${number(sample.receiveTps)}`);
  return parts.join('  ');
}

export function percentilesLine(l: LatencyPercentiles): string {
  return `p50 ${micros(l.p50)}  p90 ${micros(l.p90)}  p99 ${micros(l.p99)}  p99.9 ${micros(l.p999)}  p99.99 ${micros(l.p9999)}  max ${micros(l.max)}  (mean ${micros(l.mean)}, ${number(l.count)} samples)`;
}

const LATENCY_NAME: Record<BenchKind, string> = {
  producer: 'send round trip',
  store: 'append round trip',
  consumer: 'send to receive',
  e2e: 'send to receive',
};

export class ConsoleReporter implements WorkloadObserver {
  #progressShown = false;

  constructor(private readonly out: Output, private readonly kind: BenchKind) {}

  get #receives(): boolean {
    return this.kind === 'consumer' || this.kind === 'e2e';
  }

  onSecond(sample: SecondSample, phase: Phase): void {
    const tag = phase === 'run' ? '' : `${phase} `;
    this.#line(`[${tag}${String(sample.second).padStart(3)}s] ${secondLine(sample, this.#receives)}`);
  }

  onProgress(p: Progress): void {
    if (this.out.isTTY !== true) return;
    const goal = p.goal?.messages !== undefined
      ? `${number(p.phase === 'drain' ? p.received : p.sent)}/${number(p.goal.messages)} msgs`
      : `${number(p.sent)} msgs`;
    const time = p.goal?.seconds !== undefined ? `${p.elapsedSeconds.toFixed(1)}/${p.goal.seconds} s` : `${p.elapsedSeconds.toFixed(1)} s`;
    const received = this.#receives ? `  received ${number(p.received)}` : '';
    this.out.write(`\r\x1b[K${p.phase}: ${goal}  ${time}${received}  failures ${number(p.failures)}`);
    this.#progressShown = true;
  }

  /** The closing lines: totals like RocketMQ's `[Complete]` line, then the percentiles. */
  summary(result: BenchResult): void {
    const averageRt = result.perSecond.length === 0 ? 0
      : result.perSecond.reduce((sum, s) => sum + s.avgRtMillis * s.sendTps, 0) / Math.max(1, result.perSecond.reduce((sum, s) => sum + s.sendTps, 0));
    const maxRt = result.perSecond.reduce((max, s) => Math.max(max, s.maxRtMillis), 0);
    const parts = [
      `[Complete${result.interrupted === true ? ', interrupted' : ''}] Send Total: ${number(result.sent)}`,
    ];
    if (this.#receives) parts.push(`Receive Total: ${number(result.received)}`);
    parts.push(
      `${this.#receives ? 'Receive' : 'Send'} TPS: ${number(result.throughput)}`,
      `Max RT(ms): ${millis(maxRt)}`,
      `Average RT(ms): ${averageRt.toFixed(3)}`,
      `Send Failed: ${result.sendFailures}`,
      `Response Failed: ${result.responseFailures}`,
    );
    this.#line(parts.join('  '));
    this.#line(`${result.durationSeconds} s, ${(result.bytesPerSecond / 1e6).toFixed(2)} MB/s; ${result.targetDescription}`);
    this.#line(`Latency, ${LATENCY_NAME[this.kind]}${result.serviceTime !== undefined ? ' from each due time' : ''} (µs): ${percentilesLine(result.latency)}`);
    if (result.serviceTime !== undefined) this.#line(`Service time, from the actual send (µs): ${percentilesLine(result.serviceTime)}`);
  }

  #line(text: string): void {
    if (this.#progressShown) {
      this.out.write('\r\x1b[K');
      this.#progressShown = false;
    }
    this.out.write(`${text}\n`);
  }
}
