/**
 * RocketMQ's binary header form (serialize type ROCKETMQ, RocketMQSerializable.java): code int16,
 * language byte, version int16, opaque int32, flag int32, remark (int32 length + UTF-8), extFields
 * (int32 total length, then per entry: key int16 length + UTF-8, value int32 length + UTF-8).
 *
 * Written for the hot path: the encoder writes strings byte by byte into one reused scratch buffer
 * (no Buffer per key and value), or lets a FastExtFields header write its typed fields; the decoder
 * checks the extFields and leaves them as bytes (protocol/binary-ext-fields.ts) until read.
 */
import { checkBinaryExtFields } from '../protocol/binary-ext-fields';
import { mqError } from '../protocol/errors';
import { LanguageCode, languageFromByte } from '../protocol/language-code';
import { createBinaryDecodedCommand, type BinaryExtFieldsSink, type RemotingCommand } from '../protocol/remoting-command';
import { int16BE, int32BE, latin1Write, putInt16BE, putInt32BE, utf8Slice, utf8Write } from '../common/raw-buffer';
import { TARGET_FULL, grownScratch, writeUnlessFull } from './scratch-buffer';

/** code(2) language(1) version(2) opaque(4) flag(4) remarkLength(4) extFieldsLength(4). */
export const BINARY_FIXED_BYTES = 21;

const INITIAL_SCRATCH_BYTES = 4096;
let scratch: Buffer = Buffer.allocUnsafeSlow(INITIAL_SCRATCH_BYTES);
/** Where the header being written goes (the scratch buffer or a caller's), the position and the end. */
let out: Buffer = scratch;
let pos = 0;
let limit = scratch.length;

function ensure(extra: number): void {
  if (pos + extra <= limit) return;
  if (out !== scratch) throw TARGET_FULL;
  scratch = out = grownScratch(scratch, pos, pos + extra);
  limit = scratch.length;
}

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
  const buf = out;
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
 * Writes an extFields entry's key and leaves room for its value's length; returns where that length
 * goes (endEntry fills it once the value is written).
 */
function beginEntry(key: string): number {
  ensure(2);
  const keyAt = pos;
  pos += 2;
  const keyLength = writeString(key);
  if (keyLength > 0xffff) throw mqError('ERR_HEADER_MALFORMED', `extFields key of ${keyLength} bytes cannot travel in a binary header`);
  putInt16BE(out, keyAt, keyLength);
  ensure(4);
  const valueAt = pos;
  pos += 4;
  return valueAt;
}

function endEntry(valueAt: number, valueLength: number): void {
  putInt32BE(out, valueAt, valueLength);
}

/**
 * `value` in decimal as String(value) writes it; returns the length. A non-negative safe integer
 * makes no string: past 10^8 it goes as two int32 halves, since integer division by 10 is much
 * cheaper than floating division (13-digit timestamps in every send header).
 */
function writeDecimal(value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) return writeString(String(value));
  if (value < EIGHT_DIGITS) return writeInt32Digits(value, 1);
  const high = Math.floor(value / EIGHT_DIGITS);
  const highLength = writeInt32Digits(high, 1);
  return highLength + writeInt32Digits(value - high * EIGHT_DIGITS, 8);
}

const EIGHT_DIGITS = 1e8;

/** `value` (0 <= value < 10^8) in decimal, left-padded with zeros to `minDigits`. */
function writeInt32Digits(value: number, minDigits: number): number {
  let digits = 1;
  for (let limit = 10; limit <= value; limit *= 10) digits++;
  if (digits < minDigits) digits = minDigits;
  ensure(digits);
  const buf = out;
  let v = value | 0;
  for (let i = pos + digits - 1; i >= pos; i--) {
    const q = (v / 10) | 0;
    buf[i] = 0x30 + v - q * 10;
    v = q;
  }
  pos += digits;
  return digits;
}

const UPPER_HEX = [0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46];
const TWO_32 = 0x1_0000_0000;

function writeHexWord(word: number): void {
  const buf = out;
  for (let shift = 28; shift >= 0; shift -= 4) buf[pos++] = UPPER_HEX[(word >>> shift) & 0xf]!;
}

