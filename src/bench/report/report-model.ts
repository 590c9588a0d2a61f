/**
 * What a report is made of: cells, each a labelled BenchResult with the parameters that produced it.
 * Generic on purpose: the flush matrix, the topic-scaling run and the peer comparison (a CometMQ cell
 * next to a Redis or NATS cell) all call writeReport with their own cells.
 */
import type { BenchResult } from '../bench-result';
import type { MachineInfo } from './machine-info';

export type ParamValue = string | number | boolean;

export interface ReportCell {
  label: string;
  params: Record<string, ParamValue>;
  result: BenchResult;
}

export interface ReportInput {
  title: string;
  machine: MachineInfo;
  cells: ReportCell[];
  /** Lines shown under the title (how the run was made, what was skipped, why it stopped). */
  notes?: string[];
  /** The run was cut short (Ctrl-C): the report covers the cells that finished. */
  interrupted?: boolean;
}

/** report.json: everything given, plus when it was written. */
export interface ReportJson extends ReportInput {
  generatedAt: string;
}

/** Every parameter name used by any cell, in first-seen order (the table's columns). */
export function paramColumns(cells: readonly ReportCell[]): string[] {
  const seen = new Set<string>();
  for (const cell of cells) for (const key of Object.keys(cell.params)) seen.add(key);
  return [...seen];
}

/** Microseconds as milliseconds with three significant figures ("0.412", "12.3", "1250"). */
export function formatMillis(micros: number): string {
  const ms = micros / 1000;
  if (!Number.isFinite(ms)) return '-';
  if (ms >= 100) return String(Math.round(ms));
  return String(Number(ms.toPrecision(3)));
}

export function formatRate(perSecond: number): string {
  return Math.round(perSecond).toLocaleString('en-US');
}

export function formatParam(value: ParamValue | undefined): string {
  return value === undefined ? '-' : String(value);
}
