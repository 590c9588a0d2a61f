/**
 * One producer run: `cometmq bench producer ... --json FILE` as a child against a running broker,
 * its BenchResult read back from FILE. Interrupting stops the child (SIGINT, then SIGKILL).
 */
import * as fs from 'node:fs';
import type { BenchResult } from '../bench-result';
import { CometmqChild, describeExit } from './child-process';

/** Time a run may take beyond its duration (process start, route lookups, topic creation, drain). */
const OVERRUN_MS = 120_000;
const STOP_GRACE_MS = 5_000;

export interface ProducerWorkload {
  durationSeconds: number;
  messageSize: number;
  batchSize: number;
  threads: number;
  topics: number;
  mode: 'sync' | 'async';
  /** The broker's flush type, so the result is labelled with it (the bench cannot see a remote broker's). */
  flush: 'ASYNC_FLUSH' | 'SYNC_FLUSH';
  /** Seconds sent first and not counted (queues touched, files created, JIT warm). */
  warmupSeconds?: number;
  /** Queues per topic (the producer bench's default, 8, when absent). */
  queues?: number;
}

export function producerArgs(namesrvAddr: string, jsonFile: string, w: ProducerWorkload): string[] {
  return [
    'bench', 'producer', '--namesrv', namesrvAddr, '--json', jsonFile, '--duration', String(w.durationSeconds),
    '--size', String(w.messageSize), '--batch', String(w.batchSize), '--threads', String(w.threads), '--topics', String(w.topics), '--mode', w.mode, '--flush', w.flush,
    ...(w.warmupSeconds === undefined ? [] : ['--warmup', String(w.warmupSeconds)]),
    ...(w.queues === undefined ? [] : ['--queues', String(w.queues)]),
  ];
}

export async function runProducerProcess(namesrvAddr: string, jsonFile: string, w: ProducerWorkload, signal?: AbortSignal): Promise<BenchResult> {
  fs.rmSync(jsonFile, { force: true });
  const child = new CometmqChild(producerArgs(namesrvAddr, jsonFile, w));
  const onAbort = (): void => void child.stop('SIGINT', STOP_GRACE_MS);
  signal?.addEventListener('abort', onAbort, { once: true });
  const overrun = setTimeout(() => void child.stop('SIGKILL', 0), w.durationSeconds * 1000 + OVERRUN_MS);
  try {
    const exit = await child.exited;
    if (signal?.aborted === true) throw new Error('interrupted');
    if (exit.code !== 0) throw new Error(`bench producer failed (${describeExit(exit)}): ${child.tail(3)}`);
    return readBenchResult(jsonFile);
  } finally {
    clearTimeout(overrun);
    signal?.removeEventListener('abort', onAbort);
  }
}

/** Reads a BenchResult file, checking the figures a report needs are there. */
export function readBenchResult(file: string): BenchResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read the bench result ${file}: ${(err as Error).message}`);
  }
  const r = parsed as Partial<BenchResult>;
  if (typeof r.throughput !== 'number' || typeof r.latency?.p99 !== 'number' || !Array.isArray(r.percentileCurve)) {
    throw new Error(`${file} is not a BenchResult (throughput, latency, percentileCurve missing)`);
  }
  return r as BenchResult;
}
