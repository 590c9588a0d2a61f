/**
 * The end-to-end benchmark's client side. Each case runs in its own process (bench/lib/run-isolated)
 * against a broker that bench/e2e/run-e2e-bench.ts started as another process, so producer,
 * consumer and broker never share a JS thread or a GC. Bodies are 1 KiB of random bytes
 * (incompressible, and under the 4 KiB compression threshold anyway).
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { PushConsumer } from '../../src/client/consumer/push-consumer';
import type { Message } from '../../src/client/producer/message';
import { Producer } from '../../src/client/producer/producer';
import { LatencyRecorder } from '../lib/histogram';
import * as path from 'node:path';
import { consume as heavyConsume } from './cpu-heavy-listener';
import { fdatasyncLatency } from './disk-flush';
import { bareRoundTrips } from './round-trip';

interface Target { namesrvAddr: string; topic: string; bodySize: number; autoBatch?: boolean }
export interface AsyncProduceCase extends Target { kind: 'produce-async'; inFlight: number; durationMs: number }
/** diskProbeDir (SYNC_FLUSH): a directory on the broker's disk, for the fdatasync floor. */
export interface SyncProduceCase extends Target { kind: 'produce-sync'; sends: number; echoPort: number; diskProbeDir?: string }
export interface FillCase extends Target { kind: 'fill'; messages: number; inFlight: number }
export interface DrainCase extends Target { kind: 'drain'; messages: number; pullBatchSize: number }
export interface LatencyCase extends Target { kind: 'latency'; rate: number; durationMs: number }
/** A CPU-heavy listener over a backlog, called in-thread or as a module on piscina workers. */
export interface DispatchCase extends Target { kind: 'dispatch'; messages: number; dispatch: 'in-thread' | 'workers'; threads: number }
export type E2eCase = AsyncProduceCase | SyncProduceCase | FillCase | DrainCase | LatencyCase | DispatchCase;

const WARMUP_SENDS = 2_000;
const DISK_PROBE_FLUSHES = 2_000;

/** This process's user + system CPU since `since`, in microseconds. */
function cpuMicros(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return d.user + d.system;
}

async function withProducer<T>(c: Target, fn: (producer: Producer, msg: Message) => Promise<T>): Promise<T> {
  const producer = new Producer({ groupName: `bench_producer_${process.pid}`, namesrvAddr: c.namesrvAddr, autoBatch: c.autoBatch ?? false });
  await producer.start();
  try {
    return await fn(producer, { topic: c.topic, body: randomBytes(c.bodySize) });
  } finally {
    await producer.shutdown();
  }
}

/**
 * Keeps `inFlight` sends outstanding until `shouldStop()` (checked per completion) and returns how
 * many completed. A failed send fails the case: a benchmark of errors measures nothing.
 */
function sendWindow(producer: Producer, msg: Message, inFlight: number, shouldStop: (done: number) => boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    let done = 0;
    let outstanding = 0;
    let failed = false;
    const launch = (): void => {
      outstanding++;
      producer.send(msg).then(onDone, onError);
    };
    const onDone = (): void => {
      outstanding--;
      done++;
      if (failed) return;
      if (!shouldStop(done)) launch();
      else if (outstanding === 0) resolve(done);
    };
    const onError = (err: unknown): void => {
      if (!failed) reject(err);
      failed = true;
    };
    for (let i = 0; i < inFlight; i++) launch();
  });
}

async function produceAsync(c: AsyncProduceCase): Promise<Record<string, unknown>> {
  return withProducer(c, async (producer, msg) => {
    const warm = await sendWindow(producer, msg, c.inFlight, (done) => done >= WARMUP_SENDS);
    const cpu = process.cpuUsage();
    const start = performance.now();
    const deadline = start + c.durationMs;
    const sent = await sendWindow(producer, msg, c.inFlight, () => performance.now() >= deadline);
    const seconds = (performance.now() - start) / 1000;
    return { ...c, sent, msgsPerSec: sent / seconds, clientCpuUsPerMsg: cpuMicros(cpu) / sent, messagesTotal: warm + sent };
  });
}

