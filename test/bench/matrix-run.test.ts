/**
 * `cometmq bench flush-matrix --grid quick` end to end as a user runs it: a real process that starts
 * a real broker child and a `bench producer` child per cell. The three report files must carry the
 * figures of the cells' own BenchResult files, the HTML page rendered by headless Chromium must have
 * its charts drawn (one bar, one curve, one point per cell), and no broker data directory is left.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { BenchResult } from '../../src/bench/bench-result';
import { expandGrid, QUICK_GRID } from '../../src/bench/matrix';
import { formatMillis, formatRate, type ReportJson } from '../../src/bench/report';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir';
import { bodyAttribute, drawnCells, renderedDom } from './report-chromium';
import { runCometmq, type Finished } from '../helpers/cometmq-cli';

const CELLS = expandGrid(QUICK_GRID.grid);
let root: string;
let outDir: string;
let dataRoot: string;
let run: Finished;

before(async () => {
  root = makeTempDir('flush-matrix');
  outDir = path.join(root, 'report');
  dataRoot = path.join(root, 'data');
  fs.mkdirSync(dataRoot);
  run = await runCometmq(['bench', 'flush-matrix', '--grid', 'quick', '--out', outDir, '--data-root', dataRoot]).exited;
});

after(() => removeTempDir(root));

test('the quick grid runs every cell and prints one progress line per cell', { timeout: 120_000 }, () => {
  assert.equal(run.code, 0, `exit code; output:\n${run.stdout}\n${run.stderr}`);
  const progress = run.stdout.split('\n').filter((line) => /^\[\d+\/\d+\] /.test(line));
  assert.deepEqual(progress.map((line) => /^\[(\d+)\/(\d+)\]/.exec(line)?.slice(1, 3).join('/')), CELLS.map((_, i) => `${i + 1}/${CELLS.length}`));
  progress.forEach((line, i) => {
    assert.ok(line.startsWith(`[${i + 1}/${CELLS.length}] ${CELLS[i]!.label}: `), line);
    assert.match(line, /: [\d,]+ msg\/s, p50 [\d.]+ ms, p99 [\d.]+ ms/);
  });
  assert.deepEqual(fs.readdirSync(dataRoot), [], 'every cell removed its broker data directory');
});

test('report.json and report.md carry the figures of each cell\'s BenchResult', () => {
  const report = JSON.parse(fs.readFileSync(path.join(outDir, 'report.json'), 'utf8')) as ReportJson;
  assert.equal(report.cells.length, CELLS.length);
  assert.equal(report.interrupted, false);
  assert.equal(typeof report.machine.cores, 'number');
  assert.ok(report.machine.filesystem.length > 0);
  const markdown = fs.readFileSync(path.join(outDir, 'report.md'), 'utf8');
  const rows = markdown.split('\n').filter((line) => /^\| \d+ \|/.test(line));
  assert.equal(rows.length, CELLS.length);
  report.cells.forEach((cell, i) => {
    const raw = JSON.parse(fs.readFileSync(path.join(outDir, 'cells', `${String(i + 1).padStart(3, '0')}.json`), 'utf8')) as BenchResult;
    assert.deepEqual(cell.result, raw, `cell ${i + 1}: report.json holds the run's own result`);
    assert.equal(cell.label, CELLS[i]!.label);
    assert.deepEqual(cell.params, CELLS[i]!.params);
    assert.equal(raw.kind, 'producer');
    assert.ok(raw.sent > 0 && raw.throughput > 0, `cell ${i + 1} sent messages`);
    assert.equal(raw.options['size'], 128);
    const cols = rows[i]!.split('|').map((c) => c.trim());
    for (const figure of [formatRate(raw.throughput), formatMillis(raw.latency.p50), formatMillis(raw.latency.p99), formatMillis(raw.latency.p999), formatMillis(raw.latency.max)]) {
      assert.ok(cols.includes(figure), `row ${i + 1} shows ${figure}: ${rows[i]}`);
    }
  });
});

test('report.html, rendered by headless Chromium, has one bar, one curve and one point per cell', { timeout: 60_000 }, () => {
  const html = fs.readFileSync(path.join(outDir, 'report.html'), 'utf8');
  assert.doesNotMatch(html, /<(script|link|img)\b[^>]*\b(src|href)=/i, 'the page loads nothing from anywhere');
  const dom = renderedDom(path.join(outDir, 'report.html'));
  assert.equal(bodyAttribute(dom, 'data-error'), undefined, 'the chart script did not fail');
  assert.equal(bodyAttribute(dom, 'data-drawn'), String(CELLS.length));
  const numbers = CELLS.map((_, i) => i + 1);
  assert.deepEqual(drawnCells(dom, 'rect', 'bar'), numbers);
  assert.deepEqual(drawnCells(dom, 'path', 'curve'), numbers);
  assert.deepEqual(drawnCells(dom, 'circle', 'point'), numbers);
  for (const cell of CELLS) assert.ok(dom.includes(`#${CELLS.indexOf(cell) + 1} ${cell.label}`), `legend names ${cell.label}`);
  // Every curve has a drawn line (an M and at least one L), not an empty path.
  for (const d of dom.match(/<path\b[^>]*class="curve"[^>]*>/g) ?? []) assert.match(d, /d="M[\d.]+,[\d.]+ L/);
});
