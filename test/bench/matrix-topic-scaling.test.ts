/**
 * `cometmq bench topic-scaling` as a user runs it: one fresh broker per topic count, the producer
 * spread over that many topics (created in one list request), throughput reported against 64
 * topics; bad counts are one line and exit 2.
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
  root = makeTempDir('topic-scaling');
});

after(() => removeTempDir(root));

test('two topic counts, each on its own broker, reported against 64 topics', { timeout: 120_000 }, async () => {
  const out = path.join(root, 'report');
  const dataRoot = path.join(root, 'data');
  fs.mkdirSync(dataRoot);
  const run = await runCometmq(['bench', 'topic-scaling', '--topics', '64,300', '--duration', '1', '--warmup', '0', '--threads', '2', '--size', '128',
    '--out', out, '--data-root', dataRoot]).exited;
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /^\[1\/2\] 64 topics: [\d,]+ msg\/s/m);
  assert.match(run.stdout, /^\[2\/2\] 300 topics: [\d,]+ msg\/s/m);
  assert.match(run.stdout, /^ {4}64 topics: [\d,]+ msg\/s, the baseline$/m);
  assert.match(run.stdout, /^ {3}300 topics: [\d,]+ msg\/s, [+-]\d+\.\d% vs 64 topics$/m);
  const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as ReportJson;
  assert.deepEqual(report.cells.map((c) => c.params['topics']), [64, 300]);
  report.cells.forEach((cell) => {
    assert.equal(cell.result.options['topics'], cell.params['topics'], 'the producer spread its sends over the cell\'s topic count');
    assert.ok(cell.result.sent > 0);
  });
  const [base, wide] = report.cells.map((c) => c.result.throughput) as [number, number];
  const expected = `${((wide - base) / base * 100 >= 0 ? '+' : '')}${((wide - base) / base * 100).toFixed(1)}% vs 64 topics`;
  assert.ok(run.stdout.includes(expected), `the drop is computed from the two results (${expected})`);
  assert.ok(report.notes?.some((n) => n.includes('-16%')), 'the report quotes RocketMQ\'s published figure');
  assert.deepEqual(fs.readdirSync(dataRoot), []);
});

test('bad topic counts and options: one line, exit 2', async () => {
  for (const [args, expected] of [
    [['--topics', '1,,64'], /--topics must be a comma-separated list/],
    [['--topics', '0,64'], /--topics must be a comma-separated list of topic counts in \[1, 50000\]/],
    [['--topics', '64,64'], /--topics lists a count twice/],
    [['--rounds', '0'], /--rounds must be an integer/],
    [['--flush', 'NEVER'], /--flush must be ASYNC_FLUSH or SYNC_FLUSH/],
  ] as Array<[string[], RegExp]>) {
    const run = await runCometmq(['bench', 'topic-scaling', ...args, '--out', path.join(root, 'never')]).exited;
    assert.equal(run.code, 2, args.join(' '));
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.match(run.stderr, expected);
    assert.equal(fs.existsSync(path.join(root, 'never')), false);
  }
});