async function produceSync(c: SyncProduceCase): Promise<Record<string, unknown>> {
  const ceilingBefore = await bareRoundTrips(c.echoPort, c.bodySize, c.sends, WARMUP_SENDS);
  let clientCpuUsPerMsg = 0;
  const sends = await withProducer(c, async (producer, msg) => {
    for (let i = 0; i < WARMUP_SENDS; i++) await producer.send(msg);
    const recorder = new LatencyRecorder();
    const cpu = process.cpuUsage();
    for (let i = 0; i < c.sends; i++) {
      const t0 = process.hrtime.bigint();
      await producer.send(msg);
      recorder.recordNanos(Number(process.hrtime.bigint() - t0));
    }
    clientCpuUsPerMsg = cpuMicros(cpu) / c.sends;
    return recorder.summary();
  });
  // The ceiling on both sides of the sends, so a noisy neighbour shows as a spread, not a ratio.
  const ceilingAfter = await bareRoundTrips(c.echoPort, c.bodySize, c.sends, WARMUP_SENDS);
  const ceilingP50 = Math.min(ceilingBefore.p50, ceilingAfter.p50);
  // Under SYNC_FLUSH an acknowledgement also waits for the disk: a round trip plus one fdatasync
  // is the least it can take, whatever the broker does.
  const diskFlush = c.diskProbeDir === undefined ? undefined : fdatasyncLatency(c.diskProbeDir, c.bodySize, DISK_PROBE_FLUSHES, DISK_PROBE_FLUSHES / 10);
  const floorRatioP50 = diskFlush === undefined ? undefined : (ceilingP50 + diskFlush.p50) / ceilingP50;
  return {
    ...c, latencyUs: sends, sendsPerSec: 1e6 / sends.mean, ceilingBefore, ceilingAfter, ratioP50: sends.p50 / ceilingP50,
    diskFlush, floorRatioP50, clientCpuUsPerMsg, messagesTotal: WARMUP_SENDS + c.sends,
  };
}

async function fill(c: FillCase): Promise<Record<string, unknown>> {
  return withProducer(c, async (producer, msg) => {
    const cpu = process.cpuUsage();
    const start = performance.now();
    // The done-th completion would launch message inFlight + done: stop once that passes the total.
    const sent = await sendWindow(producer, msg, c.inFlight, (done) => c.inFlight + done > c.messages);
    return { ...c, sent, msgsPerSec: sent / ((performance.now() - start) / 1000), clientCpuUsPerMsg: cpuMicros(cpu) / sent, messagesTotal: sent };
  });
}

/** Waits until `check()` holds, or fails after `deadlineMs`. */
function until(what: string, check: () => boolean, deadlineMs: number): Promise<void> {
  const end = Date.now() + deadlineMs;
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      if (check()) resolve();
      else if (Date.now() > end) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(poll, 5);
    };
    poll();
  });
}

async function drain(c: DrainCase): Promise<Record<string, unknown>> {
  const consumer = new PushConsumer({
    groupName: `bench_drain_${process.pid}`, namesrvAddr: c.namesrvAddr, consumeFromWhere: 'FIRST_OFFSET',
    pullBatchSize: c.pullBatchSize, consumeMessageBatchMaxSize: 32,
  });
  let received = 0;
  let first = 0;
  consumer.subscribe(c.topic, '*');
  consumer.registerListener((messages) => {
    if (received === 0) first = performance.now();
    received += messages.length;
    return 'CONSUME_SUCCESS';
  });
  const cpu = process.cpuUsage();
  const start = performance.now();
  await consumer.start();
  try {
    await until(`${c.messages} messages`, () => received >= c.messages, 600_000);
    const end = performance.now();
    return {
      ...c, received, msgsPerSec: received / ((end - start) / 1000), msgsPerSecAfterFirst: received / ((end - first) / 1000),
      clientCpuUsPerMsg: cpuMicros(cpu) / received, messagesTotal: received,
    };
  } finally {
    await consumer.shutdown();
  }
}

/**
 * The same CPU-heavy listener over the same backlog, called on the main thread or on piscina
 * workers (the consumer counts successful listener calls, the same way for both modes).
 */
