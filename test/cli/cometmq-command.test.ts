/**
 * The `cometmq` command as a user runs it: a real process, real ports on 127.0.0.1, signals.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { test } from 'node:test';
import { createRequest, RequestCode, ResponseCode } from '../../src/protocol';
import { RemotingClient } from '../../src/remoting';
import { withTempDir } from '../helpers/temp-dir';

const BIN = path.join(__dirname, '..', '..', '..', 'bin', 'cometmq.js');
const DEADLINE_MS = 20_000;

interface Running {
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: string[];
  readonly exited: Promise<number | null>;
}

function runCometmq(args: readonly string[]): Running {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const collect = (chunk: Buffer): void => {
    lines.push(...chunk.toString('utf8').split('\n').filter((l) => l.length > 0));
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, lines, exited };
}

async function waitForLine(run: Running, pattern: RegExp): Promise<RegExpMatchArray> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    for (const line of run.lines) {
      const match = pattern.exec(line);
      if (match) return match;
    }
    if (Date.now() > deadline) throw new Error(`no line matching ${pattern} within ${DEADLINE_MS} ms; output:\n${run.lines.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function oneLineFailure(args: readonly string[]): Promise<string> {
  const run = runCometmq(args);
  const code = await run.exited;
  assert.equal(code, 1, `exit code of cometmq ${args.join(' ')}`);
  assert.equal(run.lines.length, 1, `one line of output, got:\n${run.lines.join('\n')}`);
  return run.lines[0]!;
}

test('cometmq start runs a name server and a broker that registers with it, and stops cleanly on SIGTERM', { timeout: 60_000 }, () =>
  withTempDir('cli-start', async (dir) => {
    const run = runCometmq(['start', '--data-dir', dir, '--namesrv-port', '0', '--broker-port', '0']);
    const client = new RemotingClient();
    try {
      const namesrvPort = (await waitForLine(run, /name server listening on port (\d+)/))[1];
      const brokerPort = (await waitForLine(run, /broker broker-a .* listening on port (\d+)/))[1];
      await waitForLine(run, / ready$/);
      const info = await client.invokeSync(`127.0.0.1:${namesrvPort}`, createRequest(RequestCode.GET_BROKER_CLUSTER_INFO, {}), 5_000);
      assert.equal(info.code, ResponseCode.SUCCESS);
      assert.match(info.body?.toString() ?? '', new RegExp(`127\\.0\\.0\\.1:${brokerPort}`));
      assert.ok(fs.existsSync(path.join(dir, 'store', 'abort')), 'the store is open while running');
    } finally {
      await client.shutdown();
      run.child.kill('SIGTERM');
    }
    assert.equal(await run.exited, 0);
    assert.equal(fs.existsSync(path.join(dir, 'store', 'abort')), false, 'a clean shutdown removes the abort marker');
  }),
);

test('cometmq: unknown options, commands and unreadable configs give one line and exit 1', async () => {
  assert.match(await oneLineFailure(['start', '--bogus']), /^cometmq: .*--bogus/);
  assert.match(await oneLineFailure(['frobnicate']), /^cometmq: unknown command 'frobnicate'/);
  assert.match(await oneLineFailure(['broker', '-c', '/nonexistent/broker.conf']), /^cometmq: .*\/nonexistent\/broker\.conf/);
  assert.match(await oneLineFailure(['start', '--namesrv-port', '70000']), /^cometmq: --namesrv-port must be a port number/);
  assert.match(await oneLineFailure(['start', '--set', 'noEquals']), /^cometmq: --set takes key=value/);
  assert.match(await oneLineFailure(['start', '--set', 'maxTransferCountOnMessageInMemory=-3', '--namesrv-port', '0', '--broker-port', '0', '--data-dir', '/tmp/cometmq-set-test']),
    /^cometmq: .*maxTransferCountOnMessageInMemory/);
});

test('cometmq start on a port in use fails with one line and exit 1', { timeout: 30_000 }, () =>
  withTempDir('cli-port', async (dir) => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '0.0.0.0', resolve));
    const taken = (blocker.address() as net.AddressInfo).port;
    try {
      const line = await oneLineFailure(['start', '--data-dir', dir, '--namesrv-port', String(taken), '--broker-port', '0']);
      assert.match(line, new RegExp(`^cometmq: .*EADDRINUSE.*${taken}`));
    } finally {
      blocker.close();
    }
  }),
);
