import { mqError } from './errors';

/**
 * Reads JSON bodies the way fastjson (Java's side) tolerates them: standard JSON, plus
 * - unquoted integer keys (`{0:"a"}`), read as string keys ("0");
 * - object keys (`{{"topic":"t","queueId":0}:{...}}`): such an object is returned as a `Map` whose
 *   keys are the parsed key objects (other objects are plain objects);
 * - unquoted identifier keys and single-quoted strings (fastjson accepts them);
 * - integers beyond 2^53 as bigint (Java longs), other numbers as number.
 * Malformed input throws ERR_BODY_MALFORMED; nesting is bounded so hostile input cannot exhaust the stack.
 */
const MAX_DEPTH = 512;

export function parseFastjson(input: string | Buffer): unknown {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  const parser = new Parser(text);
  parser.skipSpace();
  const value = parser.value(0);
  parser.skipSpace();
  if (parser.pos !== text.length) throw parser.fail('unexpected text after the value');
  return value;
}

class Parser {
  pos = 0;
  constructor(readonly text: string) {}

  fail(what: string): Error {
    return mqError('ERR_BODY_MALFORMED', `JSON body: ${what} at offset ${this.pos}`);
  }

  skipSpace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else break;
    }
  }

  value(depth: number): unknown {
    if (depth > MAX_DEPTH) throw this.fail(`nesting deeper than ${MAX_DEPTH}`);
    const c = this.text[this.pos];
    switch (c) {
      case '{':
        return this.object(depth);
      case '[':
        return this.array(depth);
      case '"':
      case "'":
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      default:
        if (c !== undefined && (c === '-' || (c >= '0' && c <= '9'))) return this.number();
        throw this.fail(c === undefined ? 'unexpected end' : `unexpected ${JSON.stringify(c)}`);
    }
  }

  literal<T>(word: string, result: T): T {
    if (!this.text.startsWith(word, this.pos)) throw this.fail(`expected ${word}`);
    this.pos += word.length;
    return result;
  }

  number(): number | bigint {
    const match = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.pos, this.pos + 400));
    if (match === null) throw this.fail('malformed number');
    this.pos += match[0].length;
    const n = Number(match[0]);
    if (match[1] === undefined && match[2] === undefined && !Number.isSafeInteger(n)) return BigInt(match[0]);
    return n;
  }

  string(): string {
    const quote = this.text[this.pos];
    if (quote === '"') {
      // Standard strings: let JSON.parse do escapes after finding the closing quote.
      const end = this.#closingQuote('"');
      const raw = this.text.slice(this.pos, end + 1);
      this.pos = end + 1;
      try {
        return JSON.parse(raw) as string;
      } catch {
        this.pos -= raw.length;
        throw this.fail('malformed string');
      }
    }
    const end = this.#closingQuote("'");
    const inner = this.text.slice(this.pos + 1, end).replace(/\\'/g, "'").replace(/"/g, '\\"');
    this.pos = end + 1;
    try {
      return JSON.parse(`"${inner}"`) as string;
    } catch {
      throw this.fail('malformed string');
    }
  }

  #closingQuote(quote: string): number {
    const t = this.text;
    let i = this.pos + 1;
    while (i < t.length) {
      const c = t[i];
      if (c === '\\') i += 2;
      else if (c === quote) return i;
      else i++;
    }
    throw this.fail('unterminated string');
  }

  array(depth: number): unknown[] {
    this.pos++;
    const out: unknown[] = [];
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      out.push(this.value(depth + 1));
      this.skipSpace();
      const c = this.text[this.pos++];
      if (c === ']') return out;
      if (c !== ',') throw this.fail('expected , or ]');
    }
  }

  object(depth: number): Record<string, unknown> | Map<unknown, unknown> {
    this.pos++;
    const entries: Array<[unknown, unknown]> = [];
    let hasObjectKey = false;
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return {};
    }
    for (;;) {
      this.skipSpace();
      const key = this.key(depth);
      if (typeof key !== 'string') hasObjectKey = true;
      this.skipSpace();
      if (this.text[this.pos++] !== ':') throw this.fail('expected :');
      this.skipSpace();
      entries.push([key, this.value(depth + 1)]);
      this.skipSpace();
      const c = this.text[this.pos++];
      if (c === '}') break;
      if (c !== ',') throw this.fail('expected , or }');
    }
    if (hasObjectKey) return new Map(entries);
    const out: Record<string, unknown> = {};
    for (const [key, entry] of entries) {
      // defineProperty: a "__proto__" key must stay data, never become the prototype.
      Object.defineProperty(out, key as string, { value: entry, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }

  key(depth: number): unknown {
    const c = this.text[this.pos];
    if (c === '"' || c === "'") return this.string();
    if (c === '{' || c === '[') return this.value(depth + 1);
    const match = /^-?[A-Za-z0-9_$.]+/.exec(this.text.slice(this.pos, this.pos + 256));
    if (match === null) throw this.fail('expected a key');
    this.pos += match[0].length;
    return match[0];
  }
}
