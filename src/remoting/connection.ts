import type { Socket } from 'node:net';
import type { Clock, TimerHandle } from '../common/clock';
import { Deferred } from '../common/deferred';
import { IntSlotTable } from '../common/int-slot-table';
import { mqError } from '../protocol/errors';
import { FLAG_ONEWAY, isResponse, type RemotingCommand } from '../protocol/remoting-command';
import { decodeCommand } from './command-codec';
import { FrameDecoder, MAX_FRAME_BYTES, type FrameSink } from './frame-decoder';
import { FrameWriter, INLINE_BODY_BYTES } from './frame-writer';
import type { HandlerContext, RemotingConnection } from './request-handler';

/** Receives the requests that arrive on a connection (responses are matched to pending invokes). */
export interface RequestListener {
  onRequest(request: RemotingCommand, connection: Connection): void;
}

/** Told when a connection reads (a request or a response came in) or writes (the broker's busy polling). */
export type ActivityListener = (kind: 'read' | 'write') => void;

/** Source of opaque ids: one per client or server, never module-global. */
export class OpaqueCounter {
  #next = 1;
  next(): number {
    const id = this.#next;
    this.#next = id === 0x7fffffff ? 1 : id + 1;
    return id;
  }
}

export interface ConnectionOptions {
  readonly id: number;
  readonly clock: Clock;
  readonly opaques: OpaqueCounter;
  readonly requestListener: RequestListener;
  readonly maxFrameBytes?: number;
  /** Called when the connection reads or writes (the broker's busy polling). */
  readonly onActivity?: ActivityListener | undefined;
}

/**
 * Chunks (frames built apart because other connections wrote into the shared arena in between, or
 * large bodies) up to this total are copied into one buffer and written with one write(): Node's
 * writev costs a WriteReq object and JS bookkeeping per chunk, more than copying small frames
 * (measured with 1,000 sends in flight: writev was 10-17% of the broker's CPU). Past it, the
 * chunks go uncopied through one corked writev.
 */
const MAX_COALESCED_BYTES = 4 * 1024 * 1024;
/**
 * Frames leave as soon as this much is queued, without waiting for the end of the turn: a turn that
 * handles a thousand frames would otherwise hold every answer until its last one, so the peer
 * idles while this side works and the two never overlap.
 */
const EARLY_FLUSH_BYTES = 64 * 1024;

/**
 * Waits for the response to one request (invokeWith): told exactly once, by the response or by a
 * failure. A producer's send is its own waiter, so a thousand sends in flight are not a thousand
 * promise chains for the scavenger to copy.
 */
export interface ResponseWaiter {
  responded(response: RemotingCommand): void;
  failed(error: Error): void;
}

interface PendingRequest {
  readonly waiter: ResponseWaiter;
  readonly deadline: number;
  readonly code: number;
}

/** The promise form of a ResponseWaiter (invoke). */
class PromiseWaiter extends Deferred<RemotingCommand> implements ResponseWaiter {
  responded(response: RemotingCommand): void {
    this.resolve(response);
  }

  failed(error: Error): void {
    this.reject(error);
  }
}

/** "ip:port" as RocketMQ prints addresses; IPv4-mapped IPv6 becomes plain IPv4. */
export function formatPeerAddress(ip: string | undefined, port: number | undefined): string {
  const host = ip === undefined ? 'unknown' : ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
  return `${host}:${port ?? 0}`;
}

/**
 * One socket carrying remoting frames both ways.
 * - Frames written in one callback are collected and leave together at its end (one
 *   process.nextTick), or as soon as 64 KiB is queued: copied into one buffer and written once, or
 *   as one writev when they are large.
 * - Requests sent with `invoke` wait in an opaque -> pending map; one timer, armed for the earliest
 *   deadline, expires them (no timer per request).
 * - Closing (either side, a socket error, or a malformed frame) rejects every pending request with
 *   ERR_REMOTING_CLOSED (or the decode error) and runs the close listeners once.
 */
