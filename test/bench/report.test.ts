/**
 * writeReport as the peer comparison uses it (cells with different parameter sets), on the results
 * of two real one-second `cometmq bench producer` runs against an embedded broker: every figure in
 * report.json, a table row per cell in report.md, and a report.html that headless Chromium draws,
 * with labels shown as text (never as markup) and an empty report drawn without errors.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { BenchResult } from '../../src/bench/bench-result';
import { readBenchResult } from '../../src/bench/matrix';
import { describeMachine, formatMillis, formatRate, writeReport, type ReportCell, type ReportJson } from '../../src/bench/report';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir';
import { runCometmq } from '../helpers/cometmq-cli';
import { bodyAttribute, drawnCells, renderedDom } from './report-chromium';

const HOSTILE_LABEL = 'peer <img src=x onerror="document.body.setAttribute(\'data-injected\',\'1\')"> | "quoted" & </script>';
let root: string;
let results: BenchResult[];

async function producerRun(size: number): Promise<BenchResult> {
  const json = path.join(root, `run-${size}.json`);
  const run = await runCometmq(['bench', 'producer', '--duration', '1', '--size', String(size), '--threads', '4', '--json', json]).exited;
  assert.equal(run.code, 0, `bench producer: ${run.stderr}`);
  return readBenchResult(json);
}

before(async () => {
  root = makeTempDir('report');
  results = [await producerRun(128), await producerRun(1024)];
});

after(() => removeTempDir(root));

function cells(): ReportCell[] {
  return [
    { label: 'CometMQ ASYNC_FLUSH', params: { target: 'cometmq', flushDiskType: 'ASYNC_FLUSH', messageSize: 128 }, result: results[0]! },
    { label: HOSTILE_LABEL, params: { target: 'redis', appendfsync: 'everysec', messageSize: 1024 }, result: results[1]! },
  ];
}

test('report.json holds every figure and report.md a row per cell with the union of the parameters', () => {
  const dir = path.join(root, 'two');
  const machine = describeMachine(root);
  const files = writeReport(dir, { title: 'CometMQ vs peer', machine, cells: cells(), notes: ['Same workload, matched durability.'] });
  const report = JSON.parse(fs.readFileSync(files.json, 'utf8')) as ReportJson;
  assert.deepEqual(report.cells, cells());
  assert.deepEqual(report.machine, machine);
  assert.deepEqual(report.notes, ['Same workload, matched durability.']);
  assert.ok(!Number.isNaN(Date.parse(report.generatedAt)));

  const markdown = fs.readFileSync(files.markdown, 'utf8');
  assert.match(markdown, /^# CometMQ vs peer$/m);
  assert.ok(markdown.includes(`${machine.cores} x ${machine.cpu}`) && markdown.includes(machine.node) && markdown.includes(machine.filesystem));
  // The cpuidle driver (with haltpoll's poll limit), or 'unknown' where /sys does not tell.
  assert.match(machine.cpuIdle, /^(unknown|[\w-]+( \(guest_halt_poll_ns=\d+\))?)$/);
  assert.ok(markdown.includes(`CPU idle ${machine.cpuIdle}`));
  const header = markdown.split('\n').find((l) => l.startsWith('| # |'))!;
  assert.deepEqual(header.split('|').map((c) => c.trim()).filter((c) => c !== '').slice(0, 7),
    ['#', 'cell', 'target', 'flushDiskType', 'messageSize', 'appendfsync', 'msg/s']);
  const rows = markdown.split('\n').filter((l) => /^\| \d+ \|/.test(l));
  assert.equal(rows.length, 2);
  assert.ok(rows[1]!.includes('\\|'), 'a | in a label is escaped, so the row keeps its columns');
  const split = (row: string): string[] => row.split(/(?<!\\)\|/).map((c) => c.trim());
  const fsyncColumn = split(header).indexOf('appendfsync');
  cells().forEach((cell, i) => {
    const cols = split(rows[i]!);
    assert.equal(cols.length, split(header).length, `row ${i + 1} has every column`);
    assert.equal(cols[fsyncColumn], cell.params['appendfsync'] === undefined ? '-' : String(cell.params['appendfsync']));
    for (const figure of [formatRate(cell.result.throughput), formatMillis(cell.result.latency.p50), formatMillis(cell.result.latency.p99),
      formatMillis(cell.result.latency.p999), formatMillis(cell.result.latency.max)]) {
      assert.ok(cols.includes(figure), `row ${i + 1} shows ${figure}: ${rows[i]}`);
    }
  });
});

test('report.html draws a bar, a full percentile curve and a point per cell; labels stay text', { timeout: 60_000 }, () => {
  const dir = path.join(root, 'html');
  const files = writeReport(dir, { title: 'CometMQ vs peer', machine: describeMachine(root), cells: cells() });
  const dom = renderedDom(files.html);
  assert.equal(bodyAttribute(dom, 'data-error'), undefined);
  assert.equal(bodyAttribute(dom, 'data-drawn'), '2');
  assert.equal(bodyAttribute(dom, 'data-injected'), undefined, 'a label is never markup');
  assert.deepEqual(drawnCells(dom, 'rect', 'bar'), [1, 2]);
  assert.deepEqual(drawnCells(dom, 'circle', 'point'), [1, 2]);
  const curves = dom.match(/<path\b[^>]*class="curve"[^>]*>/g) ?? [];
  assert.equal(curves.length, 2);
  cells().forEach((cell, i) => {
    const plotted = cell.result.percentileCurve.filter((p) => p.percentile < 100 && p.micros > 0).length;
    const segments = /\bd="([^"]*)"/.exec(curves[i]!)![1]!.split(' ').length;
    assert.equal(segments, plotted, `curve ${i + 1} has a vertex per percentile point`);
  });
  // Bar lengths follow the throughputs.
  const widths = (dom.match(/<rect\b[^>]*class="bar"[^>]*>/g) ?? []).map((r) => Number(/\bwidth="([\d.]+)"/.exec(r)![1]));
  const [a, b] = cells().map((c) => c.result.throughput) as [number, number];
  assert.equal(Math.sign(widths[0]! - widths[1]!), Math.sign(a - b));
});

test('a report with no finished cell (interrupted at once) still renders, with nothing drawn and no error', { timeout: 60_000 }, () => {
  const files = writeReport(path.join(root, 'empty'), { title: 'nothing finished', machine: describeMachine(root), cells: [], interrupted: true });
  const dom = renderedDom(files.html);
  assert.equal(bodyAttribute(dom, 'data-error'), undefined);
  assert.equal(bodyAttribute(dom, 'data-drawn'), '0');
  assert.deepEqual(drawnCells(dom, 'rect', 'bar'), []);
  assert.match(fs.readFileSync(files.markdown, 'utf8'), /interrupted/);
});
