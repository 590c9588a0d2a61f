import { CURRENT_VERSION, type LanguageName } from './language-code';
import { decodeBinaryExtFields, type RawExtFields } from './binary-ext-fields';
import { SerializeType, type SerializeTypeValue } from './serialize-type';

/** `flag` bit 0: the command is a response. */
export const FLAG_RESPONSE = 1;
/** `flag` bit 1: a request that wants no response. */
export const FLAG_ONEWAY = 2;

/**
 * One remoting frame, request or response (RemotingCommand.java). `extFields` is the flattened
 * custom header: values are always strings here (decoders coerce any JSON scalar the peer sent).
 * Every command created by the helpers below has all fields set, so commands share one shape.
 */
export interface RemotingCommand {
  /** Request code (requests) or response code (responses). */
  code: number;
  language: LanguageName;
  version: number;
  /** Request id; a response carries its request's value. */
  opaque: number;
  flag: number;
  remark?: string | undefined;
  extFields: Record<string, string>;
  body?: Buffer | undefined;
  /** The header form the command arrived in; a response is written in its request's form. */
  serializeTypeCurrentRPC: SerializeTypeValue;
  /**
   * Set on a command whose custom header writes its own binary form (see FastExtFields) and whose
   * `extFields` nobody has read yet; encoders use it instead of `extFields` when present.
   */
  readonly fastExtFields?: FastExtFields | undefined;
  /**
   * Set on a command decoded from a binary header whose `extFields` nobody has read yet: the fields
   * as bytes, which header schemas decode directly (HeaderCodec.decodeFrom).
   */
  readonly rawExtFields?: RawExtFields | undefined;
}

/**
 * Receives a custom header's fields in the binary header form (remoting/binary-header.ts), typed,
 * so nothing has to become a string first.
 */
export interface BinaryExtFieldsSink {
  text(key: string, value: string): void;
  /** An integer in decimal, as String(value) gives it (non-negative safe integers without a string). */
  decimal(key: string, value: number): void;
  /** `prefix` followed by `offset` as 16 upper-case hex digits (the form of an offset message id). */
  prefixedHex64(key: string, prefix: string, offset: number): void;
}

/**
 * A custom header that encodes itself, as RocketMQ's FastCodesHeader does for its hottest headers:
 * a response written in the binary form needs no Record of strings (no String() per number, no
 * concatenated id). `toExtFields` gives the same fields as strings, for the JSON form and readers.
 */
export interface FastExtFields {
  toExtFields(): Record<string, string>;
  writeBinary(out: BinaryExtFieldsSink): void;
}

/**
 * A command whose extFields are deferred: a response whose header writes itself (FastExtFields), or
 * a command decoded from a binary header whose fields are still bytes (RawExtFields). Reading
 * `extFields` materialises them once and makes the command an ordinary one (encoders and header
 * decoders then use what the reader may have changed).
 */
class DeferredExtFieldsCommand implements RemotingCommand {
  code: number;
  language: LanguageName;
  version: number;
  opaque: number;
  flag: number;
  remark: string | undefined;
  body: Buffer | undefined = undefined;
  serializeTypeCurrentRPC: SerializeTypeValue;
  fastExtFields: FastExtFields | undefined;
  rawExtFields: RawExtFields | undefined;
  #extFields: Record<string, string> | undefined;

  constructor(code: number, language: LanguageName, version: number, opaque: number, flag: number, remark: string | undefined,
    serializeType: SerializeTypeValue, fast: FastExtFields | undefined, raw: RawExtFields | undefined) {
    this.code = code;
    this.language = language;
    this.version = version;
    this.opaque = opaque;
    this.flag = flag;
    this.remark = remark;
    this.serializeTypeCurrentRPC = serializeType;
    this.fastExtFields = fast;
    this.rawExtFields = raw;
  }

  get extFields(): Record<string, string> {
    if (this.#extFields === undefined) {
      const raw = this.rawExtFields;
      this.#extFields = this.fastExtFields?.toExtFields() ?? (raw === undefined ? {} : decodeBinaryExtFields(raw));
      this.fastExtFields = undefined;
      this.rawExtFields = undefined;
    }
    return this.#extFields;
  }

