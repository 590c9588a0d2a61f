/**
 * The `cometmq` command run as a child process, its output kept as lines, stopped by signal with a
 * deadline. The flush matrix and the topic-scaling run start every broker and every producer bench
 * this way, so a cell never shares a process (heap, JIT, page cache mappings) with another.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

/** bin/cometmq.js, from dist/src/bench/matrix. */
export const COMETMQ_BIN = path.resolve(__dirname, '..', '..', '..', '..', 'bin', 'cometmq.js');

const KEPT_LINES = 200;

/** Children still running: killed if this process exits without stopping them (an uncaught error). */
const live = new Set<ChildProcess>();
let isExitHookInstalled = false;

function killLiveChildren(): void {
  for (const proc of live) proc.kill('SIGKILL');
}

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class CometmqChild {
  readonly #proc: ChildProcess;
  readonly #lines: string[] = [];
  readonly #lineListeners = new Set<(line: string) => void>();
  readonly exited: Promise<ChildExit>;
  #exit: ChildExit | undefined;

  constructor(args: readonly string[]) {
    // Its own process group: a Ctrl-C in the terminal reaches only the runner, which decides how
    // each child stops (the running cell is discarded, never half-counted).
    this.#proc = spawn(process.execPath, [COMETMQ_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    live.add(this.#proc);
    if (!isExitHookInstalled) {
      isExitHookInstalled = true;
      process.on('exit', killLiveChildren);
    }
    for (const stream of [this.#proc.stdout, this.#proc.stderr]) {
      let pending = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        pending += chunk;
        const parts = pending.split('\n');
        pending = parts.pop() ?? '';
        for (const line of parts) this.#onLine(line);
      });
      stream?.on('end', () => {
        if (pending !== '') this.#onLine(pending);
        pending = '';
      });
    }
    this.exited = new Promise((resolve) => {
      this.#proc.on('error', (err) => {
        this.#onLine(`spawn failed: ${err.message}`);
      });
      this.#proc.on('close', (code, signal) => {
        live.delete(this.#proc);
        this.#exit = { code, signal };
        resolve(this.#exit);
      });
    });
  }

  /** Lines seen so far (the last KEPT_LINES) matching `pattern`. */
  linesMatching(pattern: RegExp): string[] {
    return this.#lines.filter((line) => pattern.test(line));
  }

  get hasExited(): boolean {
    return this.#exit !== undefined;
  }

  /** The last lines of output (stdout and stderr), for error messages. */
  tail(count = 5): string {
    return this.#lines.slice(-count).join(' | ');
  }

  /**
   * Resolves with the first line (seen or future) matching `pattern`; rejects when the child exits
   * first, when `deadlineMs` passes or when `signal` aborts.
   */
  waitForLine(pattern: RegExp, deadlineMs: number, signal?: AbortSignal): Promise<RegExpExecArray> {
    for (const line of this.#lines) {
      const match = pattern.exec(line);
      if (match !== null) return Promise.resolve(match);
    }
    return new Promise((resolve, reject) => {
      const finish = (fn: () => void): void => {
        clearTimeout(timer);
        this.#lineListeners.delete(onLine);
        signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const onLine = (line: string): void => {
        const match = pattern.exec(line);
        if (match !== null) finish(() => resolve(match));
      };
      const onAbort = (): void => finish(() => reject(new Error('interrupted')));
      const timer = setTimeout(() => finish(() => reject(new Error(`no line matching ${pattern} within ${deadlineMs} ms (${this.tail()})`))), deadlineMs);
      this.#lineListeners.add(onLine);
      signal?.addEventListener('abort', onAbort, { once: true });
      void this.exited.then((exit) => finish(() => reject(new Error(`exited (${describeExit(exit)}) before printing ${pattern}: ${this.tail()}`))));
    });
  }

  /** Sends `signal`, then SIGKILL if the child is still running after `graceMs`; resolves on exit. */
  async stop(signal: NodeJS.Signals, graceMs: number): Promise<ChildExit> {
    if (this.#exit !== undefined) return this.#exit;
    this.#proc.kill(signal);
    const timer = setTimeout(() => this.#proc.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  #onLine(line: string): void {
    this.#lines.push(line);
    if (this.#lines.length > KEPT_LINES) this.#lines.shift();
    for (const listener of [...this.#lineListeners]) listener(line);
  }
}

export function describeExit(exit: ChildExit): string {
  return exit.signal !== null ? `signal ${exit.signal}` : `code ${exit.code}`;
}
