/**
 * extFields in RocketMQ's binary header form (RocketMQSerializable.java), as they arrived: per entry
 * a key (int16 length + UTF-8) and a value (int32 length + UTF-8). A command decoded from a binary
 * header keeps them as bytes until someone reads `extFields`; header schemas decode their typed
 * fields straight from the bytes (header-schema.ts), so a send header costs no Record of strings
 * and no string per number.
 */
import { int32BE, latin1Slice, utf8Slice } from '../common/raw-buffer';
import { mqError } from './errors';

/** The extFields bytes of a binary header: entries in frame[start, end), already checked. */
export interface RawExtFields {
  readonly frame: Buffer;
  readonly start: number;
  readonly end: number;
}

/**
 * Strings up to this many bytes are looked up in (and added to) the cache: keys, groups, topics,
 * queue ids and flags repeat; 32-character message ids never do (they skip the hashing).
 */
const CACHED_MAX_BYTES = 24;
const CACHE_SLOTS = 2048;
const cache: Array<string | undefined> = new Array<string | undefined>(CACHE_SLOTS).fill(undefined);

/** The UTF-8 text of frame[start, end): a cached string when short, ASCII and seen before. */
export function readBinaryString(frame: Buffer, start: number, end: number): string {
  const n = end - start;
  if (n === 0) return '';
  if (n > CACHED_MAX_BYTES) return utf8Slice.call(frame, start, end);
  let hash = n;
  for (let i = start; i < end; i++) {
    const c = frame[i]!;
    if (c >= 0x80) return utf8Slice.call(frame, start, end);
    hash = (Math.imul(hash, 31) + c) | 0;
  }
  const slot = (hash ^ (hash >>> 11)) & (CACHE_SLOTS - 1);
  const cached = cache[slot];
  if (cached !== undefined && cached.length === n) {
    let i = 0;
    while (i < n && cached.charCodeAt(i) === frame[start + i]) i++;
    if (i === n) return cached;
  }
  const made = latin1Slice.call(frame, start, end);
  cache[slot] = made;
  return made;
}

/**
 * Whether frame[start, end) holds exactly `text` as 7-bit ASCII: a decoder that remembers a field's
 * last value (the topic and group of a connection's sends rarely change) reuses it without hashing.
 * Compared from the end, where values that do change (ids, counters) usually differ.
 */
export function isSameAscii(frame: Buffer, start: number, end: number, text: string): boolean {
  if (text.length !== end - start) return false;
  for (let i = end - start - 1; i >= 0; i--) {
    const c = frame[start + i]!;
    if (c >= 0x80 || c !== text.charCodeAt(i)) return false;
  }
  return true;
}

function malformed(message: string): Error {
  return mqError('ERR_HEADER_MALFORMED', message);
}

/** Throws ERR_HEADER_MALFORMED unless frame[start, end) is a whole number of well-formed entries. */
export function checkBinaryExtFields(frame: Buffer, start: number, end: number): void {
  let p = start;
  while (p < end) {
    if (end - p < 2) throw malformed('binary header extFields entry truncated (key length)');
    const keyLength = (frame[p]! << 8) | frame[p + 1]!;
    p += 2;
    if (keyLength > end - p - 4) throw malformed('binary header extFields key overruns the header');
    p += keyLength;
    const valueLength = int32BE(frame, p);
    p += 4;
    if (valueLength < 0 || valueLength > end - p) throw malformed('binary header extFields value overruns the header');
    p += valueLength;
  }
}

/** The checked entries of `raw` as a Record (a repeated key keeps its last value, as a HashMap does). */
export function decodeBinaryExtFields(raw: RawExtFields): Record<string, string> {
  const { frame, end } = raw;
  const extFields: Record<string, string> = {};
  let p = raw.start;
  while (p < end) {
    const keyLength = (frame[p]! << 8) | frame[p + 1]!;
    p += 2;
    const key = readBinaryString(frame, p, p + keyLength);
    p += keyLength;
    const valueLength = int32BE(frame, p);
    p += 4;
    const value = readBinaryString(frame, p, p + valueLength);
    // An own "__proto__" key must stay a plain entry, as JSON.parse keeps it.
    if (key === '__proto__') Object.defineProperty(extFields, key, { value, enumerable: true, writable: true, configurable: true });
    else extFields[key] = value;
    p += valueLength;
  }
  return extFields;
}
