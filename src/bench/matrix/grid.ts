/**
 * The flush-matrix grid: seven dimensions (four broker settings, three workload figures), their
 * built-in values ('quick', 'default') or a JSON file listing values per dimension, every value
 * checked before anything runs, and the expansion into cells.
 *
 * SYNC_FLUSH flushes each group of appends at once: flushIntervalCommitLog and
 * flushCommitLogLeastPages are not used, and the transient store pool is refused (as in RocketMQ,
 * where it only works with ASYNC_FLUSH). So a SYNC_FLUSH cell runs once per workload combination
 * with those three left at their defaults, instead of repeating identical brokers.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createBrokerConfig, type BrokerConfig } from '../../broker/broker-config';
import type { ParamValue } from '../report/report-model';

export const MAX_CELLS = 500;
export const MAX_DURATION_SECONDS = 3600;

export interface Grid {
  flushDiskType: Array<'ASYNC_FLUSH' | 'SYNC_FLUSH'>;
  flushIntervalCommitLog: number[];
  flushCommitLogLeastPages: number[];
  transientStorePoolEnable: boolean[];
  /** Body bytes of each message. */
  messageSize: number[];
  /** Messages per send request (1 = single sends). */
  batchSize: number[];
  /** Concurrent producer senders (the bench's --threads). */
  threads: number[];
}

export type Dimension = keyof Grid;
export const DIMENSIONS: readonly Dimension[] = [
  'flushDiskType', 'flushIntervalCommitLog', 'flushCommitLogLeastPages', 'transientStorePoolEnable', 'messageSize', 'batchSize', 'threads',
];
const BROKER_DIMENSIONS: readonly Dimension[] = ['flushDiskType', 'flushIntervalCommitLog', 'flushCommitLogLeastPages', 'transientStorePoolEnable'];
const ASYNC_ONLY: readonly Dimension[] = ['flushIntervalCommitLog', 'flushCommitLogLeastPages', 'transientStorePoolEnable'];

export interface GridPlan {
  name: string;
  grid: Grid;
  /** Seconds each cell's producer runs. */
  durationSeconds: number;
  /** Seconds each cell sends first, not counted (JIT, connections, first pages of the files). */
  warmupSeconds: number;
}

/** A grid that cannot run: one line for the user, exit 2. */
export class GridError extends Error {
  override readonly name = 'GridError';
}

/** RocketMQ's defaults: a dimension a grid file leaves out has this one value. */
const DEFAULTS: Grid = {
  flushDiskType: ['ASYNC_FLUSH'],
  flushIntervalCommitLog: [500],
  flushCommitLogLeastPages: [4],
  transientStorePoolEnable: [false],
  messageSize: [1024],
  batchSize: [1],
  threads: [8],
};

/** For tests: three cells of a second each. */
export const QUICK_GRID: GridPlan = {
  name: 'quick',
  durationSeconds: 1,
  warmupSeconds: 0,
  grid: { ...DEFAULTS, flushDiskType: ['ASYNC_FLUSH', 'SYNC_FLUSH'], transientStorePoolEnable: [false, true], messageSize: [128], threads: [2] },
};

/** 16 ASYNC_FLUSH cells and 2 SYNC_FLUSH cells of 1 + 4 s: about three minutes on 2 cores. */
export const DEFAULT_GRID: GridPlan = {
  name: 'default',
  durationSeconds: 4,
  warmupSeconds: 1,
  grid: {
    flushDiskType: ['ASYNC_FLUSH', 'SYNC_FLUSH'],
    flushIntervalCommitLog: [100, 1000],
    flushCommitLogLeastPages: [4, 256],
    transientStorePoolEnable: [false, true],
    messageSize: [1024],
    batchSize: [1, 16],
    threads: [8],
  },
};

export interface MatrixCell {
  /** Short, readable: the flush type and every dimension that varies in the grid. */
  label: string;
  /** Every dimension's value ('-' where it does not apply). */
  params: Record<string, ParamValue>;
  /** `--set key=value` settings for `cometmq start`. */
  brokerSettings: Record<string, string>;
  messageSize: number;
  batchSize: number;
  threads: number;
}

