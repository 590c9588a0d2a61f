/**
 * `cometmq bench ... --peer redis|nats` at the command line: a short comparison runs CometMQ (an
 * embedded broker child) and then the peer (a redis-server / nats-server child), prints the ratio
 * line and writes both results; bad input and a peer that is not installed are one line, exit 2.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { ComparisonResult } from '../../src/bench/compare';
import { extractCompareArgs } from '../../src/bench/compare';
import { BenchUsageError } from '../../src/bench/bench-options';
import { runCometmqToEnd, type CliResult } from '../helpers/cometmq-cli';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir';

const DEADLINE_MS = 90_000;
const RATIO_LINE = /^CometMQ \/ (redis|nats): throughput \d+\.\d\dx, p50 latency \d+\.\d\dx, p99 latency \d+\.\d\dx/m;

let dir: string;

before(() => {
  dir = makeTempDir('bench-compare');
});

after(() => {
  removeTempDir(dir);
});

function cometmq(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<CliResult> {
  return runCometmqToEnd(args, DEADLINE_MS, env);
}

function readComparison(file: string): ComparisonResult {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as ComparisonResult;
}

test('bench producer --peer redis: CometMQ then redis, a ratio line, JSON with both results', async () => {
  const json = path.join(dir, 'redis.json');
  const run = await cometmq(['bench', 'producer', '--peer', 'redis', '--messages', '300', '--threads', '8', '--json', json]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, RATIO_LINE);
  assert.match(run.stdout, /appendfsync everysec/);
  const comparison = readComparison(json);
  assert.equal(comparison.kind, 'comparison');
  assert.deepEqual(comparison.results.map((r) => r.target), ['cometmq', 'redis']);
  for (const result of comparison.results) {
    assert.equal(result.sent, 300);
    assert.equal(result.sendFailures + result.responseFailures, 0);
  }
  assert.ok(Math.abs(comparison.ratios.throughput - comparison.results[0].throughput / comparison.results[1].throughput) < 1e-9);
});

test('bench e2e --peer nats --flush SYNC_FLUSH --out DIR: both runs receive everything; the report holds two cells', async () => {
  const json = path.join(dir, 'nats.json');
  const out = path.join(dir, 'nats-report');
  const run = await cometmq(['bench', 'e2e', '--peer', 'nats', '--flush', 'SYNC_FLUSH', '--messages', '200', '--rate', '2000', '--json', json, '--out', out]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, RATIO_LINE);
  assert.match(run.stdout, /SYNC_FLUSH/);
  const comparison = readComparison(json);
  assert.deepEqual(comparison.results.map((r) => [r.target, r.received]), [['cometmq', 200], ['nats', 200]]);
  const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as { cells: Array<{ label: string }> };
  assert.deepEqual(report.cells.map((c) => c.label), ['cometmq', 'nats']);
  assert.ok(fs.statSync(path.join(out, 'report.html')).size > 0);
});

test('bench producer --peer redis with redis-server not on PATH: one line, exit 2, nothing run', async () => {
  const env = { ...process.env, PATH: '/nonexistent' };
  const run = await cometmq(['bench', 'producer', '--peer', 'redis', '--messages', '10'], env);
  assert.equal(run.code, 2);
  assert.equal(run.stderr, 'cometmq bench: redis-server is not installed (apt-get install redis-server)\n');
  assert.equal(run.stdout, '');
});

test('bench --peer bad input: unknown peer, --peer-url without --peer, one-way against redis, store: one line, exit 2', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['bench', 'producer', '--peer', 'kafka'], /--peer must be redis or nats/],
    [['bench', 'producer', '--peer-url', 'redis://127.0.0.1:1'], /--peer-url applies to a peer comparison only/],
    [['bench', 'producer', '--peer', 'redis', '--mode', 'oneway'], /redis has no one-way sends/],
    [['bench', 'store', '--peer', 'nats'], /use it with bench producer, consumer or e2e/],
    [['bench', 'producer', '--peer', 'nats', '--peer-url', 'redis://127.0.0.1:1'], /--peer-url for nats must look like nats:\/\/host:port/],
  ];
  for (const [args, message] of cases) {
    const run = await cometmq(args);
    assert.equal(run.code, 2, args.join(' '));
    assert.equal(run.stderr.split('\n').length, 2, `one line for ${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, message);
  }
});

test('extractCompareArgs takes --peer, --peer-url and --out (both spellings) and leaves the rest', () => {
  const { compare, rest } = extractCompareArgs(['--size', '64', '--peer=nats', '--peer-url', 'nats://h:4222', '--out', 'r', '--json', 'f']);
  assert.deepEqual(compare, { peer: 'nats', peerUrl: 'nats://h:4222', out: 'r' });
  assert.deepEqual(rest, ['--size', '64', '--json', 'f']);
  assert.deepEqual(extractCompareArgs(['--size', '64']), { compare: undefined, rest: ['--size', '64'] });
  assert.throws(() => extractCompareArgs(['--peer']), BenchUsageError);
  assert.throws(() => extractCompareArgs(['--peer', 'redis', '--peer', 'nats']), BenchUsageError);
});
