/**
 * RocketMQ's binary header form (serialize type ROCKETMQ, RocketMQSerializable.java): code int16,
 * language byte, version int16, opaque int32, flag int32, remark (int32 length + UTF-8), extFields
 * (int32 total length, then per entry: key int16 length + UTF-8, value int32 length + UTF-8).
 *
 * Written for the hot path: the encoder writes strings byte by byte into one reused scratch buffer
 * (no Buffer per key and value), and the decoder takes keys and short values from a small
 * direct-mapped cache of strings it has already made (the same dozen keys, groups, topics and queue
 * ids come in every frame), so a send header costs a few string allocations instead of twenty.
 */
import { LanguageCode, languageFromByte, mqError, SerializeType, type RemotingCommand } from '../protocol';
import { grownScratch } from './scratch-buffer';

/** code(2) language(1) version(2) opaque(4) flag(4) remarkLength(4) extFieldsLength(4). */
export const BINARY_FIXED_BYTES = 21;

const INITIAL_SCRATCH_BYTES = 4096;
let scratch: Buffer = Buffer.allocUnsafeSlow(INITIAL_SCRATCH_BYTES);
let pos = 0;

function ensure(extra: number): void {
  if (pos + extra > scratch.length) scratch = grownScratch(scratch, pos, pos + extra);
}

type Writer = (this: Buffer, text: string, offset: number) => number;
const utf8Write = (Buffer.prototype as unknown as { utf8Write: Writer }).utf8Write;
const latin1Write = (Buffer.prototype as unknown as { latin1Write: Writer }).latin1Write;

/** Any character that is not 7-bit ASCII (its UTF-8 length differs from its string length). */
const NON_ASCII = /[^\x00-\x7f]/;
/** Up to this many characters a string is copied by a loop; longer ones by one native write. */
const LOOP_MAX_CHARS = 32;

/**
 * Writes `text` as UTF-8 at `pos` and returns its byte length. No garbage: building the header as
 * one concatenated string and copying it once costs less CPU but makes ~1.5 KiB of short-lived
 * strings per header, and with a thousand requests in flight the scavenges that garbage triggers
 * cost the client more than the copy loop (measured: GC 20% -> 32% of the client's busy time).
 */
function writeString(text: string): number {
  const n = text.length;
  ensure(n * 3);
  const buf = scratch;
  const at = pos;
  if (n <= LOOP_MAX_CHARS) {
    let i = 0;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) break;
      buf[at + i] = c;
    }
    if (i === n) {
      pos = at + n;
      return n;
    }
  } else if (!NON_ASCII.test(text)) {
    latin1Write.call(buf, text, at);
    pos = at + n;
    return n;
  }
  const written = utf8Write.call(buf, text, at);
  pos = at + written;
  return written;
}

/**
 * Writes the binary header of `command` into the shared scratch buffer and returns its length;
 * read it with `binaryHeaderScratch()` before another call. Lengths are filled in after each
 * string is written (a UTF-8 length is known only then).
 */
export function writeBinaryHeader(command: RemotingCommand): number {
  pos = 0;
  ensure(BINARY_FIXED_BYTES);
  // Java casts code and version to short; codes above 32767 (pop) cannot travel in this form.
  scratch.writeInt16BE((command.code << 16) >> 16, 0);
  scratch[2] = LanguageCode[command.language];
  scratch.writeInt16BE((command.version << 16) >> 16, 3);
  scratch.writeInt32BE(command.opaque | 0, 5);
  scratch.writeInt32BE(command.flag | 0, 9);
  pos = 17;
  // Each length is read into a local first: writing a string may replace `scratch` (it grows).
  const remarkLength = command.remark === undefined ? 0 : writeString(command.remark);
  scratch.writeInt32BE(remarkLength, 13);
  ensure(4);
  const extStart = pos;
  pos += 4;
  const ext = command.extFields;
  for (const key in ext) {
    const value = ext[key];
    if (value === undefined) continue;
    ensure(2);
    const keyAt = pos;
    pos += 2;
    const keyLength = writeString(key);
    if (keyLength > 0xffff) throw mqError('ERR_HEADER_MALFORMED', `extFields key of ${keyLength} bytes cannot travel in a binary header`);
    scratch[keyAt] = keyLength >>> 8;
    scratch[keyAt + 1] = keyLength & 0xff;
    ensure(4);
    const valueAt = pos;
    pos += 4;
    const valueLength = writeString(value);
    scratch.writeInt32BE(valueLength, valueAt);
  }
  scratch.writeInt32BE(pos - extStart - 4, extStart);
  return pos;
}

