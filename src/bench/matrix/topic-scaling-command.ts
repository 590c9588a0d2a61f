/**
 * `cometmq bench topic-scaling`: the same producer workload spread over N topics, a fresh broker per
 * N (same settings), reported as throughput and its change relative to 64 topics. RocketMQ's
 * published figure is a drop of about 16% from 64 to 256 topics (all queues share one CommitLog).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { describeMachine } from '../report/machine-info';
import type { ReportCell } from '../report/report-model';
import { writeReport } from '../report/write-report';
import { checkDuration, GridError } from './grid';
import { EXIT_INTERRUPTED, endNotes, usageError, parseMode, parsePositiveInt, summaryLine, timestamp } from './flush-matrix-command';
import { withInterrupt } from './interrupt';
import { runCells, type CellPlan } from './run-cells';

export const TOPIC_SCALING_USAGE =
  'bench topic-scaling [--topics 1,64,256,1024,10000] [--duration S] [--warmup S] [--rounds R] [--queues Q] [--out DIR] [--data-root DIR] [--size B] [--batch N] [--threads C] [--mode sync|async] [--flush ASYNC_FLUSH|SYNC_FLUSH]';

const DEFAULT_TOPICS = [1, 64, 256, 1024, 10_000];
/** UPDATE_AND_CREATE_TOPIC_LIST takes 50,000 at most; past ~100,000 the registration body nears the 16 MiB frame. */
const MAX_TOPICS = 50_000;
const BASELINE_TOPICS = 64;

export function parseTopicCounts(value: string | undefined): number[] {
  if (value === undefined) return DEFAULT_TOPICS;
  const counts = value.split(',').map((s) => s.trim());
  const parsed = counts.map((s) => Number(s));
  if (counts.some((s) => s === '') || parsed.some((n) => !Number.isInteger(n) || n < 1 || n > MAX_TOPICS)) {
    throw new GridError(`--topics must be a comma-separated list of topic counts in [1, ${MAX_TOPICS}], got '${value}'`);
  }
  if (new Set(parsed).size !== parsed.length) throw new GridError(`--topics lists a count twice: '${value}'`);
  return parsed;
}