/** 'quick', 'default' or the path of a JSON grid file; throws GridError with one line. */
export function loadGrid(spec: string | undefined): GridPlan {
  if (spec === undefined || spec === 'default') return DEFAULT_GRID;
  if (spec === 'quick') return QUICK_GRID;
  let text: string;
  try {
    text = fs.readFileSync(spec, 'utf8');
  } catch (err) {
    throw new GridError(`grid ${spec}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); use quick, default or a JSON file`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new GridError(`grid ${spec}: not valid JSON (${(err as Error).message})`);
  }
  return parseGrid(json, path.basename(spec));
}

/** Validates a grid object: known keys, non-empty arrays, values the broker accepts, at most MAX_CELLS cells. */
export function parseGrid(json: unknown, name: string): GridPlan {
  const where = `grid ${name}`;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new GridError(`${where}: must be a JSON object of dimension -> [values]`);
  const grid: Record<string, unknown[]> = { ...DEFAULTS };
  let durationSeconds = DEFAULT_GRID.durationSeconds;
  let warmupSeconds = DEFAULT_GRID.warmupSeconds;
  for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
    if (key === 'durationSeconds') {
      durationSeconds = checkDuration(value, `${where}: durationSeconds`);
      continue;
    }
    if (key === 'warmupSeconds') {
      warmupSeconds = checkWarmup(value, `${where}: warmupSeconds`);
      continue;
    }
    if (!(DIMENSIONS as readonly string[]).includes(key)) {
      throw new GridError(`${where}: unknown key '${key}' (dimensions: ${DIMENSIONS.join(', ')}; also durationSeconds, warmupSeconds)`);
    }
    if (!Array.isArray(value) || value.length === 0) throw new GridError(`${where}: ${key} must be a non-empty array of values`);
    grid[key] = value;
  }
  const plan: GridPlan = { name, durationSeconds, warmupSeconds, grid: grid as unknown as Grid };
  validateGrid(plan);
  return plan;
}

export function checkDuration(value: unknown, what: string): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0 || n > MAX_DURATION_SECONDS) {
    throw new GridError(`${what} must be a number of seconds in (0, ${MAX_DURATION_SECONDS}], got ${JSON.stringify(value)}`);
  }
  return n;
}

export function checkWarmup(value: unknown, what: string): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || n > MAX_DURATION_SECONDS) {
    throw new GridError(`${what} must be a number of seconds in [0, ${MAX_DURATION_SECONDS}], got ${JSON.stringify(value)}`);
  }
  return n;
}

function validateGrid(plan: GridPlan): void {
  const where = `grid ${plan.name}`;
  const g = plan.grid;
  for (const dim of DIMENSIONS) {
    const values = g[dim] as unknown[];
    if (new Set(values.map((v) => String(v))).size !== values.length) throw new GridError(`${where}: ${dim} lists a value twice`);
  }
  // Broker settings: exactly what the broker's own config validation says, one value at a time.
  let maxMessageSize = 0;
  for (const dim of BROKER_DIMENSIONS) {
    for (const value of g[dim] as unknown[]) {
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        throw new GridError(`${where}: ${dim} value ${JSON.stringify(value)} is not a string, number or boolean`);
      }
      const settings: Record<string, string> = { [dim]: String(value) };
      // The pool only exists with ASYNC_FLUSH; SYNC_FLUSH cells leave it off (see the header).
      if (dim === 'transientStorePoolEnable') settings['flushDiskType'] = 'ASYNC_FLUSH';
      const config = brokerConfigOrError(settings, `${where}: ${dim} value ${JSON.stringify(value)}`);
      maxMessageSize = config.store.maxMessageSize;
    }
  }
  g.flushIntervalCommitLog = g.flushIntervalCommitLog.map(Number);
  g.flushCommitLogLeastPages = g.flushCommitLogLeastPages.map(Number);
  g.transientStorePoolEnable = g.transientStorePoolEnable.map((v) => v === true || v === ('true' as unknown));
  checkInts(g.messageSize, 1, maxMessageSize, `${where}: messageSize`);
  checkInts(g.batchSize, 1, 10_000, `${where}: batchSize`);
  checkInts(g.threads, 1, 1024, `${where}: threads`);
  const biggest = Math.max(...g.messageSize) * Math.max(...g.batchSize);
  if (biggest > maxMessageSize) {
    throw new GridError(`${where}: messageSize x batchSize reaches ${biggest} bytes, over the broker's maxMessageSize ${maxMessageSize}`);
  }
  const count = expandGrid(g).length;
  if (count > MAX_CELLS) throw new GridError(`${where}: ${count} cells, more than ${MAX_CELLS}; list fewer values`);
}

function brokerConfigOrError(settings: Record<string, string>, what: string): BrokerConfig {
  try {
    return createBrokerConfig({ values: { storePathRootDir: path.join(os.tmpdir(), 'grid-check'), ...settings } });
  } catch (err) {
    // "(config): key must be ..." -> keep the reason only.
    throw new GridError(`${what} is refused by the broker: ${(err as Error).message.replace(/^\(config\): /, '')}`);
  }
}

