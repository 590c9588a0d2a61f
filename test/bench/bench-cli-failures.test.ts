/**
 * `cometmq bench` when the broker goes away mid-run: sends that get no answer count as Send Failed
 * (not Response Failed), the run still ends on time with a report, and the broker's death is said
 * once on stderr.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { BenchResult } from '../../src/bench/bench-result';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir';

const BIN = path.join(__dirname, '..', '..', '..', 'bin', 'cometmq.js');
const DEADLINE_MS = 60_000;

function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

test('the embedded broker killed mid-run: unanswered sends are Send Failed, the report is still written', async () => {
  const dir = makeTempDir('bench-failures');
  const json = path.join(dir, 'result.json');
  const child = spawn(process.execPath, [BIN, 'bench', 'producer', '--duration', '4', '--threads', '4', '--topic', 'FailTopic', '--json', json], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no per-second line within ${DEADLINE_MS} ms:\n${stdout}\n${stderr}`)), DEADLINE_MS);
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.includes('Send TPS:')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const [broker] = childPids(child.pid!);
    assert.ok(broker !== undefined, 'the embedded broker runs as a child');
    process.kill(broker, 'SIGKILL');
    assert.equal(await exited, 0, stderr);
    const result = JSON.parse(fs.readFileSync(json, 'utf8')) as BenchResult;
    assert.ok(result.sent > 0, 'sends before the kill were acknowledged');
    assert.ok(result.sendFailures > 0, 'sends after the kill failed');
    assert.equal(result.responseFailures, 0, 'no broker answered them: they are not response failures');
    assert.equal(result.interrupted, undefined);
    assert.match(stdout, /Send Failed: [1-9]/);
    const notices = stderr.split('\n').filter((l) => l.includes('the embedded broker exited during the run'));
    assert.equal(notices.length, 1, stderr);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    removeTempDir(dir);
  }
});
