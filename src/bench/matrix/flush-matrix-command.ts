/**
 * `cometmq bench flush-matrix`: the grid checked up front (a bad one is one line and exit 2), then
 * every cell in its own broker, the report rewritten after each cell and once more at the end.
 * Ctrl-C stops the running cell, writes the report of the finished cells and exits 130.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { describeMachine } from '../report/machine-info';
import type { ReportCell } from '../report/report-model';
import { writeReport } from '../report/write-report';
import { asyncOnlyNote, checkDuration, checkWarmup, expandGrid, GridError, loadGrid } from './grid';
import { runCells, type CellPlan, type CellsOutcome } from './run-cells';
import { withInterrupt } from './interrupt';

export const FLUSH_MATRIX_USAGE =
  'bench flush-matrix [--grid quick|default|FILE.json] [--out DIR] [--duration S] [--warmup S] [--data-root DIR] [--mode sync|async] [--topics N]';

export const EXIT_BAD_GRID = 2;
export const EXIT_INTERRUPTED = 130;

/** Bad options or an impossible grid: one line on stderr, exit 2, before anything runs. */
export function usageError(message: string): number {
  process.stderr.write(`cometmq bench: ${message.split('\n')[0]}\n`);
  return EXIT_BAD_GRID;
}

export function timestamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
}

export function parseMode(value: string | undefined): 'sync' | 'async' {
  if (value === undefined || value === 'sync' || value === 'async') return value ?? 'sync';
  throw new GridError(`--mode must be sync or async, got '${value}'`);
}

export function parsePositiveInt(value: string | undefined, fallback: number, name: string, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new GridError(`--${name} must be an integer in [1, ${max}], got '${value}'`);
  return n;
}

/** Returns the exit code; a bad grid or option prints one line and returns 2. */
export async function runFlushMatrixCommand(args: string[], log: (line: string) => void = console.log): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        grid: { type: 'string' }, out: { type: 'string' }, duration: { type: 'string' }, 'data-root': { type: 'string' },
        mode: { type: 'string' }, topics: { type: 'string' }, warmup: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    return usageError((err as Error).message);
  }
  const { values } = parsed;
  if (values.help === true) {
    log(`usage: cometmq ${FLUSH_MATRIX_USAGE}\n(docs/flush-experiments.md)`);
    return 0;
  }
  let plans: CellPlan[];
  let notes: string[];
  let durationSeconds: number;
  try {
    const plan = loadGrid(values.grid);
    durationSeconds = values.duration === undefined ? plan.durationSeconds : checkDuration(values.duration, '--duration');
    const warmupSeconds = values.warmup === undefined ? plan.warmupSeconds : checkWarmup(values.warmup, '--warmup');
    const mode = parseMode(values.mode);
    const topics = parsePositiveInt(values.topics, 1, 'topics', 50_000);
    plans = expandGrid(plan.grid).map((cell) => ({
      label: cell.label,
      params: cell.params,
      brokerSettings: cell.brokerSettings,
      workload: {
        durationSeconds, warmupSeconds, messageSize: cell.messageSize, batchSize: cell.batchSize, threads: cell.threads, topics, mode,
        flush: cell.params['flushDiskType'] as 'ASYNC_FLUSH' | 'SYNC_FLUSH',
      },
    }));
    notes = [`Grid '${plan.name}': ${plans.length} cells of ${durationSeconds} s (after ${warmupSeconds} s of warm-up), ${mode} sends to ${topics} topic(s); each cell a fresh broker on a fresh data directory.`];
    const note = asyncOnlyNote(plan.grid);
    if (note !== undefined) notes.push(note);
  } catch (err) {
    if (err instanceof GridError) return usageError(err.message);
    throw err;
  }
  const outDir = path.resolve(values.out ?? `flush-matrix-${timestamp()}`);
  const dataRoot = path.resolve(values['data-root'] ?? os.tmpdir());
  const title = 'CometMQ flush-mode matrix';
  const write = (finished: readonly ReportCell[], end: CellsOutcome | undefined): string =>
    writeReport(outDir, {
      title,
      machine: describeMachine(dataRoot),
      cells: [...finished],
      notes: end === undefined ? notes : [...notes, ...endNotes(end)],
      interrupted: end?.interrupted ?? false,
    }).html;
  log(`flush matrix: ${plans.length} cells of ${durationSeconds} s, report in ${outDir}`);
  const outcome = await withInterrupt((signal) =>
    runCells(plans, {
      dataRoot,
      outDir,
      signal,
      progress: log,
      onCellDone: (finished) => write(finished, undefined),
    }),
  );
  const html = write(outcome.finished, outcome);
  log(summaryLine(outcome, html));
  if (outcome.interrupted) return EXIT_INTERRUPTED;
  return outcome.failed.length > 0 ? 1 : 0;
}

export function endNotes(outcome: CellsOutcome): string[] {
  const notes = [`Ran for ${outcome.elapsedSeconds.toFixed(0)} s.`];
  if (outcome.interrupted) notes.push(`Interrupted after ${outcome.finished.length} finished cell(s).`);
  for (const f of outcome.failed) notes.push(`Failed: ${f.label}: ${f.error}`);
  for (const p of outcome.brokerProblems) notes.push(`The broker of '${p.label}' logged ${p.count} problem line(s), the first: ${p.line}`);
  return notes;
}

export function summaryLine(outcome: CellsOutcome, html: string): string {
  const parts = [`${outcome.finished.length} cell(s) finished`];
  if (outcome.failed.length > 0) parts.push(`${outcome.failed.length} failed`);
  if (outcome.interrupted) parts.push('interrupted');
  return `${parts.join(', ')} in ${outcome.elapsedSeconds.toFixed(0)} s; report: ${html}`;
}
