import type { Logger } from '../common/logger';
import { MqError } from '../common/mq-error';
import { MQVersion } from '../protocol/language-code';
import { FLAG_RESPONSE, createResponse, isOneway, type RemotingCommand } from '../protocol/remoting-command';
import { ResponseCode } from '../protocol/response-code';
import type { Connection, RequestListener } from './connection';
import { LaterAnswer, type LaterAnswerTaker } from './later-answer';
import { DEFAULT_MAX_IN_FLIGHT, type HandlerOptions, type RequestHandler } from './request-handler';

interface HandlerEntry {
  readonly handler: RequestHandler;
  readonly maxInFlight: number;
  inFlight: number;
}

/** RocketMQ's remarks, which clients and operators recognise. */
const BUSY_REMARK = '[OVERLOAD]system busy, start flow control for a while';
const GO_AWAY_REMARK = 'please go away';
/** Codes below this are looked up in an array (every request does one lookup, a send two). */
const ARRAY_CODES = 1024;
/** Distinct unexpected handler errors remembered for log-once; the set restarts past this. */
const MAX_LOGGED_ERROR_KEYS = 1000;

/**
 * The handler table by request code, shared by the server and by clients (which serve the
 * broker's own requests: NOTIFY_CONSUMER_IDS_CHANGED, GET_CONSUMER_RUNNING_INFO, ...).
 * - Unknown codes are answered REQUEST_CODE_NOT_SUPPORTED with RocketMQ's remark.
 * - Each handler has a bounded in-flight count; past it the answer is SYSTEM_BUSY at once.
 * - A thrown MqError answers with its responseCode and message; any other error answers SYSTEM_ERROR
 *   with the message only (never a stack) and is logged, with its stack, once per distinct message.
 * - Nothing is ever sent for a one-way request.
 */
export class RequestDispatcher implements RequestListener, LaterAnswerTaker<Connection> {
  readonly #logger: Logger;
  readonly #handlers = new Map<number, HandlerEntry>();
  readonly #byCode: Array<HandlerEntry | undefined> = new Array<HandlerEntry | undefined>(ARRAY_CODES).fill(undefined);
  readonly #loggedErrors = new Set<string>();
  #inFlight = 0;
  #onIdle: (() => void) | null = null;
  #isGoingAway = false;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Handlers running now, over every code. */
  get inFlight(): number {
    return this.#inFlight;
  }

  register(code: number, handler: RequestHandler, options: HandlerOptions = {}): void {
    if (!Number.isInteger(code)) throw new TypeError(`request code must be an integer, got ${code}`);
    if (this.#handlers.has(code)) throw new Error(`a handler for request code ${code} is already registered`);
    const maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
      throw new RangeError(`maxInFlight must be a positive integer, got ${maxInFlight}`);
    }
    const entry: HandlerEntry = { handler, maxInFlight, inFlight: 0 };
    this.#handlers.set(code, entry);
    if (code >= 0 && code < ARRAY_CODES) this.#byCode[code] = entry;
  }

  #entry(code: number): HandlerEntry | undefined {
    return code >= 0 && code < ARRAY_CODES ? this.#byCode[code] : this.#handlers.get(code);
  }

  /**
   * From now on, requests from clients that understand GO_AWAY (version > V5_3_1) get it instead of
   * being handled; `onIdle` runs once no handler is in flight (at once if none is).
   */
  goAway(onIdle: () => void): void {
    this.#isGoingAway = true;
    this.#onIdle = onIdle;
    if (this.#inFlight === 0) this.#idle();
  }

  onRequest(request: RemotingCommand, connection: Connection): void {
    const entry = this.#entry(request.code);
    if (entry === undefined) {
      const remark = ` request type ${request.code} not supported`;
      this.#answer(request, connection, createResponse(ResponseCode.REQUEST_CODE_NOT_SUPPORTED, remark));
      return;
    }
    if (this.#isGoingAway && request.version > MQVersion.V5_3_1) {
      this.#answer(request, connection, createResponse(ResponseCode.GO_AWAY, GO_AWAY_REMARK));
      return;
    }
    if (entry.inFlight >= entry.maxInFlight) {
      this.#answer(request, connection, createResponse(ResponseCode.SYSTEM_BUSY, BUSY_REMARK));
      return;
    }
    entry.inFlight++;
    this.#inFlight++;
    let result: ReturnType<RequestHandler>;
    try {
      result = entry.handler(request, connection.context);
    } catch (err) {
      this.#finish(entry);
      this.#answerError(request, connection, err);
      return;
    }
    if (result instanceof LaterAnswer) {
      result.attach(this, connection);
      return;
    }
    if (result !== null && typeof (result as PromiseLike<unknown>).then === 'function') {
      (result as PromiseLike<RemotingCommand | null>).then(
        (response) => {
          this.#finish(entry);
          if (response !== null) this.#answer(request, connection, response);
        },
        (err: unknown) => {
          this.#finish(entry);
          this.#answerError(request, connection, err);
        },
      );
      return;
    }
    this.#finish(entry);
    if (result !== null) this.#answer(request, connection, result as RemotingCommand);
  }

  /** A LaterAnswer settled (its handler was registered for request.code when it started). */
  takeLaterAnswer(connection: Connection, request: RemotingCommand, response: RemotingCommand | null, error: unknown): void {
    this.#finish(this.#entry(request.code) as HandlerEntry);
    if (error !== undefined) this.#answerError(request, connection, error);
    else if (response !== null) this.#answer(request, connection, response);
  }

  #finish(entry: HandlerEntry): void {
    entry.inFlight--;
    this.#inFlight--;
    if (this.#inFlight === 0 && this.#onIdle !== null) this.#idle();
  }

  #idle(): void {
    const onIdle = this.#onIdle;
    this.#onIdle = null;
    onIdle?.();
  }

  #answer(request: RemotingCommand, connection: Connection, response: RemotingCommand): void {
    if (isOneway(request)) return;
    response.opaque = request.opaque;
    response.flag |= FLAG_RESPONSE;
    response.serializeTypeCurrentRPC = request.serializeTypeCurrentRPC;
    try {
      connection.writeCommand(response);
    } catch (err) {
      // The handler's response cannot be encoded (e.g. over the frame limit): say so instead.
      this.#answerError(request, connection, err);
    }
  }

  #answerError(request: RemotingCommand, connection: Connection, err: unknown): void {
    let code: number = ResponseCode.SYSTEM_ERROR;
    let remark: string;
    if (err instanceof MqError) {
      // Client-side RPC_* codes (negative) never go on the wire.
      if (err.responseCode !== undefined && err.responseCode >= 0) code = err.responseCode;
      remark = err.message;
    } else {
      remark = err instanceof Error ? err.message : String(err);
      this.#logOnce(request.code, remark, err);
    }
    if (isOneway(request)) return;
    const response = createResponse(code, remark);
    response.opaque = request.opaque;
    response.serializeTypeCurrentRPC = request.serializeTypeCurrentRPC;
    connection.writeCommand(response);
  }

  #logOnce(requestCode: number, message: string, err: unknown): void {
    const key = `${requestCode}:${message}`;
    if (this.#loggedErrors.has(key)) return;
    if (this.#loggedErrors.size >= MAX_LOGGED_ERROR_KEYS) this.#loggedErrors.clear();
    this.#loggedErrors.add(key);
    this.#logger.error(`handler for request code ${requestCode} failed`, err);
  }
}
