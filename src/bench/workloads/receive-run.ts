/**
 * What `bench consumer` and `bench e2e` share: receivers on every topic (a consumer group of this
 * run per topic, from the first offset), probes until every queue delivers, then sending — before
 * receiving (a backlog to drain) or while receiving (live) — and waiting until every acknowledged
 * message of this run has arrived. The latency is send-to-receive, read from each body's stamp.
 */
import { performance } from 'node:perf_hooks';
import type { BenchResult } from '../bench-result';
import { recordedOptions, topicNames, type BenchOptions } from '../bench-options';
import { BodyMaker, newRunId, nowEpochMs, readStamp } from '../body-stamp';
import { generateLoad } from '../load-generator';
import { Measurement, type Phase, type WorkloadObserver } from '../measurement';
import type { BenchReceiver, BenchSender, BenchTarget } from '../target';

/** No message of this run for this long after sending ended: the rest is taken as lost. */
const STALL_MS = 30_000;
const PROBE_DEADLINE_MS = 60_000;

interface Receiving {
  receivers: BenchReceiver[];
  /** Messages of `runId` received so far (also counted into the stats once measuring). */
  count(runId: number): number;
}

async function startReceivers(target: BenchTarget, topics: readonly string[], group: string, measurement: Measurement, measuredRunId: number): Promise<Receiving> {
  const counts = new Map<number, number>();
  const receivers: BenchReceiver[] = [];
  const onBodies = (bodies: readonly Buffer[]): void => {
    const now = nowEpochMs();
    let mine = 0;
    let bytes = 0;
    for (const body of bodies) {
      const stamp = readStamp(body);
      if (stamp === undefined) continue;
      counts.set(stamp.runId, (counts.get(stamp.runId) ?? 0) + 1);
      if (stamp.runId !== measuredRunId) continue;
      mine++;
      bytes += body.length;
      measurement.stats.latency.recordNanos((now - stamp.sentAtMs) * 1e6);
    }
    if (mine > 0) measurement.stats.recordReceive(mine, bytes);
  };
  for (let i = 0; i < topics.length; i++) {
    const receiver = await target.openReceiver(topics[i]!, `${group}_${i}`);
    receivers.push(receiver);
    await receiver.start(onBodies);
  }
  return { receivers, count: (runId) => counts.get(runId) ?? 0 };
}

/** Resolves when `done()` holds, the signal aborts, or nothing changed for `stallMs`. */
async function waitFor(done: () => boolean, progress: () => number, signal: AbortSignal, stallMs: number): Promise<boolean> {
  let last = progress();
  let lastChange = performance.now();
  while (!done()) {
    if (signal.aborted) return false;
    const now = progress();
    if (now !== last) {
      last = now;
      lastChange = performance.now();
    } else if (performance.now() - lastChange > stallMs) {
      return false;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return true;
}

export async function runReceiving(target: BenchTarget, options: BenchOptions, observer: WorkloadObserver, signal: AbortSignal, live: boolean): Promise<BenchResult> {
  const topics = topicNames(options);
  await target.prepare(topics, options.queues);
  const measurement = new Measurement(observer);
  const bodies = new BodyMaker(options.size, true);
  const probeId = newRunId();
  const runId = newRunId();
  const group = `benchmark_consumer_${process.pid}_${Date.now().toString(36)}`;
  let sender: BenchSender | undefined;
  let receiving: Receiving | undefined;
  try {
    sender = await target.openSender();
    const send = (phase: Phase, id: number, durationMs: number | undefined, messages: number | undefined, rate: number): Promise<void> => {
      measurement.enter(phase, { messages, seconds: durationMs === undefined ? undefined : durationMs / 1000 });
      return generateLoad({
        sender: sender!, topics, batch: options.batch, mode: options.mode, threads: options.threads, rate, messages, durationMs,
        signal, stats: measurement.stats, bodies, runId: id, recordSendLatency: false,
      });
    };
    const startReceiving = async (): Promise<Receiving> => {
      const r = await startReceivers(target, topics, group, measurement, runId);
      // One probe per queue: once all are back, every queue is being pulled, and the first
      // measured message does not wait for the consumers' rebalance.
      const probes = topics.length * options.queues;
      await generateLoad({
        sender: sender!, topics, batch: 1, mode: 'sync', threads: 1, rate: 0, messages: probes, signal, stats: measurement.stats, bodies,
        runId: probeId, recordSendLatency: false,
      });
      if (!(await waitFor(() => r.count(probeId) >= probes, () => r.count(probeId), signal, PROBE_DEADLINE_MS)) && !signal.aborted) {
        throw new Error(`the receivers did not deliver the ${probes} probe messages within ${PROBE_DEADLINE_MS / 1000} s`);
      }
      return r;
    };
    const duration = options.durationSeconds === undefined ? undefined : options.durationSeconds * 1000;
    let seconds: number;
    if (live) {
      receiving = await startReceiving();
      if (options.warmupSeconds > 0) {
        await send('warmup', newRunId(), options.warmupSeconds * 1000, undefined, options.rate);
      }
      await send('run', runId, duration, options.messages, options.rate);
      const r = receiving;
      await waitFor(() => r.count(runId) >= measurement.stats.sent, () => r.count(runId), signal, STALL_MS);
      seconds = measurement.measuredSeconds();
    } else {
      // Backlog: fill (warm-up messages carry another id and are skipped), then drain and time it.
      if (options.warmupSeconds > 0) await send('warmup', newRunId(), options.warmupSeconds * 1000, undefined, options.rate);
      await send('fill', runId, duration, options.messages, options.rate);
      if (!signal.aborted) {
        // The phase changes but the stats carry on: the result has the fill's sends and the drain's receives.
        const expected = measurement.stats.sent;
        measurement.enter('drain', { messages: expected });
        const drainStart = performance.now();
        receiving = await startReceivers(target, topics, group, measurement, runId);
        const r = receiving;
        await waitFor(() => r.count(runId) >= expected, () => r.count(runId), signal, STALL_MS);
        seconds = (performance.now() - drainStart) / 1000;
      } else {
        seconds = measurement.measuredSeconds();
      }
    }
    measurement.stop();
    return measurement.result({
      kind: options.kind, target: target.name, targetDescription: target.description, options: recordedOptions(options),
      seconds, throughputOf: 'received', interrupted: signal.aborted, paced: false,
    });
  } finally {
    measurement.stop();
    for (const r of receiving?.receivers ?? []) await r.close().catch(() => undefined);
    await sender?.close().catch(() => undefined);
  }
}