export class Connection implements RemotingConnection, FrameSink {
  readonly id: number;
  readonly remoteAddress: string;
  readonly localAddress: string;
  /** The context handed to every handler of a request on this connection (one object, reused). */
  readonly context: HandlerContext;
  readonly #socket: Socket;
  readonly #clock: Clock;
  readonly #opaques: OpaqueCounter;
  readonly #requestListener: RequestListener;
  readonly #decoder: FrameDecoder;
  readonly #onActivity: ActivityListener | undefined;
  /** In flight, by opaque (not a Map: see IntSlotTable). */
  readonly #pending = new IntSlotTable<PendingRequest>();
  readonly #closeListeners: Array<(connection: RemotingConnection) => void> = [];
  #timer: TimerHandle | null = null;
  #timerAt = Number.POSITIVE_INFINITY;
  /** Frames written this turn and not yet handed to the socket, in order. */
  readonly #out = new FrameWriter();
  #isFlushScheduled = false;
  #isClosed = false;
  /** close() was called: the socket is ending and takes no more writes. */
  #isEnding = false;
  #closeReason: Error | undefined;

  constructor(socket: Socket, options: ConnectionOptions) {
    this.id = options.id;
    this.#socket = socket;
    this.#clock = options.clock;
    this.#opaques = options.opaques;
    this.#requestListener = options.requestListener;
    this.#decoder = new FrameDecoder(this, options.maxFrameBytes ?? MAX_FRAME_BYTES);
    this.#onActivity = options.onActivity;
    this.remoteAddress = formatPeerAddress(socket.remoteAddress, socket.remotePort);
    this.localAddress = formatPeerAddress(socket.localAddress, socket.localPort);
    this.context = Object.freeze({ remoteAddress: this.remoteAddress, connection: this });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (err: Error) => {
      this.#closeReason ??= err;
    });
    socket.on('close', () => this.#onClosed());
  }

  /** True from the moment close() is called (no more writes) or the socket closed. */
  get isClosed(): boolean {
    return this.#isClosed || this.#isEnding;
  }

  /** Why the connection closed: a socket error or a decode error; undefined for an orderly close. */
  get closeReason(): Error | undefined {
    return this.#closeReason;
  }

  /** Requests sent and not yet answered. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Bytes queued in the socket and not yet handed to the kernel. */
  get queuedWriteBytes(): number {
    return this.#socket.writableLength + this.#out.bytes;
  }

  invoke(request: RemotingCommand, timeoutMs: number): Promise<RemotingCommand> {
    const waiter = new PromiseWaiter();
    this.invokeWith(request, timeoutMs, waiter);
    return waiter.promise;
  }

