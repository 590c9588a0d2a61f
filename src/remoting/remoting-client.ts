import { connect as netConnect } from 'node:net';
import { systemClock, type Clock } from '../common/clock';
import { ConsoleLogger, type Logger } from '../common/logger';
import { mqError } from '../protocol/errors';
import type { RemotingCommand } from '../protocol/remoting-command';
import { Connection, OpaqueCounter, type ResponseWaiter } from './connection';
import { MAX_FRAME_BYTES } from './frame-decoder';
import { RequestDispatcher } from './request-dispatcher';
import type { HandlerOptions, RequestHandler } from './request-handler';

export interface RemotingClientOptions {
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Upper bound on a TCP connect (also bounded by the invoke's own timeout). Default 3 s. */
  readonly connectTimeoutMs?: number;
  readonly maxFrameBytes?: number;
}

/** Splits "host:port" (or "[v6]:port"); ERR_INVALID_ADDRESS otherwise. */
export function parseAddress(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  let host = colon > 0 ? address.slice(0, colon) : '';
  const portText = colon > 0 ? address.slice(colon + 1) : '';
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : -1;
  if (host === '' || port < 1 || port > 65535) {
    throw mqError('ERR_INVALID_ADDRESS', `"${address}" is not a host:port address`);
  }
  return { host, port };
}

/**
 * Talks to name servers and brokers: one connection per address, made lazily on first use and
 * again on the next use after it closed. Opaque ids come from this client's own counter. Requests
 * the servers send back (broker -> client) go to handlers registered here.
 */
export class RemotingClient {
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #connectTimeoutMs: number;
  readonly #maxFrameBytes: number;
  readonly #opaques = new OpaqueCounter();
  readonly #dispatcher: RequestDispatcher;
  readonly #connections = new Map<string, Connection>();
  readonly #closeListeners = new Set<(address: string) => void>();
  readonly #connecting = new Map<string, Promise<Connection>>();
  #nextConnectionId = 1;
  #isShutdown = false;

  constructor(options: RemotingClientOptions = {}) {
    this.#logger = options.logger ?? new ConsoleLogger('remoting-client');
    this.#clock = options.clock ?? systemClock;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 3000;
    this.#maxFrameBytes = options.maxFrameBytes ?? MAX_FRAME_BYTES;
    this.#dispatcher = new RequestDispatcher(this.#logger);
  }

  /** Serves a request code the servers may send to this client. */
  /** Called with the address whenever a connection this client opened closes; returns the unsubscribe. */
  onConnectionClose(listener: (address: string) => void): () => void {
    this.#closeListeners.add(listener);
    return () => this.#closeListeners.delete(listener);
  }

  registerHandler(code: number, handler: RequestHandler, options: HandlerOptions = {}): void {
    this.#dispatcher.register(code, handler, options);
  }

  /**
   * Sends `request` to `address` and resolves with the response, whatever its code. The timeout
   * covers connecting too. Rejects with ERR_REMOTING_CONNECT, ERR_REMOTING_TIMEOUT,
   * ERR_REMOTING_CLOSED (all retriable) or ERR_REMOTING_SHUTDOWN.
   */
  invokeSync(address: string, request: RemotingCommand, timeoutMs: number): Promise<RemotingCommand> {
    try {
      checkTimeout(timeoutMs);
    } catch (err) {
      return Promise.reject(err);
    }
    // An open connection takes the request at once: no extra promise or microtask hop per request
    // on the hot path (a send is already several awaits deep).
    const open = this.#openConnection(address);
    if (open !== undefined) return open.invoke(request, timeoutMs);
    return this.#connectAndInvoke(address, request, timeoutMs);
  }

  /** invokeSync() without a promise on the usual path (an open connection): see Connection.invokeWith. */
  invokeWith(address: string, request: RemotingCommand, timeoutMs: number, waiter: ResponseWaiter): void {
    const open = isValidTimeout(timeoutMs) ? this.#openConnection(address) : undefined;
    if (open !== undefined) {
      open.invokeWith(request, timeoutMs, waiter);
      return;
    }
    this.invokeSync(address, request, timeoutMs).then(
      (response) => waiter.responded(response),
      (err: unknown) => waiter.failed(err instanceof Error ? err : new Error(String(err))),
    );
  }

