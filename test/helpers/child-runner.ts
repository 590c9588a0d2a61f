/**
 * Parent side of the line protocol: spawns a compiled helper from dist/test/helpers/children with
 * process.execPath, collects its JSON stdout lines, and lets tests wait on conditions (never sleeps).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { ProtocolMessage } from './line-protocol';

export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

interface Waiter {
  readonly predicate: (message: ProtocolMessage) => boolean;
  readonly resolve: (message: ProtocolMessage) => void;
  readonly reject: (error: Error) => void;
  readonly what: string;
  readonly timer: NodeJS.Timeout;
}

export class HelperChild {
  readonly messages: ProtocolMessage[] = [];
  /** Complete stdout lines that were not protocol JSON (a test usually asserts there are none). */
  readonly strayLines: string[] = [];
  readonly exited: Promise<ChildExit>;
  private stderrText = '';
  private pending = '';
  private waiters: Waiter[] = [];
  private exitInfo: ChildExit | undefined;
  private readonly onMessageListeners: Array<(message: ProtocolMessage) => void> = [];

  private constructor(private readonly proc: ChildProcess, readonly name: string) {
    proc.stdout!.setEncoding('utf8');
    proc.stdout!.on('data', (chunk: string) => this.onStdout(chunk));
    proc.stderr!.setEncoding('utf8');
    proc.stderr!.on('data', (chunk: string) => {
      this.stderrText += chunk;
    });
    this.exited = new Promise<ChildExit>((resolve) => {
      proc.on('close', (code, signal) => {
        this.exitInfo = { code, signal };
        for (const waiter of this.waiters.splice(0)) {
          clearTimeout(waiter.timer);
          waiter.reject(new Error(`${name} exited (${this.describeExit()}) before ${waiter.what}${this.stderrSuffix()}`));
        }
        resolve(this.exitInfo);
      });
    });
  }

  /** Spawns dist/test/helpers/children/<name>.js with `config` as its JSON argument. */
  static spawn(name: string, config: unknown, options: { execArgv?: string[] } = {}): HelperChild {
    const script = path.join(__dirname, 'children', `${name}.js`);
    const proc = spawn(process.execPath, [...(options.execArgv ?? []), script, JSON.stringify(config)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return new HelperChild(proc, name);
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  get stderr(): string {
    return this.stderrText;
  }

  onMessage(listener: (message: ProtocolMessage) => void): void {
    this.onMessageListeners.push(listener);
  }

  ofType(type: string): ProtocolMessage[] {
    return this.messages.filter((m) => m.type === type);
  }

  /** Resolves with the first message (already received or future) matching `predicate`. */
  waitFor(predicate: (message: ProtocolMessage) => boolean, what: string, timeoutMs = 30_000): Promise<ProtocolMessage> {
    const seen = this.messages.find(predicate);
    if (seen !== undefined) return Promise.resolve(seen);
    if (this.exitInfo !== undefined) {
      return Promise.reject(new Error(`${this.name} already exited (${this.describeExit()}) before ${what}${this.stderrSuffix()}`));
    }
    return new Promise<ProtocolMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.timer !== timer);
        reject(new Error(`${this.name}: no ${what} within ${timeoutMs} ms${this.stderrSuffix()}`));
      }, timeoutMs);
      this.waiters.push({ predicate, resolve, reject, what, timer });
    });
  }

  waitForType(type: string, timeoutMs?: number): Promise<ProtocolMessage> {
    return this.waitFor((m) => m.type === type || m.type === 'error', `a '${type}' message`, timeoutMs).then((m) => {
      if (m.type === 'error' && type !== 'error') {
        throw new Error(`${this.name} reported an error while waiting for '${type}': ${String(m['code'])} ${String(m['message'])}\n${String(m['stack'])}`);
      }
      return m;
    });
  }

  /** Writes one command line to the child's stdin. */
  send(line: string): void {
    this.proc.stdin!.write(`${line}\n`);
  }

  /** Sends `signal` (if the child is still running) and resolves once it has exited. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<ChildExit> {
    if (this.exitInfo === undefined) this.proc.kill(signal);
    return this.exited;
  }

  describeExit(): string {
    const info = this.exitInfo;
    if (info === undefined) return 'still running';
    return info.signal !== null ? `signal ${info.signal}` : `code ${String(info.code)}`;
  }

  private stderrSuffix(): string {
    const text = this.stderrText.trim();
    return text === '' ? '' : `\n--- ${this.name} stderr ---\n${text.slice(-4000)}`;
  }

  private onStdout(chunk: string): void {
    this.pending += chunk;
    let newline: number;
    while ((newline = this.pending.indexOf('\n')) >= 0) {
      const line = this.pending.slice(0, newline);
      this.pending = this.pending.slice(newline + 1);
      this.onLine(line);
    }
  }

  private onLine(line: string): void {
    let message: ProtocolMessage;
    try {
      message = JSON.parse(line) as ProtocolMessage;
    } catch {
      // Not protocol JSON (e.g. a stray console.log in the child): kept for the test to inspect.
      this.strayLines.push(line);
      return;
    }
    this.messages.push(message);
    for (const listener of this.onMessageListeners) listener(message);
    for (const waiter of this.waiters.slice()) {
      if (waiter.predicate(message)) {
        clearTimeout(waiter.timer);
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.resolve(message);
      }
    }
  }
}
