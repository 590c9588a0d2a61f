/**
 * A fast reader for the JSON header shapes peers actually send: one object of scalar fields plus
 * an `extFields` object of scalar values. It reads the bytes in place
 * (no header string, no JSON.parse object tree) and hands back exactly the scalars JSON.parse would
 * have produced; command-codec.ts then applies the same coercions to them as to a parsed header.
 *
 * Anything outside that subset (raw control characters, fractions and exponents, nested
 * values, trailing bytes, malformed text) makes it return undefined, and the caller falls back to
 * JSON.parse, which produces the result or the error. So the subset only ever speeds things up: it
 * never accepts or reads a header differently from the full parser.
 */

/** Top-level header fields as JSON.parse would give them (undefined when absent). */
export interface ScannedJsonHeader {
  code: unknown;
  language: unknown;
  version: unknown;
  opaque: unknown;
  flag: unknown;
  remark: unknown;
  /** Present (possibly null) when the header had an "extFields" key. */
  extFields: Record<string, string | number | boolean | null> | null | undefined;
  hasExtFields: boolean;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
/** Integers longer than this are left to JSON.parse (beyond 2^53 Number() and JSON differ in nothing, but keep it simple). */
const MAX_INT_DIGITS = 15;

/** Signals "not in the fast subset"; never escapes this module. */
const BAIL = Symbol('bail');

class Scanner {
  pos: number;
  constructor(readonly b: Buffer, start: number, readonly end: number) {
    this.pos = start;
  }

  skipSpace(): void {
    const b = this.b;
    while (this.pos < this.end) {
      const c = b[this.pos] as number;
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else return;
    }
  }

  /** The next non-space byte, consumed. */
  take(): number {
    this.skipSpace();
    if (this.pos >= this.end) throw BAIL;
    return this.b[this.pos++] as number;
  }

  peek(): number {
    this.skipSpace();
    if (this.pos >= this.end) throw BAIL;
    return this.b[this.pos] as number;
  }

  /** A string, the opening quote already consumed. */
  string(): string {
    const b = this.b;
    const start = this.pos;
    let isAscii = true;
    for (let i = start; i < this.end; i++) {
      const c = b[i] as number;
      if (c === QUOTE) {
        this.pos = i + 1;
        return b.toString(isAscii ? 'latin1' : 'utf8', start, i);
      }
      if (c === BACKSLASH) return this.escapedString(start);
      if (c < 0x20) throw BAIL;
      if (c >= 0x80) isAscii = false;
    }
    throw BAIL;
  }

  /**
   * A string with escapes (producers' properties carry \u0001/\u0002 separators): the literal,
   * quotes included, goes through JSON.parse alone, which decodes it exactly as the whole header
   * would have been.
   */
  escapedString(start: number): string {
    const b = this.b;
    for (let i = start; i < this.end; i++) {
      const c = b[i] as number;
      if (c === BACKSLASH) {
        i++;
      } else if (c === QUOTE) {
        this.pos = i + 1;
        try {
          return JSON.parse(b.toString('utf8', start - 1, i + 1)) as string;
        } catch {
          throw BAIL;
        }
      }
    }
    throw BAIL;
  }

  /** A scalar value: string, integer, true, false or null. */
  scalar(): string | number | boolean | null {
    const c = this.take();
    if (c === QUOTE) return this.string();
    if (c === MINUS || (c >= ZERO && c <= NINE)) return this.integer(c);
    if (c === 0x74 && this.word('rue')) return true;
    if (c === 0x66 && this.word('alse')) return false;
    if (c === 0x6e && this.word('ull')) return null;
    throw BAIL;
  }

  word(rest: string): boolean {
    if (this.pos + rest.length > this.end) return false;
    for (let i = 0; i < rest.length; i++) {
      if (this.b[this.pos + i] !== rest.charCodeAt(i)) return false;
    }
    this.pos += rest.length;
    return true;
  }

  /** JSON's integer grammar only: -?(0|[1-9][0-9]*), followed by something that is not a digit, '.', 'e' or 'E'. */
  integer(first: number): number {
    const b = this.b;
    const isNegative = first === MINUS;
    let value = 0;
    let digits = 0;
    let i = isNegative ? this.pos : this.pos - 1;
    const firstDigit = b[i];
    if (firstDigit === undefined || i >= this.end || firstDigit < ZERO || firstDigit > NINE) throw BAIL;
    for (; i < this.end; i++) {
      const c = b[i] as number;
      if (c < ZERO || c > NINE) break;
      value = value * 10 + (c - ZERO);
      digits++;
    }
    if (digits > MAX_INT_DIGITS || (firstDigit === ZERO && digits > 1)) throw BAIL;
    const next = i < this.end ? (b[i] as number) : -1;
    if (next === 0x2e || next === 0x65 || next === 0x45) throw BAIL;
    this.pos = i;
    // -0 is a number JSON.parse gives as -0; keep it so String()/coercions match exactly.
    return isNegative ? -value : value;
  }
}

function scanExtFields(s: Scanner): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  if (s.peek() === CLOSE_BRACE) {
    s.pos++;
    return out;
  }
  for (;;) {
    if (s.take() !== QUOTE) throw BAIL;
    const key = s.string();
    if (s.take() !== COLON) throw BAIL;
    // Objects/arrays as values are not in the subset (scalar() bails on them).
    const value = s.scalar();
    if (key === '__proto__') throw BAIL; // JSON.parse makes it an own property; leave that to it
    out[key] = value;
    const c = s.take();
    if (c === CLOSE_BRACE) return out;
    if (c !== COMMA) throw BAIL;
  }
}

/** The header's scalars, or undefined when the header is outside the fast subset. */
export function scanJsonHeader(frame: Buffer, start: number, end: number): ScannedJsonHeader | undefined {
  const s = new Scanner(frame, start, end);
  const h: ScannedJsonHeader = {
    code: undefined, language: undefined, version: undefined, opaque: undefined, flag: undefined, remark: undefined,
    extFields: undefined, hasExtFields: false,
  };
  try {
    if (s.take() !== OPEN_BRACE) return undefined;
    if (s.peek() === CLOSE_BRACE) {
      s.pos++;
    } else {
      for (;;) {
        if (s.take() !== QUOTE) return undefined;
        const key = s.string();
        if (s.take() !== COLON) return undefined;
        if (key === 'extFields') {
          h.hasExtFields = true;
          if (s.peek() === OPEN_BRACE) {
            s.pos++;
            h.extFields = scanExtFields(s);
          } else {
            const v = s.scalar();
            if (v !== null) return undefined; // not an object: JSON.parse path reports it
            h.extFields = null;
          }
        } else {
          const v = s.scalar();
          switch (key) {
            case 'code': h.code = v; break;
            case 'language': h.language = v; break;
            case 'version': h.version = v; break;
            case 'opaque': h.opaque = v; break;
            case 'flag': h.flag = v; break;
            case 'remark': h.remark = v; break;
            default: break; // serializeTypeCurrentRPC and unknown scalars are not read
          }
        }
        const c = s.take();
        if (c === CLOSE_BRACE) break;
        if (c !== COMMA) return undefined;
      }
    }
    s.skipSpace();
    return s.pos === end ? h : undefined;
  } catch (err) {
    if (err === BAIL) return undefined;
    throw err;
  }
}