  set extFields(fields: Record<string, string>) {
    this.#extFields = fields;
    this.fastExtFields = undefined;
    this.rawExtFields = undefined;
  }

  toJSON(): object {
    return copyCommand(this);
  }
}

/** A response whose custom header writes itself (FastExtFields). */
export function createFastResponse(code: number, remark: string | undefined, fields: FastExtFields, body?: Buffer): RemotingCommand {
  const response = new DeferredExtFieldsCommand(code, 'JAVA', CURRENT_VERSION, 0, FLAG_RESPONSE, remark, SerializeType.JSON, fields, undefined);
  response.body = body;
  return response;
}

/** A request whose custom header writes itself (FastExtFields); opaque 0 until sent, as createRequest. */
export function createFastRequest(code: number, fields: FastExtFields, body?: Buffer): RemotingCommand {
  const request = new DeferredExtFieldsCommand(code, 'JAVA', CURRENT_VERSION, 0, 0, undefined, SerializeType.JSON, fields, undefined);
  request.body = body;
  return request;
}

/**
 * A copy of `command` as a plain object (a resend needs its own opaque). Spreading is not enough:
 * a command with deferred extFields keeps them behind a getter.
 */
export function copyCommand(command: RemotingCommand): RemotingCommand {
  const { code, language, version, opaque, flag, remark, extFields, body, serializeTypeCurrentRPC } = command;
  return { code, language, version, opaque, flag, remark, extFields, body, serializeTypeCurrentRPC };
}

/**
 * For a command that will be kept a long time (a held pull or pop): its extFields stop being a view
 * of the socket read they were decoded from, so holding the command does not hold that read's
 * buffer (up to 64 KiB of other frames) alive.
 */
export function releaseFrame(command: RemotingCommand): void {
  if (command.rawExtFields !== undefined) void command.extFields;
}

/** A command read from a binary header whose extFields (checked) stay bytes until read. */
export function createBinaryDecodedCommand(
  code: number, language: LanguageName, version: number, opaque: number, flag: number, remark: string | undefined, raw: RawExtFields,
): RemotingCommand {
  return new DeferredExtFieldsCommand(code, language, version, opaque, flag, remark, SerializeType.ROCKETMQ, undefined, raw);
}

export function isResponse(command: RemotingCommand): boolean {
  return (command.flag & FLAG_RESPONSE) !== 0;
}

export function isOneway(command: RemotingCommand): boolean {
  return (command.flag & FLAG_ONEWAY) !== 0;
}

/**
 * A request. Its opaque is 0 until sent: the connection that sends it assigns the next id of its
 * client's counter (ids are per client, never module-global).
 */
export function createRequest(
  code: number,
  extFields: Record<string, string> = {},
  body?: Buffer,
): RemotingCommand {
  return {
    code,
    language: 'JAVA',
    version: CURRENT_VERSION,
    opaque: 0,
    flag: 0,
    remark: undefined,
    extFields,
    body,
    serializeTypeCurrentRPC: SerializeType.JSON,
  };
}

/**
 * A response. The server stamps the request's opaque and header form on whatever a handler
 * returns, so handlers may build responses without the request; `createResponseFor` keeps the
 * opaque explicitly for code that writes responses itself.
 */
export function createResponse(
  code: number,
  remark?: string,
  extFields: Record<string, string> = {},
  body?: Buffer,
): RemotingCommand {
  return {
    code,
    language: 'JAVA',
    version: CURRENT_VERSION,
    opaque: 0,
    flag: FLAG_RESPONSE,
    remark,
    extFields,
    body,
    serializeTypeCurrentRPC: SerializeType.JSON,
  };
}

/** A response to `request`: same opaque, same header form. */
export function createResponseFor(
  request: RemotingCommand,
  code: number,
  remark?: string,
  extFields: Record<string, string> = {},
  body?: Buffer,
): RemotingCommand {
  const response = createResponse(code, remark, extFields, body);
  response.opaque = request.opaque;
  response.serializeTypeCurrentRPC = request.serializeTypeCurrentRPC;
  return response;
}