/** `prefix` then a 64-bit offset as 16 upper-case hex digits; returns the length. */
function writePrefixedHex64(prefix: string, offset: number): number {
  const prefixLength = writeString(prefix);
  ensure(16);
  const high = Math.floor(offset / TWO_32);
  writeHexWord(high);
  writeHexWord(offset - high * TWO_32);
  return prefixLength + 16;
}

/** What FastExtFields write through. */
const fieldSink: BinaryExtFieldsSink = {
  text(key, value) {
    const at = beginEntry(key);
    endEntry(at, writeString(value));
  },
  decimal(key, value) {
    const at = beginEntry(key);
    endEntry(at, writeDecimal(value));
  },
  prefixedHex64(key, prefix, offset) {
    const at = beginEntry(key);
    endEntry(at, writePrefixedHex64(prefix, offset));
  },
};

/**
 * Writes the binary header of `command` into the shared scratch buffer and returns its length;
 * read it with `binaryHeaderScratch()` before another call.
 */
export function writeBinaryHeader(command: RemotingCommand): number {
  return writeHeaderAt(command, scratch, 0, scratch.length);
}

/**
 * Writes the binary header of `command` into target[start, end) and returns its length, or -1 when
 * it does not fit there (what was written is then garbage).
 */
export function writeBinaryHeaderInto(command: RemotingCommand, target: Buffer, start: number, end: number): number {
  return writeUnlessFull(writeHeaderAt, command, target, start, end);
}

/** Lengths are filled in after each string is written (a UTF-8 length is known only then). */
function writeHeaderAt(command: RemotingCommand, target: Buffer, start: number, end: number): number {
  out = target;
  pos = start;
  limit = end;
  ensure(BINARY_FIXED_BYTES);
  // Java casts code and version to short; codes above 32767 (pop) cannot travel in this form.
  putInt16BE(out, start, command.code);
  out[start + 2] = LanguageCode[command.language];
  putInt16BE(out, start + 3, command.version);
  putInt32BE(out, start + 5, command.opaque);
  putInt32BE(out, start + 9, command.flag);
  pos = start + 17;
  // Each length is read into a local first: writing a string may replace the scratch buffer (it grows).
  const remarkLength = command.remark === undefined ? 0 : writeString(command.remark);
  putInt32BE(out, start + 13, remarkLength);
  ensure(4);
  const extStart = pos;
  pos += 4;
  const fast = command.fastExtFields;
  if (fast !== undefined) {
    fast.writeBinary(fieldSink);
  } else {
    const ext = command.extFields;
    for (const key in ext) {
      const value = ext[key];
      if (value === undefined) continue;
      const at = beginEntry(key);
      endEntry(at, writeString(value));
    }
  }
  putInt32BE(out, extStart, pos - extStart - 4);
  return pos - start;
}

export function binaryHeaderScratch(): Buffer {
  return scratch;
}

// ---- decoding -------------------------------------------------------------------------------

function malformed(message: string): Error {
  return mqError('ERR_HEADER_MALFORMED', message);
}

/**
 * The command in frame[start, end) (a binary header); the caller sets the body. The extFields are
 * checked here but stay bytes until read (RawExtFields): the send path's header schema decodes them
 * without a Record of strings.
 */
export function decodeBinaryHeader(frame: Buffer, start: number, end: number): RemotingCommand {
  if (end - start < BINARY_FIXED_BYTES) {
    throw malformed(`binary header of ${end - start} bytes is shorter than ${BINARY_FIXED_BYTES}`);
  }
  const code = int16BE(frame, start);
  const language = languageFromByte(frame[start + 2]!);
  const version = int16BE(frame, start + 3);
  const opaque = int32BE(frame, start + 5);
  const flag = int32BE(frame, start + 9);
  let p = start + 13;
  const remarkLength = int32BE(frame, p);
  p += 4;
  if (remarkLength < 0 || remarkLength > end - p - 4) {
    throw malformed(`binary header remark length ${remarkLength} exceeds the header`);
  }
  const remark = remarkLength > 0 ? utf8Slice.call(frame, p, p + remarkLength) : undefined;
  p += remarkLength;
  const extLength = int32BE(frame, p);
  p += 4;
  if (extLength < 0 || extLength > end - p) {
    throw malformed(`binary header extFields length ${extLength} exceeds the header`);
  }
  checkBinaryExtFields(frame, p, p + extLength);
  return createBinaryDecodedCommand(code, language, version, opaque, flag, remark, { frame, start: p, end: p + extLength });
}
