/**
 * Writes a command's JSON header straight into bytes, in exactly the text jsonHeaderText() gives
 * (fastjson's order: code, extFields, flag, language, opaque, remark, serializeTypeCurrentRPC,
 * version). No intermediate string per field: plain strings are copied byte by byte, and only a
 * string that JSON must escape (quote, backslash, control characters, lone surrogates) goes
 * through JSON.stringify. The header is built in one scratch buffer reused by every call; callers
 * copy it out before the next call.
 */
import type { RemotingCommand } from '../protocol/remoting-command';
import { TARGET_FULL, grownScratch, writeUnlessFull } from './scratch-buffer';

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

/** Appends ASCII text known to need no escaping (the fixed parts of the header). */
function ascii(text: string): void {
  const n = text.length;
  ensure(n);
  for (let i = 0; i < n; i++) out[pos + i] = text.charCodeAt(i);
  pos += n;
}

function int(value: number): void {
  // Header ints are int32 (code, flag, opaque, version); anything else takes the generic path.
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff || Object.is(value, -0)) {
    ascii(String(value));
    return;
  }
  ensure(11);
  let v = value;
  if (v < 0) {
    out[pos++] = 0x2d;
    v = -v;
  }
  if (v === 0) {
    out[pos++] = 0x30;
    return;
  }
  let digits = 0;
  for (let t = v; t > 0; t = Math.floor(t / 10)) digits++;
  for (let i = pos + digits - 1; i >= pos; i--) {
    out[i] = 0x30 + (v % 10);
    v = Math.floor(v / 10);
  }
  pos += digits;
}

const HEX = '0123456789abcdef';
/** JSON.stringify's short escapes for \b \t \n \f \r (0 = use \u00XX). */
const SHORT_ESCAPES = new Uint8Array(0x20);
SHORT_ESCAPES[0x08] = 0x62;
SHORT_ESCAPES[0x09] = 0x74;
SHORT_ESCAPES[0x0a] = 0x6e;
SHORT_ESCAPES[0x0c] = 0x66;
SHORT_ESCAPES[0x0d] = 0x72;

/**
 * A JSON string literal with its quotes, byte for byte what JSON.stringify writes: ASCII is copied
 * with JSON.stringify's escapes written inline (properties carry \u0001/\u0002 separators on
 * every send); non-ASCII text and lone surrogates take JSON.stringify itself.
 */
function quoted(text: string): void {
  const n = text.length;
  ensure(n * 6 + 2);
  const start = pos;
  out[pos++] = 0x22;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) {
      pos = start;
      utf8(JSON.stringify(text));
      return;
    }
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c) {
      out[pos++] = c;
    } else if (c === 0x22 || c === 0x5c) {
      out[pos++] = 0x5c;
      out[pos++] = c;
    } else {
      const short = SHORT_ESCAPES[c] as number;
      out[pos++] = 0x5c;
      if (short !== 0) {
        out[pos++] = short;
      } else {
        out[pos++] = 0x75; // \u00XX, lowercase hex as JSON.stringify
        out[pos++] = 0x30;
        out[pos++] = 0x30;
        out[pos++] = HEX.charCodeAt(c >> 4);
        out[pos++] = HEX.charCodeAt(c & 15);
      }
    }
  }
  out[pos++] = 0x22;
}

function utf8(text: string): void {
  ensure(Buffer.byteLength(text, 'utf8'));
  pos += out.write(text, pos, 'utf8');
}

/**
 * Writes the header of `command` into the shared scratch buffer and returns its length; read it
 * with `headerScratch()` before writing another.
 */
export function writeJsonHeader(command: RemotingCommand): number {
  return writeHeaderAt(command, scratch, 0, scratch.length);
}

/**
 * Writes the header of `command` into target[start, end) and returns its length, or -1 when it
 * does not fit there (what was written is then garbage).
 */
export function writeJsonHeaderInto(command: RemotingCommand, target: Buffer, start: number, end: number): number {
  return writeUnlessFull(writeHeaderAt, command, target, start, end);
}

function writeHeaderAt(command: RemotingCommand, target: Buffer, start: number, end: number): number {
  out = target;
  pos = start;
  limit = end;
  ascii('{"code":');
  int(command.code);
  ascii(',"extFields":{');
  let isFirst = true;
  const ext = command.extFields;
  for (const key in ext) {
    const value = ext[key];
    if (value === undefined) continue;
    if (!isFirst) ascii(',');
    quoted(key);
    ascii(':');
    quoted(value);
    isFirst = false;
  }
  ascii('},"flag":');
  int(command.flag);
  ascii(',"language":');
  quoted(command.language);
  ascii(',"opaque":');
  int(command.opaque);
  if (command.remark !== undefined) {
    ascii(',"remark":');
    quoted(command.remark);
  }
  ascii(',"serializeTypeCurrentRPC":"JSON","version":');
  int(command.version);
  ascii('}');
  return pos - start;
}

/** The scratch buffer the last writeJsonHeader() filled. */
export function headerScratch(): Buffer {
  return scratch;
}
