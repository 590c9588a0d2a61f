/**
 * `node bin/cometmq.js ...` as a child, the way an operator runs it: either to the end (exit code and
 * output), or running (output collected, waits on its stdout with a deadline, exit awaited); and
 * the /proc look-ups the tests use to find the processes it starts.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const BIN = path.join(__dirname, '..', '..', '..', 'bin', 'cometmq.js');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `cometmq args` to completion; killed past `timeoutMs` (code -1 unless it had exited). */
export function runCometmqToEnd(args: readonly string[], timeoutMs: number, env: NodeJS.ProcessEnv = process.env): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: timeoutMs, env }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
    });
  });
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Running {
  child: ChildProcess;
  exited: Promise<Finished>;
  /** Resolves with the first stdout line matching `pattern` (seen or future); rejects past the deadline or on exit. */
  waitForLine(pattern: RegExp, deadlineMs: number): Promise<string>;
  /** Resolves once `isEnough(stdout so far)` holds; rejects past the deadline or on exit. */
  waitForStdout(what: string, isEnough: (stdout: string) => boolean, deadlineMs: number): Promise<void>;
}

export function runCometmq(args: readonly string[]): Running {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const listener of [...listeners]) listener();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  let hasExited = false;
  const exited = new Promise<Finished>((resolve) => {
    child.on('close', (code, signal) => {
      hasExited = true;
      for (const listener of [...listeners]) listener();
      resolve({ code, signal, stdout, stderr });
    });
  });
  const waitFor = <T>(what: string, found: () => T | undefined, deadlineMs: number): Promise<T> => new Promise((resolve, reject) => {
    const check = (): void => {
      const value = found();
      if (value !== undefined) {
        done();
        resolve(value);
      } else if (hasExited) {
        done();
        reject(new Error(`exited before ${what}:\n${stdout}\n${stderr}`));
      }
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`no ${what} within ${deadlineMs} ms:\n${stdout}\n${stderr}`));
    }, deadlineMs);
    const done = (): void => {
      clearTimeout(timer);
      listeners.delete(check);
    };
    listeners.add(check);
    check();
  });
  return {
    child,
    exited,
    waitForLine: (pattern, deadlineMs) => waitFor(`line matching ${pattern}`, () => stdout.split('\n').find((l) => pattern.test(l)), deadlineMs),
    waitForStdout: (what, isEnough, deadlineMs) => waitFor(what, () => (isEnough(stdout) ? true : undefined), deadlineMs).then(() => undefined),
  };
}

/** Pids whose parent is `pid` (from /proc). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