  /**
   * invoke() without a promise: `waiter` is told once, by the response, the timeout or the close;
   * at once (before this returns) when the connection is closed or the request cannot be encoded.
   */
  invokeWith(request: RemotingCommand, timeoutMs: number, waiter: ResponseWaiter): void {
    if (this.isClosed) {
      waiter.failed(mqError('ERR_REMOTING_CLOSED', `connection to ${this.remoteAddress} is closed`));
      return;
    }
    const opaque = this.#opaques.next();
    request.opaque = opaque;
    request.flag &= ~FLAG_ONEWAY;
    const deadline = this.#clock.now() + timeoutMs;
    this.#pending.set(opaque, { waiter, deadline, code: request.code });
    try {
      this.#write(request);
    } catch (err) {
      this.#pending.take(opaque);
      waiter.failed(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    if (deadline < this.#timerAt) this.#armTimer(deadline);
  }

  invokeOneway(request: RemotingCommand): void {
    if (this.isClosed) throw mqError('ERR_REMOTING_CLOSED', `connection to ${this.remoteAddress} is closed`);
    request.opaque = this.#opaques.next();
    request.flag |= FLAG_ONEWAY;
    this.#write(request);
  }

  /** Writes a response (or any fully stamped command). Returns false when the connection is closed. */
  writeCommand(command: RemotingCommand): boolean {
    if (this.isClosed) return false;
    this.#write(command);
    return true;
  }

  close(): void {
    if (this.isClosed) return;
    // Frames already written this turn still go out before the FIN.
    this.flushWrites();
    this.#isEnding = true;
    this.#socket.end();
    // A peer that never reads would keep a half-closed socket open; destroy after flushing.
    this.#socket.destroySoon();
  }

  /** Abortive close, recording why (pending requests fail with `reason`). */
  destroy(reason?: Error): void {
    if (reason !== undefined) this.#closeReason ??= reason;
    this.#socket.destroy();
  }

  onClose(listener: (connection: RemotingConnection) => void): void {
    if (this.#isClosed) listener(this);
    else this.#closeListeners.push(listener);
  }

  /** FrameSink: one complete frame from the decoder. */
  onFrame(frame: Buffer): void {
    const command = decodeCommand(frame);
    if (isResponse(command)) {
      const pending = this.#pending.take(command.opaque);
      // A response whose request already timed out is dropped, as Java and ali-ons do.
      if (pending === undefined) return;
      pending.waiter.responded(command);
      return;
    }
    this.#requestListener.onRequest(command, this);
  }

  /** Hands every frame written this turn to the socket, coalesced (see MAX_COALESCED_BYTES). */
  flushWrites(): void {
    this.#isFlushScheduled = false;
    const bytes = this.#out.bytes;
    if (bytes === 0) return;
    const chunks = this.#out.take();
    const socket = this.#socket;
    if (socket.destroyed) return;
    // A backlogged socket keeps what it is given until the peer reads: a small slice of the shared
    // output arena would pin the whole arena that long, so such slices are copied out first.
    if (socket.writableLength > 0) {
      for (let i = 0; i < chunks.length; i++) {
        const chunk = chunks[i]!;
        if (chunk.buffer.byteLength > 4 * chunk.length) chunks[i] = Buffer.from(chunk);
      }
    }
    if (chunks.length === 1) {
      socket.write(chunks[0] as Buffer);
    } else if (bytes <= MAX_COALESCED_BYTES && !hasLargeChunk(chunks)) {
      socket.write(Buffer.concat(chunks, bytes));
    } else {
      // A large body (a pull's records) is not copied: a writev of a few chunks costs less.
      socket.cork();
      for (const chunk of chunks) socket.write(chunk);
      socket.uncork();
    }
    this.#onActivity?.('write');
  }

  #write(command: RemotingCommand): void {
    this.#out.write(command);
    if (!this.#isFlushScheduled) {
      this.#isFlushScheduled = true;
      // At the end of the current callback (after its promise continuations), not the next turn's
      // check phase: an answer produced in a setImmediate (the append batcher's) would otherwise
      // wait a whole loop iteration, behind whatever the poll phase brings in meanwhile.
      process.nextTick(flushConnection, this);
    }
    if (this.#out.bytes >= EARLY_FLUSH_BYTES) this.flushWrites();
  }

  #onData(chunk: Buffer): void {
    if (this.#isClosed) return;
    this.#onActivity?.('read');
    try {
      this.#decoder.push(chunk);
    } catch (err) {
      // A malformed frame (or a listener bug) ends this connection only.
      this.destroy(err instanceof Error ? err : new Error(String(err)));
    }
  }

  #armTimer(deadline: number): void {
    this.#timer?.cancel();
    this.#timerAt = deadline;
    this.#timer = this.#clock.setTimer(() => this.#expire(), deadline - this.#clock.now());
  }

  #expire(): void {
    this.#timer = null;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const now = this.#clock.now();
    let next = Number.POSITIVE_INFINITY;
    const expired: Array<[ResponseWaiter, Error]> = [];
    this.#pending.forEach((pending, opaque) => {
      if (pending.deadline <= now) {
        this.#pending.take(opaque);
        expired.push([pending.waiter, mqError(
          'ERR_REMOTING_TIMEOUT',
          `no response to request code ${pending.code} (opaque ${opaque}) from ${this.remoteAddress} in time`,
        )]);
      } else if (pending.deadline < next) {
        next = pending.deadline;
      }
    });
    if (next !== Number.POSITIVE_INFINITY && !this.#isClosed) this.#armTimer(next);
    // Told after the walk: a waiter may send again at once (a producer's retry) on this connection.
    for (const [waiter, error] of expired) waiter.failed(error);
  }

  #onClosed(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#timer?.cancel();
    this.#timer = null;
    const reason = this.#closeReason;
    const failed: Array<[ResponseWaiter, Error]> = [];
    this.#pending.forEach((pending, opaque) => {
      failed.push([pending.waiter, mqError(
        'ERR_REMOTING_CLOSED',
        `connection to ${this.remoteAddress} closed before the response to code ${pending.code} (opaque ${opaque})` +
          (reason === undefined ? '' : `: ${reason.message}`),
        reason,
      )]);
    });
    this.#pending.clear();
    for (const listener of this.#closeListeners.splice(0)) listener(this);
    // After the listeners, as a promise's rejection would be: a waiter that sends again at once
    // finds this connection already gone from its client.
    for (const [waiter, error] of failed) waiter.failed(error);
  }
}

/** Whether any chunk is a body written apart from its header (see INLINE_BODY_BYTES). */
function hasLargeChunk(chunks: readonly Buffer[]): boolean {
  for (const chunk of chunks) if (chunk.length > INLINE_BODY_BYTES) return true;
  return false;
}

function flushConnection(connection: Connection): void {
  connection.flushWrites();
}
