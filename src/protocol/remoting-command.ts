import { CURRENT_VERSION, type LanguageName } from './language-code';
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
