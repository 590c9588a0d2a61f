/**
 * report.html: one self-contained page (inline CSS, inline script, data embedded; nothing fetched)
 * with three charts drawn as SVG at load time, a shared legend and the full table. The page sets
 * data-drawn on <body> once the charts are in, or data-error with the message if drawing failed.
 */
import { drawCharts, type ChartCell } from './charts';
import { machineLine } from './machine-info';
import { formatMillis, formatParam, formatRate, paramColumns, type ReportJson } from './report-model';

const CSS = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 24px auto; max-width: 1040px; color: #222; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.meta { color: #555; margin: 2px 0; }
.warn { color: #a33; font-weight: 600; }
svg text { font: 12px system-ui, sans-serif; fill: #333; }
svg text.tick { fill: #666; font-size: 11px; }
svg text.axis { fill: #444; font-size: 12px; }
svg line.grid { stroke: #e6e6e6; stroke-width: 1; }
svg .bar:hover, svg .point:hover { opacity: 0.75; }
svg .curve:hover { stroke-width: 4; }
ul.legend { list-style: none; padding: 0; columns: 2; font-size: 13px; }
ul.legend li { break-inside: avoid; margin: 2px 0; }
ul.legend svg { vertical-align: middle; }
table { border-collapse: collapse; font-size: 12.5px; width: 100%; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 3px 6px; text-align: left; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.scroll { overflow-x: auto; }
`;

const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** JSON that can sit inside a <script> element: no "</script>" or "<!--" can appear in it. */
const scriptSafeJson = (value: unknown): string =>
  JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

/** The per-cell figures the charts need, from the full results. */
export function chartCells(report: ReportJson): ChartCell[] {
  return report.cells.map((cell, i) => {
    const curve = cell.result.percentileCurve ?? [];
    // Accept fractions (0..1) as well as percents (0..100) for the percentile.
    const isFraction = curve.length > 0 && Math.max(...curve.map((p) => p.percentile)) <= 1;
    return {
      n: i + 1,
      label: cell.label,
      throughput: cell.result.throughput,
      p99Micros: cell.result.latency.p99,
      curve: curve.map((p): [number, number] => [isFraction ? p.percentile * 100 : p.percentile, p.micros]),
    };
  });
}

function renderTable(report: ReportJson): string {
  const params = paramColumns(report.cells);
  const head = ['#', 'cell', ...params].map((h) => `<th>${escapeHtml(h)}</th>`).join('') +
    ['msg/s', 'MB/s', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'p99.99 ms', 'max ms', 'failures'].map((h) => `<th class="num">${h}</th>`).join('');
  const rows = report.cells.map((cell, i) => {
    const r = cell.result;
    const l = r.latency;
    const nums = [formatRate(r.throughput), (r.bytesPerSecond / 1e6).toFixed(1), formatMillis(l.p50), formatMillis(l.p90), formatMillis(l.p99),
      formatMillis(l.p999), formatMillis(l.p9999), formatMillis(l.max), String(r.sendFailures + r.responseFailures)];
    return `<tr><td>${i + 1}</td><td>${escapeHtml(cell.label)}</td>${params.map((p) => `<td>${escapeHtml(formatParam(cell.params[p]))}</td>`).join('')}` +
      `${nums.map((v) => `<td class="num">${v}</td>`).join('')}</tr>`;
  });
  return `<div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table></div>`;
}

export function renderHtml(report: ReportJson): string {
  const notes = (report.notes ?? []).map((n) => `<p class="meta">${escapeHtml(n)}</p>`).join('\n');
  const interrupted = report.interrupted === true ? '<p class="warn">Interrupted: this report covers only the cells that finished.</p>' : '';
  const boot = `(function () {
  try {
    var cells = JSON.parse(document.getElementById('chart-data').textContent);
    (${drawCharts.toString()})(document, cells);
    document.body.setAttribute('data-drawn', String(cells.length));
  } catch (err) {
    document.body.setAttribute('data-error', String(err && err.message || err));
    var p = document.createElement('p');
    p.className = 'warn';
    p.textContent = 'The charts could not be drawn: ' + (err && err.message || err);
    document.body.insertBefore(p, document.body.firstChild);
  }
})();`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(report.title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${escapeHtml(report.title)}</h1>
<p class="meta">Machine: ${escapeHtml(machineLine(report.machine))}</p>
<p class="meta">Written ${escapeHtml(report.generatedAt)}; ${report.cells.length} cell(s).</p>
${interrupted}
${notes}
<h2>Legend</h2>
<ul class="legend" id="legend"></ul>
<h2>Throughput per cell</h2>
<div id="chart-throughput"></div>
<h2>Latency percentile curves</h2>
<div id="chart-latency"></div>
<h2>Throughput against p99 latency</h2>
<div id="chart-scatter"></div>
<h2>All figures</h2>
${renderTable(report)}
<p class="meta">Throughput: messages per second the run is about (acknowledged sends for producer runs). Latencies: milliseconds.
The complete results, including per-second samples, are in report.json.</p>
<script type="application/json" id="chart-data">${scriptSafeJson(chartCells(report))}</script>
<script type="application/json" id="report-data">${scriptSafeJson(report)}</script>
<script>
${boot}
</script>
</body>
</html>
`;
}
