/** Logging interface; the default writes to the console and reports each condition key only once. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, err?: unknown): void;
  /** Logs `message` the first time `conditionKey` is seen, then stays quiet until `clear(key)`. */
  warnOnce(conditionKey: string, message: string): void;
  clear(conditionKey: string): void;
}

/** Where ConsoleLogger writes (the global console by default). */
export interface LogSink {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

export class ConsoleLogger implements Logger {
  readonly #prefix: string;
  readonly #sink: LogSink;
  readonly #seen = new Set<string>();

  constructor(prefix = 'cometmq', sink: LogSink = console) {
    this.#prefix = prefix;
    this.#sink = sink;
  }

  info(message: string): void {
    this.#sink.info(`[${this.#prefix}] ${message}`);
  }

  warn(message: string): void {
    this.#sink.warn(`[${this.#prefix}] ${message}`);
  }

  error(message: string, err?: unknown): void {
    this.#sink.error(`[${this.#prefix}] ${message}`, ...(err === undefined ? [] : [err]));
  }

  warnOnce(conditionKey: string, message: string): void {
    if (this.#seen.has(conditionKey)) return;
    this.#seen.add(conditionKey);
    this.warn(message);
  }

  clear(conditionKey: string): void {
    this.#seen.delete(conditionKey);
  }
}

/** A logger that drops everything (tests that provoke warnings on purpose). */
export const silentLogger: Logger = Object.freeze({
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  warnOnce: () => undefined,
  clear: () => undefined,
});
