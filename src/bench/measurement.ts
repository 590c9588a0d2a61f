/**
 * The clock of a run: every second it turns the RunStats window into a SecondSample (kept for the
 * BenchResult and handed to the observer for the `Send TPS: …` line), and a few times a second it
 * reports running totals for the live progress line. Warm-up seconds are shown but not kept.
 */
import { performance } from 'node:perf_hooks';
import type { BenchResult, SecondSample } from './bench-result';
import type { BenchKind } from './bench-options';
import { RunStats } from './run-stats';

export type Phase = 'warmup' | 'fill' | 'drain' | 'run';

export interface Progress {
  readonly phase: Phase;
  readonly elapsedSeconds: number;
  readonly sent: number;
  readonly received: number;
  readonly failures: number;
  /** What the phase is heading for, when known: messages to send or receive, or seconds. */
  readonly goal?: { messages?: number | undefined; seconds?: number | undefined } | undefined;
}

/** Where a workload reports while it runs (the CLI prints; tests and other tools may just collect). */
export interface WorkloadObserver {
  onSecond(sample: SecondSample, phase: Phase): void;
  onProgress?(progress: Progress): void;
}

const PROGRESS_MS = 250;

export class Measurement {
  readonly stats = new RunStats();
  readonly perSecond: SecondSample[] = [];
  readonly startedAt = new Date();
  #phase: Phase = 'run';
  #goal: Progress['goal'];
  #phaseStart = performance.now();
  #measureStart = performance.now();
  #lastTick = performance.now();
  #second = 0;
  #secondTimer: NodeJS.Timeout | undefined;
  #progressTimer: NodeJS.Timeout | undefined;

  constructor(private readonly observer: WorkloadObserver) {}

  get phase(): Phase {
    return this.#phase;
  }

  /** Starts (or moves to) a phase. Leaving warm-up forgets everything measured so far. */
  enter(phase: Phase, goal?: Progress['goal']): void {
    const leavingWarmup = this.#phase === 'warmup' && phase !== 'warmup';
    if (this.#secondTimer !== undefined && this.#phase !== phase) this.#tick(true);
    this.#phase = phase;
    this.#goal = goal;
    this.#phaseStart = performance.now();
    if (leavingWarmup || this.#secondTimer === undefined) {
      this.stats.reset();
      this.perSecond.length = 0;
      this.#second = 0;
      this.#measureStart = performance.now();
      this.#lastTick = performance.now();
    }
    if (this.#secondTimer === undefined) {
      this.#secondTimer = setInterval(() => this.#tick(false), 1000);
      this.#progressTimer = setInterval(() => this.#progress(), PROGRESS_MS);
    }
  }

  /** Seconds since the current phase began. */
  phaseSeconds(): number {
    return (performance.now() - this.#phaseStart) / 1000;
  }

  /** Seconds since measuring began (after any warm-up). */
  measuredSeconds(): number {
    return (performance.now() - this.#measureStart) / 1000;
  }

  /** Stops the clock; the last partial second becomes a sample of its own when it holds anything. */
  stop(): void {
    if (this.#secondTimer === undefined) return;
    this.#tick(true);
    clearInterval(this.#secondTimer);
    clearInterval(this.#progressTimer);
    this.#secondTimer = undefined;
    this.#progressTimer = undefined;
  }

  #tick(partial: boolean): void {
    const now = performance.now();
    // A short window still holds counts (a fast drain can finish within milliseconds of its
    // phase starting): keep it; only empty partial windows are dropped below.
    const seconds = Math.max((now - this.#lastTick) / 1000, 0.001);
    this.#lastTick = now;
    const sample = this.stats.takeSecond(++this.#second, seconds, (now - this.#measureStart) / 1000);
    if (partial && sample.sendTps === 0 && sample.receiveTps === 0 && sample.sendFailures === 0 && sample.responseFailures === 0) {
      this.#second--;
      return;
    }
    if (this.#phase !== 'warmup') this.perSecond.push({ ...sample, phase: this.#phase });
    this.observer.onSecond(sample, this.#phase);
  }

  #progress(): void {
    const s = this.stats;
    this.observer.onProgress?.({
      phase: this.#phase, elapsedSeconds: this.phaseSeconds(), sent: s.sent, received: s.received,
      failures: s.sendFailures + s.responseFailures, goal: this.#goal,
    });
  }

  /** The BenchResult of this measurement. `seconds` is the span `throughput` is computed over. */
  result(args: {
    kind: BenchKind; target: string; targetDescription: string; options: Record<string, string | number | boolean>;
    seconds: number; throughputOf: 'sent' | 'received'; interrupted: boolean; paced: boolean;
  }): BenchResult {
    const s = this.stats;
    const seconds = Math.max(args.seconds, 1e-6);
    const count = args.throughputOf === 'sent' ? s.sent : s.received;
    const bytes = args.throughputOf === 'sent' ? s.bytesSent : s.bytesReceived;
    const result: BenchResult = {
      kind: args.kind,
      target: args.target,
      targetDescription: args.targetDescription,
      options: args.options,
      startedAt: this.startedAt.toISOString(),
      durationSeconds: Math.round(seconds * 1000) / 1000,
      sent: s.sent,
      received: s.received,
      sendFailures: s.sendFailures,
      responseFailures: s.responseFailures,
      throughput: Math.round((count / seconds) * 10) / 10,
      bytesPerSecond: Math.round(bytes / seconds),
      latency: s.latency.percentiles(),
      percentileCurve: s.latency.curve(),
      perSecond: [...this.perSecond],
    };
    if (args.paced) result.serviceTime = s.serviceTime.percentiles();
    if (args.interrupted) result.interrupted = true;
    return result;
  }
}