export function binaryHeaderScratch(): Buffer {
  return scratch;
}

// ---- decoding -------------------------------------------------------------------------------

/**
 * Strings up to this many bytes are looked up in (and added to) the cache: keys, groups, topics,
 * queue ids and flags repeat; 32-character message ids never do (they skip the hashing).
 */
const CACHED_MAX_BYTES = 24;
const CACHE_SLOTS = 2048;
const cache: Array<string | undefined> = new Array<string | undefined>(CACHE_SLOTS).fill(undefined);

type Slicer = (this: Buffer, start: number, end: number) => string;
const utf8Slice = (Buffer.prototype as unknown as { utf8Slice: Slicer }).utf8Slice;
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice: Slicer }).latin1Slice;

/** The UTF-8 text of frame[start, end): a cached string when short, ASCII and seen before. */
function readString(frame: Buffer, start: number, end: number): string {
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

function malformed(message: string): Error {
  return mqError('ERR_HEADER_MALFORMED', message);
}

/** The command in frame[start, end) (a binary header); the caller sets the body. */
export function decodeBinaryHeader(frame: Buffer, start: number, end: number): RemotingCommand {
  if (end - start < BINARY_FIXED_BYTES) {
    throw malformed(`binary header of ${end - start} bytes is shorter than ${BINARY_FIXED_BYTES}`);
  }
  const code = frame.readInt16BE(start);
  const language = languageFromByte(frame[start + 2]!);
  const version = frame.readInt16BE(start + 3);
  const opaque = frame.readInt32BE(start + 5);
  const flag = frame.readInt32BE(start + 9);
  let p = start + 13;
  const remarkLength = frame.readInt32BE(p);
  p += 4;
  if (remarkLength < 0 || remarkLength > end - p - 4) {
    throw malformed(`binary header remark length ${remarkLength} exceeds the header`);
  }
  const remark = remarkLength > 0 ? utf8Slice.call(frame, p, p + remarkLength) : undefined;
  p += remarkLength;
  const extLength = frame.readInt32BE(p);
  p += 4;
  if (extLength < 0 || extLength > end - p) {
    throw malformed(`binary header extFields length ${extLength} exceeds the header`);
  }
  const extFields: Record<string, string> = {};
  const extEnd = p + extLength;
  while (p < extEnd) {
    if (extEnd - p < 2) throw malformed('binary header extFields entry truncated (key length)');
    const keyLength = (frame[p]! << 8) | frame[p + 1]!;
    p += 2;
    if (keyLength > extEnd - p - 4) throw malformed('binary header extFields key overruns the header');
    const key = readString(frame, p, p + keyLength);
    p += keyLength;
    const valueLength = frame.readInt32BE(p);
    p += 4;
    if (valueLength < 0 || valueLength > extEnd - p) throw malformed('binary header extFields value overruns the header');
    const value = readString(frame, p, p + valueLength);
    // An own "__proto__" key must stay a plain entry, as JSON.parse keeps it.
    if (key === '__proto__') Object.defineProperty(extFields, key, { value, enumerable: true, writable: true, configurable: true });
    else extFields[key] = value;
    p += valueLength;
  }
  return { code, language, version, opaque, flag, remark, extFields, body: undefined, serializeTypeCurrentRPC: SerializeType.ROCKETMQ };
}
