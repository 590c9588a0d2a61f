/**
 * A peer broker (redis-server, nats-server) run as a child process for the length of one benchmark:
 * found on PATH, started on a free loopback port, considered up once it prints its ready line, and
 * stopped with SIGTERM (SIGKILL past a deadline). Its output is drained continuously (a full pipe
 * would stall the server mid-run) and only the tail is kept, for the error when it fails to start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

/** The peer's server binary is not on PATH: the CLI prints the message alone and exits 2. */
export class PeerNotInstalled extends Error {
  override readonly name = 'PeerNotInstalled';
}

/** The peer's server could not be started or reached (bad --peer-url, bind failure, crash at start). */
export class PeerUnavailable extends Error {
  override readonly name = 'PeerUnavailable';
}

const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;
const OUTPUT_TAIL_CHARS = 2_000;

/** Absolute path of `binary` in one of PATH's directories, or undefined. */
export function findOnPath(binary: string, searchPath: string = process.env['PATH'] ?? ''): string | undefined {
  for (const dir of searchPath.split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, binary);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // Not in this directory (or not executable): keep looking.
    }
  }
  return undefined;
}

/** The path of an installed peer binary, or PeerNotInstalled naming the Debian package. */
export function requireBinary(binary: string, debianPackage: string): string {
  const found = findOnPath(binary);
  if (found === undefined) throw new PeerNotInstalled(`${binary} is not installed (apt-get install ${debianPackage})`);
  return found;
}

/**
 * A loopback port nothing listens on right now. Another process may take it before the peer binds;
 * PeerProcess.start retries on a new port when the server exits before it is ready.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface PeerSpawn {
  binary: string;
  args: string[];
  /** Text the server prints once it accepts connections. */
  readyText: string;
}

export class PeerProcess {
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  #output = '';
  #hasExited = false;
  readonly #killOnExit = (): void => {
    this.#child.kill('SIGKILL');
  };

  private constructor(child: ChildProcess) {
    this.#child = child;
    this.#exited = new Promise((resolve) => {
      child.once('exit', () => resolve());
      // A binary that could not be spawned emits 'error' and never 'exit'.
      child.once('error', () => {
        if (child.pid === undefined) resolve();
      });
    });
    void this.#exited.then(() => {
      this.#hasExited = true;
      process.removeListener('exit', this.#killOnExit);
    });
    // A benchmark that dies without close() must not leave a server behind.
    process.on('exit', this.#killOnExit);
    const keepTail = (chunk: string): void => {
      this.#output = (this.#output + chunk).slice(-OUTPUT_TAIL_CHARS);
    };
    child.stdout?.setEncoding('utf8').on('data', keepTail);
    child.stderr?.setEncoding('utf8').on('data', keepTail);
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get hasExited(): boolean {
    return this.#hasExited;
  }

  /**
   * Spawns the server built by `makeSpawn(port)` on a free port and waits for its ready line;
   * retries twice on a fresh port when it exits first (the port was taken meanwhile).
   */
  static async start(makeSpawn: (port: number) => PeerSpawn | Promise<PeerSpawn>): Promise<{ process: PeerProcess; port: number }> {
    let lastError: Error | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const spec = await makeSpawn(port);
      const child = spawn(spec.binary, spec.args, { stdio: ['ignore', 'pipe', 'pipe'] });
      const peer = new PeerProcess(child);
      try {
        await peer.#waitReady(spec.readyText, path.basename(spec.binary));
        return { process: peer, port };
      } catch (err) {
        await peer.stop();
        lastError = err as Error;
      }
    }
    throw lastError ?? new PeerUnavailable('peer server did not start');
  }

  #waitReady(readyText: string, name: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = this.#child;
      const finish = (err?: Error): void => {
        clearTimeout(timer);
        child.stdout?.removeListener('data', onData);
        child.stderr?.removeListener('data', onData);
        child.removeListener('exit', onExit);
        child.removeListener('error', onError);
        if (err) reject(err);
        else resolve();
      };
      const onData = (): void => {
        if (this.#output.includes(readyText)) finish();
      };
      const lastLine = (): string => this.#output.trim().split('\n').pop() ?? '';
      const onExit = (code: number | null, signal: string | null): void => {
        finish(new PeerUnavailable(`${name} exited before it was ready (${signal ?? code}): ${lastLine()}`));
      };
      const onError = (err: Error): void => finish(new PeerUnavailable(`${name} could not be started: ${err.message}`));
      const timer = setTimeout(() => {
        finish(new PeerUnavailable(`${name} was not ready within ${START_TIMEOUT_MS} ms: ${lastLine()}`));
      }, START_TIMEOUT_MS);
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', onExit);
      child.once('error', onError);
      onData();
    });
  }

  /** SIGTERM (the server flushes and exits), SIGKILL past the deadline; resolves once it is gone. */
  async stop(): Promise<void> {
    if (this.#hasExited || this.#child.exitCode !== null || this.#child.signalCode !== null) {
      await this.#exited;
      return;
    }
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.#exited;
    clearTimeout(timer);
  }
}
