/**
 * `cometmq bench` at the command line: bad input is one line on stderr and exit code 2 before
 * anything starts; the default (embedded broker child) run stores what it reports; Ctrl-C
 * mid-run still writes the report (interrupted: true) and leaves no broker process behind.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { BenchResult } from '../../src/bench/bench-result';
import { NativeMessageStore } from '../../src/store';
import { childPids, isAlive, runCometmq, runCometmqToEnd, type CliResult } from '../helpers/cometmq-cli';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir';

const DEADLINE_MS = 60_000;
const SEGMENT = 1024 * 1024;

let dir: string;

before(() => {
  dir = makeTempDir('bench-cli');
});

after(() => {
  removeTempDir(dir);
});

function cometmq(args: readonly string[]): Promise<CliResult> {
  return runCometmqToEnd(args, DEADLINE_MS);
}

/** A port nothing listens on: bound once to learn a free one, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('bad input: one line on stderr, nothing on stdout, exit code 2', async () => {
  const port = await closedPort();
  const cases: Array<[string[], RegExp]> = [
    [['bench', 'producer', '--bogus'], /bogus/],
    [['bench', 'producer', '--messages', '10', '--duration', '1'], /either --messages or --duration/],
    [['bench', 'producer', '--mode', 'fast'], /--mode must be sync or async or oneway/],
    [['bench', 'producer', '--size', '0'], /--size must be an integer/],
    [['bench', 'e2e', '--size', '8'], /--size must be an integer from 16/],
    [['bench', 'producer', '--flush', 'SOMETIMES'], /--flush must be ASYNC_FLUSH or SYNC_FLUSH/],
    [['bench', 'producer', '--set', 'flushDiskType'], /--set takes key=value/],
    [['bench', 'producer', '--namesrv', 'nowhere'], /--namesrv must be host:port/],
    [['bench', 'producer', '--namesrv', `127.0.0.1:${port}`, '--set', 'a=b'], /--set configures the embedded broker/],
    [['bench', 'producer', '--namesrv', `127.0.0.1:${port}`, '--messages', '10'], new RegExp(`name server 127\\.0\\.0\\.1:${port} is unreachable`)],
    [['bench', 'producer', '--json', path.join(dir, 'no', 'such', 'dir', 'out.json'), '--messages', '10'], /--json .* does not exist or is not writable/],
    [['bench', 'producer', '--target', 'kafka'], /unknown --target 'kafka'/],
    [['bench', 'store', '--mode', 'oneway'], /no one-way sends/],
    [['bench', 'store', '--set', 'noSuchSetting=1', '--messages', '10'], /noSuchSetting/],
    [['bench', 'producer', '--live'], /--live applies to bench consumer only/],
    [['bench', 'flood'], /unknown bench 'flood'/],
    [['bench', 'producer', '--duration', '-1'], /--duration needs a value/],
    [['bench', 'producer', '--duration=-1'], /--duration must be a number of seconds above 0/],
    [['bench', 'consumer', '--topics', '100'], /--topics is at most 64 for consumer/],
  ];
  for (const [args, expected] of cases) {
    const out = await cometmq(args);
    assert.equal(out.code, 2, `exit code of cometmq ${args.join(' ')}: ${out.stderr}`);
    assert.equal(out.stdout, '', `nothing on stdout for ${args.join(' ')}`);
    const lines = out.stderr.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 1, `one line for ${args.join(' ')}, got:\n${out.stderr}`);
    assert.match(lines[0]!, /^cometmq bench: /);
    assert.match(lines[0]!, expected);
  }
});

test('bench help prints the options and exits 0', async () => {
  const out = await cometmq(['bench', 'help']);
  assert.equal(out.code, 0);
  for (const option of ['--size', '--threads', '--batch', '--topics', '--queues', '--messages', '--duration', '--rate', '--flush', '--mode', '--namesrv', '--json', '--data-dir', '--set', '--warmup']) {
    assert.ok(out.stdout.includes(option), `help mentions ${option}`);
  }
});

test('the default run starts an embedded broker child: its store holds every acknowledged message', async () => {
  const dataDir = path.join(dir, 'embedded');
  const json = path.join(dir, 'embedded.json');
  const out = await cometmq([
    'bench', 'producer', '--messages', '2000', '--topic', 'CliEmbedded', '--queues', '4', '--data-dir', dataDir, '--json', json,
    '--set', `mappedFileSizeCommitLog=${SEGMENT}`, '--flush', 'SYNC_FLUSH',
  ]);
  assert.equal(out.code, 0, out.stderr);
  const result = JSON.parse(fs.readFileSync(json, 'utf8')) as BenchResult;
  assert.equal(result.sent, 2000);
  assert.match(result.targetDescription, /embedded broker \(child process, SYNC_FLUSH mappedFileSizeCommitLog=1048576\)/);
  assert.equal(result.options['flush'], 'SYNC_FLUSH');
  // The broker has stopped (cleanly): its store, reopened here, holds the run's messages.
  const store = new NativeMessageStore({ storePathRootDir: path.join(dataDir, 'store'), mappedFileSizeCommitLog: SEGMENT });
  const recovery = await store.start();
  try {
    assert.equal(recovery.lastExitOK, true, 'the embedded broker was shut down cleanly');
    let stored = 0;
    for (let q = 0; q < 4; q++) stored += store.getMaxOffsetInQueue('CliEmbedded', q) - store.getMinOffsetInQueue('CliEmbedded', q);
    assert.equal(stored, 2000);
  } finally {
    await store.shutdown();
  }
});

test('Ctrl-C mid-run: the report is written with interrupted: true and no broker process is left', async () => {
  const json = path.join(dir, 'interrupted.json');
  const run = runCometmq(['bench', 'producer', '--duration', '120', '--threads', '8', '--topic', 'CliSigint', '--json', json]);
  try {
    // Interrupt once the second per-second line shows the run is under way.
    await run.waitForStdout('two per-second lines', (stdout) => (stdout.match(/Send TPS:/g) ?? []).length >= 2, DEADLINE_MS);
    const brokers = childPids(run.child.pid!);
    assert.equal(brokers.length, 1, 'one embedded broker child while running');
    run.child.kill('SIGINT');
    const finished = await run.exited;
    assert.equal(finished.code, 130, finished.stderr);
    const result = JSON.parse(fs.readFileSync(json, 'utf8')) as BenchResult;
    assert.equal(result.interrupted, true);
    assert.ok(result.sent > 0, 'what was measured before Ctrl-C is reported');
    assert.ok(result.durationSeconds < 120);
    assert.match(finished.stdout, /\[Complete, interrupted\] Send Total: /);
    assert.equal(isAlive(brokers[0]!), false, 'the embedded broker was stopped');
  } finally {
    if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
    await run.exited;
  }
});
