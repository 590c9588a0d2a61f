/**
 * The flush matrix's failure paths as a user meets them: impossible grids are one line and exit 2
 * before anything runs; Ctrl-C (SIGINT) in the middle stops the running cell, leaves no broker or
 * producer process and no data directory behind, and writes the report of the finished cells.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { ReportJson } from '../../src/bench/report';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir';
import { runCometmq } from '../helpers/cometmq-cli';

let root: string;

before(() => {
  root = makeTempDir('flush-matrix-errors');
});

after(() => removeTempDir(root));

/** Processes (other than this one) whose command line mentions `text`. */
function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

const BAD_GRIDS: Array<[string, string, RegExp]> = [
  ['unknown key', '{"flushDiskType":["ASYNC_FLUSH"],"flushSpeed":[1]}', /unknown key 'flushSpeed'/],
  ['empty dimension', '{"threads":[]}', /threads must be a non-empty array/],
  ['interval the broker refuses', '{"flushIntervalCommitLog":[500,0]}', /flushIntervalCommitLog value 0 is refused by the broker: .*must be an integer/],
  ['unknown flush type', '{"flushDiskType":["ASYNC_FLUSH","FAST_FLUSH"]}', /flushDiskType value "FAST_FLUSH" is refused by the broker/],
  ['pool flag that is not a boolean', '{"transientStorePoolEnable":["yes"]}', /transientStorePoolEnable value "yes" is refused by the broker: .*true or false/],
  ['negative least pages', '{"flushCommitLogLeastPages":[-1]}', /flushCommitLogLeastPages value -1 is refused by the broker/],
  ['batch over maxMessageSize', '{"messageSize":[65536],"batchSize":[128]}', /messageSize x batchSize reaches 8388608 bytes, over the broker's maxMessageSize 4194304/],
  ['more than 500 cells', JSON.stringify({
    flushIntervalCommitLog: [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000],
    flushCommitLogLeastPages: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    messageSize: [64, 128, 256, 512, 1024, 2048],
  }), /600 cells, more than 500/],
  ['not JSON', '{"threads":[1,]', /not valid JSON/],
];

test('impossible grids and options: one line on stderr, exit 2, nothing started or written', { timeout: 60_000 }, async () => {
  const cases: Array<[string, string[], RegExp]> = BAD_GRIDS.map(([name, text, expected], i) => {
    const file = path.join(root, `grid-${i}.json`);
    fs.writeFileSync(file, text);
    return [name, ['--grid', file], expected];
  });
  cases.push(['missing grid file', ['--grid', path.join(root, 'absent.json')], /absent\.json: cannot read it \(ENOENT\)/]);
  cases.push(['zero duration', ['--grid', 'quick', '--duration', '0'], /--duration must be a number of seconds/]);
  cases.push(['unknown option', ['--grid', 'quick', '--cells', '3'], /Unknown option '--cells'/]);
  cases.push(['bad mode', ['--grid', 'quick', '--mode', 'oneway'], /--mode must be sync or async/]);
  const dataRoot = path.join(root, 'data-bad');
  fs.mkdirSync(dataRoot);
  for (const [name, args, expected] of cases) {
    const out = path.join(root, `out-${name.replace(/\W+/g, '-')}`);
    const result = await runCometmq(['bench', 'flush-matrix', ...args, '--out', out, '--data-root', dataRoot]).exited;
    assert.equal(result.code, 2, `${name}: exit code (stderr: ${result.stderr})`);
    const lines = result.stderr.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 1, `${name}: one line, got:\n${result.stderr}`);
    assert.match(lines[0]!, /^cometmq bench: /, name);
    assert.match(lines[0]!, expected, name);
    assert.equal(result.stdout, '', `${name}: nothing on stdout`);
    assert.equal(fs.existsSync(out), false, `${name}: no report directory`);
  }
  assert.deepEqual(fs.readdirSync(dataRoot), [], 'no broker was started');
});

test('SIGINT mid-matrix stops the running cell, leaves no process or data behind, and reports the finished cells', { timeout: 120_000 }, async () => {
  const grid = path.join(root, 'three-cells.json');
  fs.writeFileSync(grid, JSON.stringify({ flushDiskType: ['ASYNC_FLUSH', 'SYNC_FLUSH'], transientStorePoolEnable: [false, true], messageSize: [128], threads: [2], durationSeconds: 2 }));
  const out = path.join(root, 'interrupted');
  const dataRoot = path.join(root, 'data-interrupted');
  fs.mkdirSync(dataRoot);
  const running = runCometmq(['bench', 'flush-matrix', '--grid', grid, '--out', out, '--data-root', dataRoot]);
  await running.waitForLine(/^\[1\/3\] /, 90_000);
  running.child.kill('SIGINT');
  const result = await running.exited;
  assert.equal(result.code, 130, `exit code after SIGINT (stderr: ${result.stderr})`);
  const progress = result.stdout.split('\n').filter((l) => /^\[\d\/3\] .*msg\/s/.test(l));
  assert.ok(progress.length >= 1 && progress.length < 3, `the matrix stopped early:\n${result.stdout}`);
  assert.match(result.stdout, /\n\d cell\(s\) finished, interrupted in \d+ s; report: /);
  const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as ReportJson;
  assert.equal(report.interrupted, true);
  assert.equal(report.cells.length, progress.length, 'the report holds exactly the finished cells');
  assert.ok(report.cells.every((c) => c.result.sent > 0));
  assert.match(fs.readFileSync(path.join(out, 'report.md'), 'utf8'), /interrupted/);
  assert.ok(fs.existsSync(path.join(out, 'report.html')));
  assert.deepEqual(fs.readdirSync(dataRoot), [], 'the running cell\'s data directory is removed');
  assert.deepEqual(processesMentioning(root), [], 'no broker or producer child outlives the matrix');
});
