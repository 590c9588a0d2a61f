/**
 * Readers for single request extFields, for handlers that read a field or two without a full
 * header codec (header-schema.ts). Values are already strings, whatever JSON type the peer sent.
 * A missing mandatory field, or one that is not its declared type, is a catalogue error naming the
 * field (answered SYSTEM_ERROR, as Apache answers a header it cannot decode).
 */
import { mqError } from '../errors';
import type { RemotingCommand } from '../remoting-command';

const INT_PATTERN = /^-?\d+$/;

export function requiredString(request: RemotingCommand, name: string): string {
  const value = request.extFields[name];
  if (value === undefined) throw missing(request, name);
  return value;
}

export function optionalString(request: RemotingCommand, name: string): string | undefined {
  return request.extFields[name];
}

/** An integer field (Java Integer or Long; Long values beyond 2^53 are refused). */
export function requiredInt(request: RemotingCommand, name: string): number {
  const value = request.extFields[name];
  if (value === undefined) throw missing(request, name);
  return parseInteger(request, name, value);
}

export function optionalInt(request: RemotingCommand, name: string): number | undefined;
export function optionalInt(request: RemotingCommand, name: string, fallback: number): number;
export function optionalInt(request: RemotingCommand, name: string, fallback?: number): number | undefined {
  const value = request.extFields[name];
  return value === undefined || value === '' ? fallback : parseInteger(request, name, value);
}

/** Java's Boolean.parseBoolean, as Apache decodes header booleans: "true" in any case is true. */
export function optionalBoolean(request: RemotingCommand, name: string): boolean | undefined;
export function optionalBoolean(request: RemotingCommand, name: string, fallback: boolean): boolean;
export function optionalBoolean(request: RemotingCommand, name: string, fallback?: boolean): boolean | undefined {
  const value = request.extFields[name];
  return value === undefined || value === '' ? fallback : value.toLowerCase() === 'true';
}

function parseInteger(request: RemotingCommand, name: string, value: string): number {
  const plain = plainInteger(value);
  if (plain !== undefined) return plain;
  const n = Number(value);
  if (!INT_PATTERN.test(value.trim()) || !Number.isSafeInteger(n)) {
    throw mqError('ERR_HEADER_FIELD_MALFORMED', `request code ${request.code}: header field ${name} must be an integer, got "${value.slice(0, 40)}"`);
  }
  return n;
}

/**
 * The common case without a regex or trim: optional '-', then 1-15 digits (always a safe integer).
 * Anything else (spaces, longer numbers, junk) is left to the general check.
 */
function plainInteger(value: string): number | undefined {
  const n = value.length;
  let i = n > 0 && value.charCodeAt(0) === 0x2d ? 1 : 0;
  if (i === n || n - i > 15) return undefined;
  let result = 0;
  for (; i < n; i++) {
    const d = value.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return undefined;
    result = result * 10 + d;
  }
  return value.charCodeAt(0) === 0x2d ? -result : result;
}

function missing(request: RemotingCommand, name: string): Error {
  return mqError('ERR_HEADER_FIELD_MISSING', `request code ${request.code}: the custom header field ${name} is null`);
}
