/**
 * Runs benchmark cells one after another, each in a fresh broker process on a fresh data directory
 * with a producer bench child against it, one progress line per cell. An abort (Ctrl-C) stops the
 * running cell and returns what finished; a failing cell is recorded and the next one runs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatMillis, formatRate, type ParamValue, type ReportCell } from '../report/report-model';
import { startBrokerProcess, type BrokerProcess } from './broker-process';
import { runProducerProcess, type ProducerWorkload } from './producer-process';

export interface CellPlan {
  label: string;
  params: Record<string, ParamValue>;
  brokerSettings: Record<string, string>;
  workload: ProducerWorkload;
}

export interface RunCellsOptions {
  /** Where each cell's broker data directory is created (and removed). */
  dataRoot: string;
  /** Each cell's raw BenchResult goes to <outDir>/cells/NN.json. */
  outDir: string;
  signal: AbortSignal;
  progress: (line: string) => void;
  /** Called after each finished cell (the caller rewrites the report, so a killed run keeps one). */
  onCellDone?: (finished: readonly ReportCell[]) => void;
}

export interface CellsOutcome {
  finished: ReportCell[];
  failed: Array<{ label: string; error: string }>;
  /** Cells whose broker logged problems while they ran (the first such line of each). */
  brokerProblems: Array<{ label: string; line: string; count: number }>;
  interrupted: boolean;
  elapsedSeconds: number;
}

export async function runCells(plans: readonly CellPlan[], o: RunCellsOptions): Promise<CellsOutcome> {
  const started = Date.now();
  const finished: ReportCell[] = [];
  const failed: CellsOutcome['failed'] = [];
  const brokerProblems: CellsOutcome['brokerProblems'] = [];
  const cellsDir = path.join(o.outDir, 'cells');
  fs.mkdirSync(cellsDir, { recursive: true });
  const width = String(plans.length).length;
  for (const [i, plan] of plans.entries()) {
    if (o.signal.aborted) break;
    const tag = `[${String(i + 1).padStart(width)}/${plans.length}] ${plan.label}`;
    const cellStarted = Date.now();
    let broker: BrokerProcess | undefined;
    try {
      broker = await startBrokerProcess(o.dataRoot, plan.brokerSettings, o.signal);
      const jsonFile = path.join(cellsDir, `${String(i + 1).padStart(3, '0')}.json`);
      const result = await runProducerProcess(broker.namesrvAddr, jsonFile, plan.workload, o.signal);
      finished.push({ label: plan.label, params: plan.params, result });
      const seconds = ((Date.now() - cellStarted) / 1000).toFixed(1);
      const failures = result.sendFailures + result.responseFailures;
      const problems = broker.problems();
      if (problems.length > 0) brokerProblems.push({ label: plan.label, line: problems[0] as string, count: problems.length });
      o.progress(`${tag}: ${formatRate(result.throughput)} msg/s, p50 ${formatMillis(result.latency.p50)} ms, p99 ${formatMillis(result.latency.p99)} ms` +
        `${failures > 0 ? `, ${failures} failures` : ''} (${seconds} s)${problems.length > 0 ? `; the broker logged problems: ${problems[0]}` : ''}`);
      o.onCellDone?.(finished);
    } catch (err) {
      if (o.signal.aborted) break;
      const error = (err as Error).message;
      failed.push({ label: plan.label, error });
      o.progress(`${tag}: FAILED: ${error}`);
    } finally {
      await broker?.stop();
    }
  }
  return { finished, failed, brokerProblems, interrupted: o.signal.aborted, elapsedSeconds: (Date.now() - started) / 1000 };
}
