/**
 * `cometmq bench` when the broker goes away mid-run: sends that get no answer count as Send Failed
 * (not Response Failed), the run still ends on time with a report, and the broker's death is said
 * once on stderr.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { BenchResult } from '../../src/bench/bench-result';
import { childPids, runCometmq } from '../helpers/cometmq-cli';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir';

const DEADLINE_MS = 60_000;

test('the embedded broker killed mid-run: unanswered sends are Send Failed, the report is still written', async () => {
  const dir = makeTempDir('bench-failures');
  const json = path.join(dir, 'result.json');
  const run = runCometmq(['bench', 'producer', '--duration', '4', '--threads', '4', '--topic', 'FailTopic', '--json', json]);
  try {
    await run.waitForLine(/Send TPS:/, DEADLINE_MS);
    const [broker] = childPids(run.child.pid!);
    assert.ok(broker !== undefined, 'the embedded broker runs as a child');
    process.kill(broker, 'SIGKILL');
    const { code, stdout, stderr } = await run.exited;
    assert.equal(code, 0, stderr);
    const result = JSON.parse(fs.readFileSync(json, 'utf8')) as BenchResult;
    assert.ok(result.sent > 0, 'sends before the kill were acknowledged');
    assert.ok(result.sendFailures > 0, 'sends after the kill failed');
    assert.equal(result.responseFailures, 0, 'no broker answered them: they are not response failures');
    assert.equal(result.interrupted, undefined);
    assert.match(stdout, /Send Failed: [1-9]/);
    const notices = stderr.split('\n').filter((l) => l.includes('the embedded broker exited during the run'));
    assert.equal(notices.length, 1, stderr);
  } finally {
    if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
    await run.exited;
    removeTempDir(dir);
  }
});
