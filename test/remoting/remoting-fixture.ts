import { connect, type Socket } from 'node:net';
import type { Logger } from '../../src/common';
import { type RemotingCommand } from '../../src/protocol';
import { FrameDecoder, RemotingClient, RemotingServer, decodeCommand, type RemotingClientOptions } from '../../src/remoting';

/** A logger that keeps what it is told, for tests that check what was logged. */
export class RecordingLogger implements Logger {
  readonly errors: Array<{ message: string; err: unknown }> = [];
  readonly warnings: string[] = [];
  info(): void {}
  warn(message: string): void {
    this.warnings.push(message);
  }
  error(message: string, err?: unknown): void {
    this.errors.push({ message, err });
  }
  warnOnce(_key: string, message: string): void {
    this.warnings.push(message);
  }
  clear(): void {}
}

/** Runs `fn` with a server on 127.0.0.1:0 and a client, and shuts both down afterwards. */
export async function withServerAndClient(
  setup: (server: RemotingServer) => void,
  fn: (server: RemotingServer, client: RemotingClient) => Promise<void>,
  clientOptions: RemotingClientOptions = {},
): Promise<void> {
  const server = new RemotingServer({ host: '127.0.0.1', port: 0, logger: new RecordingLogger() });
  setup(server);
  await server.start();
  const client = new RemotingClient({ logger: new RecordingLogger(), ...clientOptions });
  try {
    await fn(server, client);
  } finally {
    await client.shutdown();
    await server.shutdown(1000);
  }
}

/** A bare socket speaking frames, to send hand-made bytes and see exactly what comes back. */
export class RawPeer {
  readonly commands: RemotingCommand[] = [];
  readonly #socket: Socket;
  readonly #waiters: Array<() => void> = [];
  #isClosed = false;

  private constructor(socket: Socket) {
    this.#socket = socket;
    const decoder = new FrameDecoder({ onFrame: (frame) => this.commands.push(decodeCommand(Buffer.from(frame))) });
    socket.on('data', (chunk: Buffer) => {
      decoder.push(chunk);
      this.#wake();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.#isClosed = true;
      this.#wake();
    });
  }

  static connect(port: number): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () => {
        socket.off('error', reject);
        resolve(new RawPeer(socket));
      });
      socket.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  write(bytes: Buffer): void {
    this.#socket.write(bytes);
  }

  /** Resolves once `condition` holds (checked after every arrival); fails after `deadlineMs`. */
  async until(condition: () => boolean, what: string, deadlineMs = 5000): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 50).unref();
      });
    }
  }

  destroy(): void {
    this.#socket.destroy();
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }
}