/** "+3.1%" / "-16.0%" of `value` against `base`. */
function change(value: number, base: number): string {
  if (base <= 0) return 'n/a';
  const pct = ((value - base) / base) * 100;
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%`;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] as number : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * Throughput per topic count (the median of its rounds) against 64 topics, or against the smallest
 * count when 64 is not in the run.
 */
export function scalingLines(cells: readonly ReportCell[]): string[] {
  const byCount = new Map<number, number[]>();
  for (const cell of cells) {
    const topics = Number(cell.params['topics']);
    byCount.set(topics, [...(byCount.get(topics) ?? []), cell.result.throughput]);
  }
  if (byCount.size === 0) return [];
  const counts = [...byCount.keys()].sort((a, b) => a - b);
  const baseTopics = byCount.has(BASELINE_TOPICS) ? BASELINE_TOPICS : counts[0] as number;
  const base = median(byCount.get(baseTopics) as number[]);
  return counts.map((topics) => {
    const runs = byCount.get(topics) as number[];
    const rounds = runs.length > 1 ? ` (median of ${runs.length} rounds: ${runs.map((r) => Math.round(r).toLocaleString('en-US')).join(', ')})` : '';
    const line = `${String(topics).padStart(6)} topics: ${Math.round(median(runs)).toLocaleString('en-US')} msg/s`;
    return topics === baseTopics ? `${line}, the baseline${rounds}` : `${line}, ${change(median(runs), base)} vs ${baseTopics} topics${rounds}`;
  });
}

/** The kernel's limit on memory mappings per process (vm.max_map_count), or undefined when unreadable. */
function mapCountLimit(): number | undefined {
  try {
    const limit = Number(fs.readFileSync('/proc/sys/vm/max_map_count', 'utf8').trim());
    return Number.isFinite(limit) ? limit : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Every queue that received a message has a ConsumeQueue file, each one memory mapping in the
 * broker (no descriptor is held): past vm.max_map_count new queues cannot be mapped and their
 * dispatch fails while sends still succeed. RocketMQ's deployment guide raises the same limit.
 */
function mapCountWarning(plans: readonly CellPlan[]): string | undefined {
  const limit = mapCountLimit();
  const widest = Math.max(0, ...plans.map((p) => p.workload.topics * (p.workload.queues ?? 8)));
  if (limit === undefined || widest < limit * 0.8) return undefined;
  return `${widest.toLocaleString('en-US')} queues (topics x queues) need as many ConsumeQueue files, each a memory mapping in the broker, ` +
    `near or past vm.max_map_count (${limit.toLocaleString('en-US')}): queues past it are not dispatched (raise vm.max_map_count, or use fewer --queues).`;
}

export async function runTopicScalingCommand(args: string[], log: (line: string) => void = console.log): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        topics: { type: 'string' }, duration: { type: 'string' }, out: { type: 'string' }, 'data-root': { type: 'string' },
        size: { type: 'string' }, batch: { type: 'string' }, threads: { type: 'string' }, mode: { type: 'string' }, flush: { type: 'string' },
        rounds: { type: 'string' }, warmup: { type: 'string' }, queues: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    return usageError((err as Error).message);
  }
  const { values } = parsed;
  if (values.help === true) {
    log(`usage: cometmq ${TOPIC_SCALING_USAGE}\n(docs/flush-experiments.md)`);
    return 0;
  }
  let plans: CellPlan[];
  let durationSeconds: number;
  try {
    const counts = parseTopicCounts(values.topics);
    durationSeconds = values.duration === undefined ? 5 : checkDuration(values.duration, '--duration');
    const messageSize = parsePositiveInt(values.size, 1024, 'size', 4 * 1024 * 1024);
    const batchSize = parsePositiveInt(values.batch, 1, 'batch', 10_000);
    const threads = parsePositiveInt(values.threads, 8, 'threads', 1024);
    const mode = parseMode(values.mode);
    const flush = values.flush ?? 'ASYNC_FLUSH';
    if (flush !== 'ASYNC_FLUSH' && flush !== 'SYNC_FLUSH') throw new GridError(`--flush must be ASYNC_FLUSH or SYNC_FLUSH, got '${flush}'`);
    const rounds = parsePositiveInt(values.rounds, 1, 'rounds', 100);
    const queues = parsePositiveInt(values.queues, 8, 'queues', 1024);
    const warmupSeconds = values.warmup === undefined ? 1 : Number(values.warmup);
    if (!Number.isFinite(warmupSeconds) || warmupSeconds < 0 || warmupSeconds > 600) throw new GridError(`--warmup must be a number of seconds in [0, 600], got '${values.warmup}'`);
    // Rounds interleave the counts, so a noisy neighbour slows every count alike instead of one.
    plans = [];
    for (let round = 1; round <= rounds; round++) {
      for (const topics of counts) {
        plans.push({
          label: `${topics} topic${topics === 1 ? '' : 's'}${rounds > 1 ? ` (round ${round})` : ''}`,
          params: { topics, queues, round, flushDiskType: flush, messageSize, batchSize, threads, mode, warmupSeconds },
          brokerSettings: { flushDiskType: flush },
          workload: { durationSeconds, messageSize, batchSize, threads, topics, queues, mode, flush, warmupSeconds },
        });
      }
    }
  } catch (err) {
    if (err instanceof GridError) return usageError(err.message);
    throw err;
  }
  const outDir = path.resolve(values.out ?? `topic-scaling-${timestamp()}`);
  const dataRoot = path.resolve(values['data-root'] ?? os.tmpdir());
  const notes = [
    `${plans.length} runs of ${durationSeconds} s after a ${String(plans[0]?.workload.warmupSeconds ?? 0)} s warm-up, the same workload spread over N topics; each run a fresh broker on a fresh data directory.`,
    `RocketMQ's published figure: about -16% throughput from 64 to 256 topics (Kafka: -98%).`,
  ];
  const mapWarning = mapCountWarning(plans);
  if (mapWarning !== undefined) {
    notes.push(mapWarning);
    log(`warning: ${mapWarning}`);
  }
  const write = (finished: readonly ReportCell[], extra: string[], interrupted: boolean): string =>
    writeReport(outDir, {
      title: 'CometMQ topic-count scaling',
      machine: describeMachine(dataRoot),
      cells: [...finished],
      notes: [...notes, ...scalingLines(finished), ...extra],
      interrupted,
    }).html;
  log(`topic scaling: ${plans.length} runs (${[...new Set(plans.map((p) => p.params['topics']))].join(', ')} topics), ${durationSeconds} s each, report in ${outDir}`);
  const outcome = await withInterrupt((signal) =>
    runCells(plans, { dataRoot, outDir, signal, progress: log, onCellDone: (finished) => write(finished, [], false) }),
  );
  const html = write(outcome.finished, endNotes(outcome), outcome.interrupted);
  for (const line of scalingLines(outcome.finished)) log(line);
  log(summaryLine(outcome, html));
  if (outcome.interrupted) return EXIT_INTERRUPTED;
  return outcome.failed.length > 0 ? 1 : 0;
}