function checkInts(values: unknown[], min: number, max: number, what: string): void {
  for (const v of values) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new GridError(`${what} value ${JSON.stringify(v)} must be an integer in [${min}, ${max}]`);
    }
  }
}

/** The cells in a stable order (flush type, then each dimension in turn). */
export function expandGrid(g: Grid): MatrixCell[] {
  const varies = new Set(DIMENSIONS.filter((d) => (g[d] as unknown[]).length > 1));
  const cells: MatrixCell[] = [];
  const seen = new Set<string>();
  for (const flushDiskType of g.flushDiskType) {
    const sync = flushDiskType === 'SYNC_FLUSH';
    for (const interval of sync ? [undefined] : g.flushIntervalCommitLog) {
      for (const leastPages of sync ? [undefined] : g.flushCommitLogLeastPages) {
        for (const pool of sync ? [undefined] : g.transientStorePoolEnable) {
          for (const messageSize of g.messageSize) {
            for (const batchSize of g.batchSize) {
              for (const threads of g.threads) {
                const key = [flushDiskType, interval, leastPages, pool, messageSize, batchSize, threads].join('/');
                if (seen.has(key)) continue;
                seen.add(key);
                cells.push(makeCell({ flushDiskType, interval, leastPages, pool, messageSize, batchSize, threads }, varies));
              }
            }
          }
        }
      }
    }
  }
  return cells;
}

interface CellValues {
  flushDiskType: 'ASYNC_FLUSH' | 'SYNC_FLUSH';
  interval: number | undefined;
  leastPages: number | undefined;
  pool: boolean | undefined;
  messageSize: number;
  batchSize: number;
  threads: number;
}

function makeCell(v: CellValues, varies: ReadonlySet<Dimension>): MatrixCell {
  const brokerSettings: Record<string, string> = { flushDiskType: v.flushDiskType };
  if (v.interval !== undefined) brokerSettings['flushIntervalCommitLog'] = String(v.interval);
  if (v.leastPages !== undefined) brokerSettings['flushCommitLogLeastPages'] = String(v.leastPages);
  if (v.pool !== undefined) brokerSettings['transientStorePoolEnable'] = String(v.pool);
  const parts = [v.flushDiskType === 'SYNC_FLUSH' ? 'SYNC' : 'ASYNC'];
  const asyncPart = (dim: Dimension, text: string | undefined): void => {
    if (varies.has(dim) && text !== undefined) parts.push(text);
  };
  asyncPart('flushIntervalCommitLog', v.interval === undefined ? undefined : `${v.interval}ms`);
  asyncPart('flushCommitLogLeastPages', v.leastPages === undefined ? undefined : `lp${v.leastPages}`);
  asyncPart('transientStorePoolEnable', v.pool === undefined ? undefined : v.pool ? 'pool' : 'no-pool');
  const workload: string[] = [];
  if (varies.has('messageSize')) workload.push(`${v.messageSize}B`);
  if (varies.has('batchSize')) workload.push(`batch ${v.batchSize}`);
  if (varies.has('threads')) workload.push(`${v.threads} thr`);
  const label = workload.length === 0 ? parts.join(' ') : `${parts.join(' ')} | ${workload.join(' ')}`;
  const notApplicable = '-';
  return {
    label,
    params: {
      flushDiskType: v.flushDiskType,
      flushIntervalCommitLog: v.interval ?? notApplicable,
      flushCommitLogLeastPages: v.leastPages ?? notApplicable,
      transientStorePoolEnable: v.pool ?? notApplicable,
      messageSize: v.messageSize,
      batchSize: v.batchSize,
      threads: v.threads,
    },
    brokerSettings,
    messageSize: v.messageSize,
    batchSize: v.batchSize,
    threads: v.threads,
  };
}

/** Names what SYNC_FLUSH cells leave out, for the report's notes. */
export function asyncOnlyNote(g: Grid): string | undefined {
  if (!g.flushDiskType.includes('SYNC_FLUSH')) return undefined;
  const collapsed = ASYNC_ONLY.filter((d) => (g[d] as unknown[]).length > 1);
  if (collapsed.length === 0) return undefined;
  return `SYNC_FLUSH cells run once per workload: ${collapsed.join(', ')} ${collapsed.length === 1 ? 'does' : 'do'} not apply to SYNC_FLUSH (group commit flushes every append; the transient store pool needs ASYNC_FLUSH).`;
}