  /** The connection to `address` when one is open and the client is not shut down. */
  #openConnection(address: string): Connection | undefined {
    if (this.#isShutdown) return undefined;
    const existing = this.#connections.get(address);
    return existing !== undefined && !existing.isClosed ? existing : undefined;
  }

  async #connectAndInvoke(address: string, request: RemotingCommand, timeoutMs: number): Promise<RemotingCommand> {
    const start = this.#clock.now();
    const connection = await this.#connection(address, timeoutMs);
    const remainingMs = timeoutMs - (this.#clock.now() - start);
    if (remainingMs <= 0) {
      throw mqError('ERR_REMOTING_TIMEOUT', `connecting to ${address} used the whole ${timeoutMs} ms timeout`);
    }
    return connection.invoke(request, remainingMs);
  }

  /** Sends `request` flagged one-way; resolves once it is handed to the socket. */
  async invokeOneway(address: string, request: RemotingCommand, timeoutMs = this.#connectTimeoutMs): Promise<void> {
    checkTimeout(timeoutMs);
    const connection = await this.#connection(address, timeoutMs);
    connection.invokeOneway(request);
  }

  /** Closes the connection to `address` (the next use reconnects). */
  closeConnection(address: string): void {
    this.#connections.get(address)?.close();
  }

  /** Whether a live connection to `address` exists. */
  isConnected(address: string): boolean {
    const connection = this.#connections.get(address);
    return connection !== undefined && !connection.isClosed;
  }

  /** Closes every connection; pending requests fail with ERR_REMOTING_CLOSED. Idempotent. */
  async shutdown(): Promise<void> {
    this.#isShutdown = true;
    const closing = [...this.#connections.values()].map(
      (connection) => new Promise<void>((resolve) => connection.onClose(() => resolve())),
    );
    for (const connection of this.#connections.values()) connection.close();
    await Promise.all(closing);
    // Connects still under way close themselves as they complete (see #connect).
    await Promise.allSettled([...this.#connecting.values()]);
  }

  #connection(address: string, timeoutMs: number): Promise<Connection> {
    if (this.#isShutdown) return Promise.reject(mqError('ERR_REMOTING_SHUTDOWN', 'remoting client is shut down'));
    const existing = this.#connections.get(address);
    if (existing !== undefined && !existing.isClosed) return Promise.resolve(existing);
    let connecting = this.#connecting.get(address);
    if (connecting === undefined) {
      connecting = this.#connect(address, Math.min(timeoutMs, this.#connectTimeoutMs));
      this.#connecting.set(address, connecting);
      const clear = (): void => {
        this.#connecting.delete(address);
      };
      connecting.then(clear, clear);
    }
    return connecting;
  }

  #connect(address: string, timeoutMs: number): Promise<Connection> {
    let target: { host: string; port: number };
    try {
      target = parseAddress(address);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<Connection>((resolve, reject) => {
      const socket = netConnect({ host: target.host, port: target.port, noDelay: true });
      const timer = this.#clock.setTimer(() => {
        socket.destroy();
        reject(mqError('ERR_REMOTING_CONNECT', `connect to ${address} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('error', (err: Error) => {
        timer.cancel();
        reject(mqError('ERR_REMOTING_CONNECT', `connect to ${address} failed: ${err.message}`, err));
      });
      socket.once('connect', () => {
        timer.cancel();
        socket.removeAllListeners('error');
        if (this.#isShutdown) {
          socket.destroy();
          reject(mqError('ERR_REMOTING_SHUTDOWN', 'remoting client is shut down'));
          return;
        }
        const connection = new Connection(socket, {
          id: this.#nextConnectionId++,
          clock: this.#clock,
          opaques: this.#opaques,
          requestListener: this.#dispatcher,
          maxFrameBytes: this.#maxFrameBytes,
        });
        this.#connections.set(address, connection);
        connection.onClose(() => {
          if (this.#connections.get(address) === connection) this.#connections.delete(address);
          const reason = connection.closeReason;
          if (reason !== undefined) this.#logger.warn(`connection to ${address} closed: ${reason.message}`);
          for (const listener of this.#closeListeners) listener(address);
        });
        resolve(connection);
      });
    });
  }
}

function isValidTimeout(timeoutMs: number): boolean {
  return Number.isFinite(timeoutMs) && timeoutMs > 0;
}

function checkTimeout(timeoutMs: number): void {
  if (!isValidTimeout(timeoutMs)) {
    throw new RangeError(`timeoutMs must be a positive number, got ${timeoutMs}`);
  }
}
