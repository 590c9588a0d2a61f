/** `node bin/cometmq.js ...` as a child for the matrix tests: output collected, exit awaited, line waits with a deadline. */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

const BIN = path.join(__dirname, '..', '..', '..', 'bin', 'cometmq.js');

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
  const waitForLine = (pattern: RegExp, deadlineMs: number): Promise<string> => new Promise((resolve, reject) => {
    const check = (): void => {
      const line = stdout.split('\n').find((l) => pattern.test(l));
      if (line !== undefined) {
        done();
        resolve(line);
      } else if (hasExited) {
        done();
        reject(new Error(`exited before a line matching ${pattern}:\n${stdout}\n${stderr}`));
      }
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`no line matching ${pattern} within ${deadlineMs} ms:\n${stdout}\n${stderr}`));
    }, deadlineMs);
    const done = (): void => {
      clearTimeout(timer);
      listeners.delete(check);
    };
    listeners.add(check);
    check();
  });
  return { child, exited, waitForLine };
}
