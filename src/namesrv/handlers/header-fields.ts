/**
 * Reads the name server's request headers out of extFields (already strings, whatever JSON type
 * the peer sent). A missing mandatory field or an unreadable value is an MqError that the server
 * answers as SYSTEM_ERROR with the field named, as Java does for @CFNotNull fields.
 */
import { mqError, type RemotingCommand } from '../../protocol';

export function requiredString(request: RemotingCommand, name: string): string {
  const v = request.extFields[name];
  if (v === undefined || v === '') throw mqError('ERR_HEADER_FIELD_MISSING', `the request lacks the header field ${name}`);
  return v;
}

export function optionalString(request: RemotingCommand, name: string): string | undefined {
  const v = request.extFields[name];
  return v === undefined || v === '' ? undefined : v;
}

export function requiredInt(request: RemotingCommand, name: string): number {
  return parseInteger(requiredString(request, name), name);
}

export function optionalInt(request: RemotingCommand, name: string): number | undefined {
  const v = optionalString(request, name);
  return v === undefined ? undefined : parseInteger(v, name);
}

/** Java's Boolean.parseBoolean: "true" (any case) is true, anything else false. */
export function optionalBoolean(request: RemotingCommand, name: string): boolean | undefined {
  const v = optionalString(request, name);
  return v === undefined ? undefined : v.toLowerCase() === 'true';
}

function parseInteger(v: string, name: string): number {
  if (!/^-?\d+$/.test(v.trim()) || !Number.isSafeInteger(Number(v))) {
    throw mqError('ERR_HEADER_FIELD_MALFORMED', `header field ${name} is not an integer: ${JSON.stringify(v.slice(0, 40))}`);
  }
  return Number(v);
}
