import type { RemotingCommand } from '../protocol/remoting-command';
import type { LaterAnswer } from './later-answer';

/**
 * What a request handler sees of the connection a request came on. The broker also uses it to send
 * its own requests to a client (NOTIFY_CONSUMER_IDS_CHANGED one-way, GET_CONSUMER_RUNNING_INFO sync).
 */
export interface RemotingConnection {
  /** Unique per process for the life of the server or client that made it. */
  readonly id: number;
  /** "ip:port" of the peer as Node reports it (IPv4-mapped IPv6 is reduced to plain IPv4). */
  readonly remoteAddress: string;
  readonly localAddress: string;
  readonly isClosed: boolean;
  /** Sends a request and waits for its response; rejects with ERR_REMOTING_TIMEOUT or ERR_REMOTING_CLOSED. */
  invoke(request: RemotingCommand, timeoutMs: number): Promise<RemotingCommand>;
  /** Sends a request flagged one-way; no response is expected. */
  invokeOneway(request: RemotingCommand): void;
  /** Closes the socket; pending requests fail with ERR_REMOTING_CLOSED. Idempotent. */
  close(): void;
  /** Runs `listener` once when the connection closes (at once if it already has). */
  onClose(listener: (connection: RemotingConnection) => void): void;
}

export interface HandlerContext {
  /** Same as `connection.remoteAddress`. */
  readonly remoteAddress: string;
  readonly connection: RemotingConnection;
}

/**
 * Serves one request code. Returns the response (the server stamps the request's opaque, the
 * response flag and the request's header form on it), or null to send nothing (the response is
 * written elsewhere, or the request was one-way), now or through a promise or a LaterAnswer. A
 * thrown MqError becomes a response with its responseCode and message; any other throw becomes
 * SYSTEM_ERROR with the message (never a stack). Responses to one-way requests are dropped.
 */
export type RequestHandler = (
  request: RemotingCommand,
  ctx: HandlerContext,
) => Promise<RemotingCommand | null> | LaterAnswer | RemotingCommand | null;

export interface HandlerOptions {
  /**
   * Requests of this code being handled at once, over all connections. Past it the server answers
   * SYSTEM_BUSY at once instead of queueing (RocketMQ's [REJECTREQUEST] / [OVERLOAD]). Default 10,000.
   */
  readonly maxInFlight?: number;
}

/** The part of RemotingServer that the name server and broker wire against. */
export interface HandlerRegistry {
  /** One handler per code; registering a code twice is a programmer error (throws). */
  registerHandler(code: number, handler: RequestHandler, options?: HandlerOptions): void;
  /** Called for every accepted connection. Returns an unsubscribe function. */
  onConnectionOpen(listener: (connection: RemotingConnection) => void): () => void;
  /** Called once per connection when it closes (peer close, error, malformed frame, shutdown). */
  onConnectionClose(listener: (connection: RemotingConnection) => void): () => void;
}

export const DEFAULT_MAX_IN_FLIGHT = 10_000;
