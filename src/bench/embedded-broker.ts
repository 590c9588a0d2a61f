/**
 * A CometMQ name server and broker (`cometmq start`) run as a child process on free ports for one
 * benchmark run, so the broker and the load generator never share an event loop (the peer brokers
 * run as separate processes too). Started, waited for by its log lines, stopped with SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { SERVER_NODE_FLAGS } from '../cli/server-node-flags';
import { onOutputLines } from './output-lines';

const START_DEADLINE_MS = 30_000;
const STOP_DEADLINE_MS = 20_000;
const KEPT_LINES = 40;

export interface EmbeddedBrokerOptions {
  readonly dataDir: string;
  readonly flushDiskType: 'ASYNC_FLUSH' | 'SYNC_FLUSH';
  readonly brokerSettings: Readonly<Record<string, string>>;
}

export class EmbeddedBroker {
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  readonly #lines: string[] = [];
  readonly #killOnExit = (): void => {
    this.#child.kill('SIGKILL');
  };
  #namesrvPort: number | undefined;
  #brokerPort: number | undefined;
  #isStopping = false;

  private constructor(options: EmbeddedBrokerOptions) {
    const args = ['--data-dir', options.dataDir, '--namesrv-port', '0', '--broker-port', '0', '--flush', options.flushDiskType];
    for (const [key, value] of Object.entries(options.brokerSettings)) args.push('--set', `${key}=${value}`);
    this.#child = spawn(process.execPath, [...SERVER_NODE_FLAGS, path.join(__dirname, 'embedded-broker-main.js'), ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    this.#exited = new Promise((resolve) => this.#child.once('close', () => resolve()));
    // Last resort when this process exits without stop() (an uncaught error): no orphaned broker.
    process.once('exit', this.#killOnExit);
  }

  /** Starts the broker and resolves once it is ready; fails with its last output lines otherwise. */
  static async start(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
    const broker = new EmbeddedBroker(options);
    try {
      await broker.#ready();
    } catch (err) {
      await broker.stop();
      throw err;
    }
    // Sends now fail one by one (counted as failures); say once why, with the broker's own words.
    broker.#child.once('close', (code, signal) => {
      if (broker.#isStopping) return;
      const last = broker.#lines.filter((l) => /cometmq:|error|fatal|abort/i.test(l)).at(-1) ?? '';
      process.stderr.write(`cometmq bench: the embedded broker exited during the run (${signal ?? `code ${code}`})${last === '' ? '' : `: ${last}`}\n`);
    });
    return broker;
  }

  get namesrvAddr(): string {
    return `127.0.0.1:${this.#namesrvPort}`;
  }

  get brokerAddr(): string {
    return `127.0.0.1:${this.#brokerPort}`;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  #ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (err?: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err === undefined) resolve();
        else reject(err);
      };
      const why = (what: string): Error => {
        const errorLine = [...this.#lines].reverse().find((l) => l.startsWith('cometmq:'));
        return new Error(errorLine !== undefined ? `embedded broker ${what}: ${errorLine.slice('cometmq: '.length)}` : `embedded broker ${what}`);
      };
      const timer = setTimeout(() => finish(why(`not ready within ${START_DEADLINE_MS / 1000} s`)), START_DEADLINE_MS);
      this.#child.once('close', (code) => finish(why(`exited with code ${code} while starting`)));
      this.#child.once('error', (err) => finish(new Error(`embedded broker could not be started: ${err.message}`)));
      const onLine = (line: string): void => {
        this.#lines.push(line);
        if (this.#lines.length > KEPT_LINES) this.#lines.shift();
        const ns = /name server listening on port (\d+)/.exec(line);
        if (ns !== null) this.#namesrvPort = Number(ns[1]);
        const broker = /broker \S+ .*listening on port (\d+)/.exec(line);
        if (broker !== null) this.#brokerPort = Number(broker[1]);
        if (/ ready$/.test(line) && this.#namesrvPort !== undefined && this.#brokerPort !== undefined) finish();
      };
      // Read everything for the whole run: a full pipe would block the broker's logging.
      onOutputLines([this.#child.stdout, this.#child.stderr], onLine);
    });
  }

  /**
   * SIGTERM (graceful: the store closes cleanly), SIGKILL if it does not exit in time; `kill` goes
   * straight to SIGKILL, for data that is thrown away anyway.
   */
  async stop(how: 'graceful' | 'kill' = 'graceful'): Promise<void> {
    this.#isStopping = true;
    process.off('exit', this.#killOnExit);
    const child = this.#child;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(how === 'kill' ? 'SIGKILL' : 'SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_DEADLINE_MS);
      await this.#exited;
      clearTimeout(timer);
    }
    child.stdin?.destroy();
  }
}
