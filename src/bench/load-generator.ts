/**
 * The sending side of every workload. Closed loop: `threads` senders, each awaiting its request
 * before the next (the in-flight window). Open loop (`rate` > 0): request i is due at
 * start + i × batch / rate and is sent then if fewer than `threads` are in flight, later otherwise;
 * its latency is counted from the due time (coordinated-omission correction), its service time
 * from the actual send.
 */
import { performance } from 'node:perf_hooks';
import { BodyMaker, nowEpochMs } from './body-stamp';
import type { RunStats } from './run-stats';
import { BenchResponseFailure, UnsupportedBenchOption, type BenchSender, type SendMode } from './target';

export interface LoadPlan {
  readonly sender: BenchSender;
  readonly topics: readonly string[];
  readonly batch: number;
  readonly mode: SendMode;
  readonly threads: number;
  /** Messages per second; 0 = closed loop. */
  readonly rate: number;
  /** Stop after this many messages … */
  readonly messages?: number | undefined;
  /** … or after this long (whichever is given). */
  readonly durationMs?: number | undefined;
  readonly signal: AbortSignal;
  readonly stats: RunStats;
  readonly bodies: BodyMaker;
  /** Written into each body's stamp (the receiver counts only this run's). */
  readonly runId: number;
  /** Record each request's latency into stats.latency (producer, store); receive runs measure at the receiver. */
  readonly recordSendLatency: boolean;
}

/** Open-loop timer period: coarse enough not to take a core from the broker on a 2-core machine. */
const TICK_MS = 1;

export async function generateLoad(plan: LoadPlan): Promise<void> {
  if (plan.rate > 0) await openLoop(plan);
  else await closedLoop(plan);
}

/** Sends one request; resolves false when the run must stop (an option the target cannot honour). */
async function sendOne(plan: LoadPlan, index: number, messages: number, dueMs: number, dueEpochMs: number): Promise<void> {
  const topic = plan.topics[index % plan.topics.length]!;
  const bodies: Buffer[] = new Array(messages);
  let bytes = 0;
  for (let i = 0; i < messages; i++) {
    bodies[i] = plan.bodies.make(dueEpochMs, plan.runId);
    bytes += bodies[i]!.length;
  }
  const sentAt = performance.now();
  try {
    await plan.sender.send(topic, bodies, plan.mode);
  } catch (err) {
    if (err instanceof UnsupportedBenchOption) throw err;
    plan.stats.recordFailure(err instanceof BenchResponseFailure ? 'response' : 'send', messages);
    return;
  }
  const done = performance.now();
  plan.stats.recordSend(messages, bytes, (done - sentAt) * 1e6);
  if (plan.recordSendLatency) plan.stats.latency.recordNanos((done - dueMs) * 1e6);
  if (plan.rate > 0) plan.stats.serviceTime.recordNanos((done - sentAt) * 1e6);
}

function closedLoop(plan: LoadPlan): Promise<void> {
  const deadline = plan.durationMs === undefined ? Infinity : performance.now() + plan.durationMs;
  let issued = 0;
  let requests = 0;
  const worker = async (): Promise<void> => {
    while (!plan.signal.aborted && performance.now() < deadline) {
      const messages = plan.messages === undefined ? plan.batch : Math.min(plan.batch, plan.messages - issued);
      if (messages <= 0) return;
      issued += messages;
      await sendOne(plan, requests++, messages, performance.now(), nowEpochMs());
    }
  };
  return Promise.all(Array.from({ length: plan.threads }, worker)).then(() => undefined);
}

function openLoop(plan: LoadPlan): Promise<void> {
  const intervalMs = (1000 * plan.batch) / plan.rate;
  const start = performance.now();
  const startEpoch = nowEpochMs();
  const totalRequests = plan.messages !== undefined
    ? Math.ceil(plan.messages / plan.batch)
    : Math.max(1, Math.floor((plan.durationMs ?? 0) / intervalMs));
  let next = 0;
  let inFlight = 0;
  return new Promise((resolve, reject) => {
    let failed = false;
    let timer: NodeJS.Timeout | undefined;
    const finishIfDone = (): void => {
      const exhausted = next >= totalRequests || plan.signal.aborted;
      if (exhausted && inFlight === 0) {
        if (timer !== undefined) clearTimeout(timer);
        timer = undefined;
        resolve();
      }
    };
    const pump = (): void => {
      const now = performance.now();
      while (!failed && !plan.signal.aborted && next < totalRequests && inFlight < plan.threads && start + next * intervalMs <= now) {
        const index = next++;
        const messages = plan.messages === undefined ? plan.batch : Math.min(plan.batch, plan.messages - index * plan.batch);
        const dueOffset = index * intervalMs;
        inFlight++;
        sendOne(plan, index, messages, start + dueOffset, startEpoch + dueOffset).then(
          () => {
            inFlight--;
            pump();
          },
          (err: unknown) => {
            inFlight--;
            failed = true;
            if (timer !== undefined) clearTimeout(timer);
            reject(err);
          },
        );
      }
      finishIfDone();
    };
    const tick = (): void => {
      if (failed) return;
      pump();
      if (next < totalRequests && !plan.signal.aborted) timer = setTimeout(tick, TICK_MS);
    };
    plan.signal.addEventListener('abort', finishIfDone, { once: true });
    tick();
  });
}
