/**
 * The one error class of the project. `code` is permanent (tests and callers branch on it; the
 * message may change). `responseCode` is the RocketMQ wire code when the error crosses the wire.
 */
export interface MqErrorOptions {
  readonly responseCode?: number;
  readonly retriable?: boolean;
  readonly cause?: unknown;
}

export class MqError extends Error {
  readonly code: string;
  readonly responseCode: number | undefined;
  readonly retriable: boolean;

  constructor(code: string, message: string, options: MqErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MqError';
    this.code = code;
    this.responseCode = options.responseCode;
    this.retriable = options.retriable ?? false;
  }
}

/** Reads the permanent `code` of any thrown value (MqError, Node SystemError, native store error). */
export function errorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
