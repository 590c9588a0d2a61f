/** report.md: the machine, the notes and one table row per cell. */
import { machineLine } from './machine-info';
import { formatMillis, formatParam, formatRate, paramColumns, type ReportJson } from './report-model';

const escapeCell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderMarkdown(report: ReportJson): string {
  const params = paramColumns(report.cells);
  const header = ['#', 'cell', ...params, 'msg/s', 'MB/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'failures'];
  const rows = report.cells.map((cell, i) => {
    const r = cell.result;
    return [
      String(i + 1),
      cell.label,
      ...params.map((p) => formatParam(cell.params[p])),
      formatRate(r.throughput),
      (r.bytesPerSecond / 1e6).toFixed(1),
      formatMillis(r.latency.p50),
      formatMillis(r.latency.p99),
      formatMillis(r.latency.p999),
      formatMillis(r.latency.max),
      String(r.sendFailures + r.responseFailures),
    ];
  });
  const lines = [
    `# ${report.title}`,
    '',
    `Machine: ${machineLine(report.machine)}.`,
    `Written ${report.generatedAt}${report.interrupted === true ? ' (interrupted: only the cells that finished)' : ''}.`,
  ];
  for (const note of report.notes ?? []) lines.push('', note);
  lines.push(
    '',
    `| ${header.map(escapeCell).join(' | ')} |`,
    `|${header.map((_, i) => (i < 2 + params.length ? '---' : '---:')).join('|')}|`,
    ...rows.map((row) => `| ${row.map(escapeCell).join(' | ')} |`),
    '',
    'Throughput: messages per second of what the run measures (acknowledged sends for producer runs). Latencies: milliseconds (send round trips for producer runs).',
    '',
  );
  return lines.join('\n');
}