async function dispatch(c: DispatchCase): Promise<Record<string, unknown>> {
  const consumer = new PushConsumer({
    groupName: `bench_dispatch_${c.dispatch}_${process.pid}`, namesrvAddr: c.namesrvAddr, consumeFromWhere: 'FIRST_OFFSET',
    consumeMessageBatchMaxSize: 1, consumeThreadMin: c.threads, consumeThreadMax: c.threads,
  });
  consumer.subscribe(c.topic, '*');
  let received = 0;
  if (c.dispatch === 'workers') {
    consumer.registerListener(path.join(__dirname, 'cpu-heavy-listener.js'));
  } else {
    consumer.registerListener((messages) => heavyConsume(messages));
  }
  const cpu = process.cpuUsage();
  const start = performance.now();
  await consumer.start();
  try {
    await until(`${c.messages} messages consumed`, () => {
      received = consumer.consumedCount;
      return received >= c.messages;
    }, 600_000);
    const seconds = (performance.now() - start) / 1000;
    return { ...c, received, msgsPerSec: received / seconds, clientCpuUsPerMsg: cpuMicros(cpu) / received, messagesTotal: received };
  } finally {
    await consumer.shutdown();
  }
}

/**
 * Open loop at a fixed rate: message i is due at start + i/rate and carries that due time in its
 * first 8 bytes; latency is receive time minus due time, so a stalled sender's delay counts
 * against the system (no coordinated omission).
 */
async function latency(c: LatencyCase): Promise<Record<string, unknown>> {
  const recorder = new LatencyRecorder();
  /** How late the generator handed each message to send() (part of the latency above, reported apart). */
  const senderLateness = new LatencyRecorder();
  let received = 0;
  const consumer = new PushConsumer({ groupName: `bench_latency_${process.pid}`, namesrvAddr: c.namesrvAddr, consumeFromWhere: 'LAST_OFFSET' });
  consumer.subscribe(c.topic, '*');
  consumer.registerListener((messages) => {
    const now = performance.now();
    for (const m of messages) {
      const due = m.body.readDoubleLE(0);
      if (due === 0) continue; // warm-up message
      received++;
      recorder.recordNanos((now - due) * 1e6);
    }
    return 'CONSUME_SUCCESS';
  });
  return withProducer(c, async (producer) => {
    const warm = randomBytes(c.bodySize);
    warm.writeDoubleLE(0, 0);
    await producer.send({ topic: c.topic, body: warm }); // creates the topic before the consumer routes it
    await consumer.start();
    try {
      await sendWindow(producer, { topic: c.topic, body: warm }, 100, (done) => done >= WARMUP_SENDS);
      const total = Math.round((c.rate * c.durationMs) / 1000);
      const intervalMs = 1000 / c.rate;
      const template = randomBytes(c.bodySize);
      let sent = 0;
      let failures = 0;
      const start = performance.now();
      await new Promise<void>((resolve) => {
        const tick = (): void => {
          const now = performance.now();
          while (sent < total && start + sent * intervalMs <= now) {
            const body = Buffer.from(template);
            body.writeDoubleLE(start + sent * intervalMs, 0);
            senderLateness.recordNanos((now - (start + sent * intervalMs)) * 1e6);
            producer.send({ topic: c.topic, body }).catch(() => failures++);
            sent++;
          }
          // A 1 ms timer, not a setImmediate spin: spinning takes a whole core from the broker on a
          // 2-core machine (and half the client's garbage was the spin's own). Each message still
          // carries its due time, so the timer's lateness (up to ~1 ms) counts against us.
          if (sent < total) setTimeout(tick, 1);
          else resolve();
        };
        tick();
      });
      await until(`${total} messages consumed`, () => received + failures >= total, 60_000);
      return { ...c, sent, received, failures, latencyUs: recorder.summary(), senderLatenessUs: senderLateness.summary(), messagesTotal: WARMUP_SENDS + 1 + sent };
    } finally {
      await consumer.shutdown();
    }
  });
}

export async function runCase(params: Record<string, unknown>): Promise<Record<string, unknown>> {
  const c = params as unknown as E2eCase;
  switch (c.kind) {
    case 'produce-async': return produceAsync(c);
    case 'produce-sync': return produceSync(c);
    case 'fill': return fill(c);
    case 'drain': return drain(c);
    case 'latency': return latency(c);
    case 'dispatch': return dispatch(c);
  }
}
