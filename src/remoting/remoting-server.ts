import { createServer, type Server, type Socket } from 'node:net';
import { systemClock, type Clock } from '../common/clock';
import { ConsoleLogger, type Logger } from '../common/logger';
import { MqError } from '../common/mq-error';
import { Connection, OpaqueCounter, type ActivityListener } from './connection';
import { MAX_FRAME_BYTES } from './frame-decoder';
import { RequestDispatcher } from './request-dispatcher';
import type { HandlerOptions, HandlerRegistry, RemotingConnection, RequestHandler } from './request-handler';

export interface RemotingServerOptions {
  /** Interface to listen on; default 0.0.0.0. */
  readonly host?: string;
  /** TCP port; 0 picks a free one (read it back from `port` after start). */
  readonly port: number;
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly maxFrameBytes?: number;
  /** A connection silent this long is closed (RocketMQ serverChannelMaxIdleTimeSeconds); 0 = never. Default 120 s. */
  readonly idleTimeoutMs?: number;
  /** Called whenever a connection reads or writes (the broker's busy polling: broker/busy-poll.ts). */
  readonly onActivity?: ActivityListener | undefined;
}

/**
 * The TCP side of the name server and broker: accepts connections, decodes frames and hands requests
 * to the dispatcher (handler table, in-flight limits, error answers: see RequestDispatcher). A
 * malformed frame closes that connection only. shutdown() stops accepting, answers GO_AWAY to
 * clients new enough to understand it, waits for handlers in flight (up to a grace period) and
 * closes every connection.
 */
export class RemotingServer implements HandlerRegistry {
  readonly #host: string;
  readonly #requestedPort: number;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #maxFrameBytes: number;
  readonly #idleTimeoutMs: number;
  readonly #onActivity: ActivityListener | undefined;
  readonly #dispatcher: RequestDispatcher;
  readonly #connections = new Set<Connection>();
  readonly #openListeners = new Set<(connection: RemotingConnection) => void>();
  readonly #closeListeners = new Set<(connection: RemotingConnection) => void>();
  readonly #opaques = new OpaqueCounter();
  #server: Server | null = null;
  #port = 0;
  #nextConnectionId = 1;
  #isShuttingDown = false;
  #shutdownPromise: Promise<void> | null = null;

  constructor(options: RemotingServerOptions) {
    if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
      throw new RangeError(`port must be an integer in [0, 65535], got ${options.port}`);
    }
    this.#host = options.host ?? '0.0.0.0';
    this.#requestedPort = options.port;
    this.#logger = options.logger ?? new ConsoleLogger('remoting');
    this.#clock = options.clock ?? systemClock;
    this.#maxFrameBytes = options.maxFrameBytes ?? MAX_FRAME_BYTES;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 120_000;
    this.#onActivity = options.onActivity;
    this.#dispatcher = new RequestDispatcher(this.#logger);
  }

  /** The port listened on (the real one when started with port 0). */
  get port(): number {
    return this.#port;
  }

  /** "host:port" as a local client should dial it. */
  get address(): string {
    return `${this.#host === '0.0.0.0' || this.#host === '::' ? '127.0.0.1' : this.#host}:${this.#port}`;
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  registerHandler(code: number, handler: RequestHandler, options: HandlerOptions = {}): void {
    this.#dispatcher.register(code, handler, options);
  }

  onConnectionOpen(listener: (connection: RemotingConnection) => void): () => void {
    this.#openListeners.add(listener);
    return () => this.#openListeners.delete(listener);
  }

  onConnectionClose(listener: (connection: RemotingConnection) => void): () => void {
    this.#closeListeners.add(listener);
    return () => this.#closeListeners.delete(listener);
  }

  /** Listens; rejects with the listen error (EADDRINUSE, EACCES, ...) as Node reports it. */
  start(): Promise<void> {
    if (this.#server !== null) return Promise.reject(new Error('remoting server already started'));
    const server = createServer({ noDelay: true }, (socket) => this.#accept(socket));
    this.#server = server;
    return new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => {
        this.#server = null;
        reject(err);
      };
      server.once('error', onError);
      server.listen(this.#requestedPort, this.#host, () => {
        server.off('error', onError);
        server.on('error', (err) => this.#logger.error('remoting server error', err));
        const address = server.address();
        this.#port = typeof address === 'object' && address !== null ? address.port : this.#requestedPort;
        resolve();
      });
    });
  }

  /** Graceful stop; idempotent. Handlers still running after `graceMs` are abandoned. */
  shutdown(graceMs = 5000): Promise<void> {
    this.#shutdownPromise ??= this.#shutdown(graceMs);
    return this.#shutdownPromise;
  }

  #accept(socket: Socket): void {
    if (this.#isShuttingDown) {
      socket.destroy();
      return;
    }
    const connection = new Connection(socket, {
      id: this.#nextConnectionId++,
      clock: this.#clock,
      opaques: this.#opaques,
      requestListener: this.#dispatcher,
      maxFrameBytes: this.#maxFrameBytes,
      onActivity: this.#onActivity,
    });
    this.#connections.add(connection);
    if (this.#idleTimeoutMs > 0) socket.setTimeout(this.#idleTimeoutMs, () => connection.close());
    connection.onClose(() => this.#onConnectionClosed(connection));
    for (const listener of this.#openListeners) this.#notify(listener, connection, 'open');
  }

  #onConnectionClosed(connection: Connection): void {
    this.#connections.delete(connection);
    const reason = connection.closeReason;
    if (reason instanceof MqError) {
      this.#logger.warn(`closed connection ${connection.remoteAddress}: ${reason.code} ${reason.message}`);
    }
    for (const listener of this.#closeListeners) this.#notify(listener, connection, 'close');
  }

  #notify(listener: (connection: RemotingConnection) => void, connection: Connection, what: string): void {
    try {
      listener(connection);
    } catch (err) {
      this.#logger.error(`connection ${what} listener failed for ${connection.remoteAddress}`, err);
    }
  }

  async #shutdown(graceMs: number): Promise<void> {
    this.#isShuttingDown = true;
    const server = this.#server;
    const listenerClosed = server === null
      ? Promise.resolve()
      : new Promise<void>((resolve) => server.close(() => resolve()));
    await new Promise<void>((resolve) => {
      const timer = this.#clock.setTimer(resolve, graceMs);
      this.#dispatcher.goAway(() => {
        timer.cancel();
        resolve();
      });
    });
    const connectionsClosed = [...this.#connections].map(
      (connection) => new Promise<void>((resolve) => connection.onClose(() => resolve())),
    );
    for (const connection of this.#connections) connection.close();
    await Promise.all(connectionsClosed);
    await listenerClosed;
  }
}
