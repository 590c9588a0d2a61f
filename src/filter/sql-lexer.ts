/**
 * Tokens of RocketMQ's SQL92 message selector (filter/.../SelectorParser.jj): keywords are
 * case-insensitive, identifiers are [A-Za-z_$][A-Za-z0-9_$]*, strings are single-quoted with ''
 * for a quote, integers are 0 or start with 1-9 (an L suffix is allowed), decimals have a dot
 * and/or an exponent. `--` line comments and block comments are skipped.
 */
import { sqlSyntaxError } from './sql-errors';

export const KEYWORDS = [
  'NOT', 'AND', 'OR', 'BETWEEN', 'IN', 'TRUE', 'FALSE', 'NULL', 'IS', 'CONTAINS', 'STARTSWITH', 'ENDSWITH',
] as const;
export type Keyword = (typeof KEYWORDS)[number];

export const OPERATORS = ['=', '<>', '!=', '>', '>=', '<', '<=', '(', ')', ',', '+', '-'] as const;
export type Operator = (typeof OPERATORS)[number];

export type Token =
  | { readonly kind: 'keyword'; readonly keyword: Keyword; readonly text: string; readonly position: number }
  | { readonly kind: 'operator'; readonly operator: Operator; readonly text: string; readonly position: number }
  | { readonly kind: 'identifier'; readonly name: string; readonly text: string; readonly position: number }
  | { readonly kind: 'string'; readonly value: string; readonly text: string; readonly position: number }
  | { readonly kind: 'integer'; readonly value: bigint; readonly text: string; readonly position: number }
  | { readonly kind: 'decimal'; readonly value: number; readonly text: string; readonly position: number }
  | { readonly kind: 'end'; readonly text: string; readonly position: number };

const KEYWORD_SET: ReadonlySet<string> = new Set(KEYWORDS);
const LONG_MAX = (1n << 63n) - 1n;
const IDENTIFIER = /[A-Za-z_$][A-Za-z0-9_$]*/y;
// Digits, optional fraction, optional exponent, optional L: validated below for the clearer error.
const NUMBER = /(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?([lL])?/y;

/** Splits `source` into tokens; the last one is always `end`. Positions are 0-based offsets. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < source.length) {
    const c = source[pos] as string;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') {
      pos++;
    } else if (source.startsWith('--', pos)) {
      const newline = source.slice(pos).search(/[\r\n]/);
      pos = newline < 0 ? source.length : pos + newline;
    } else if (source.startsWith('/*', pos)) {
      const close = source.indexOf('*/', pos + 2);
      if (close < 0) throw sqlSyntaxError(source, pos, '/*', 'the comment is not closed');
      pos = close + 2;
    } else if (c === "'") {
      const token = readString(source, pos);
      tokens.push(token);
      pos += token.text.length;
    } else if ((c >= '0' && c <= '9') || (c === '.' && /\d/.test(source[pos + 1] ?? ''))) {
      const token = readNumber(source, pos);
      tokens.push(token);
      pos += token.text.length;
    } else if (/[A-Za-z_$]/.test(c)) {
      IDENTIFIER.lastIndex = pos;
      const text = (IDENTIFIER.exec(source) as RegExpExecArray)[0];
      const upper = text.toUpperCase();
      tokens.push(KEYWORD_SET.has(upper)
        ? { kind: 'keyword', keyword: upper as Keyword, text, position: pos }
        : { kind: 'identifier', name: text, text, position: pos });
      pos += text.length;
    } else {
      const two = source.slice(pos, pos + 2);
      const operator = (OPERATORS as readonly string[]).includes(two) ? two : c;
      if (!(OPERATORS as readonly string[]).includes(operator)) throw sqlSyntaxError(source, pos, c, 'this character is not part of the SQL92 filter syntax');
      tokens.push({ kind: 'operator', operator: operator as Operator, text: operator, position: pos });
      pos += operator.length;
    }
  }
  tokens.push({ kind: 'end', text: '<end>', position: source.length });
  return tokens;
}

function readString(source: string, start: number): Token {
  let value = '';
  let pos = start + 1;
  for (;;) {
    const quote = source.indexOf("'", pos);
    if (quote < 0) throw sqlSyntaxError(source, start, source.slice(start, start + 20), 'the string literal is not closed');
    value += source.slice(pos, quote);
    if (source[quote + 1] === "'") {
      value += "'";
      pos = quote + 2;
    } else {
      return { kind: 'string', value, text: source.slice(start, quote + 1), position: start };
    }
  }
}

function readNumber(source: string, start: number): Token {
  NUMBER.lastIndex = start;
  const match = NUMBER.exec(source) as RegExpExecArray;
  const text = match[0];
  const [, mantissa = '', exponent, longSuffix] = match;
  if (/[A-Za-z_$]/.test(source[start + text.length] ?? '')) {
    throw sqlSyntaxError(source, start, source.slice(start, start + text.length + 1), 'a number runs into a name');
  }
  const isDecimal = mantissa.includes('.') || exponent !== undefined;
  if (isDecimal) {
    if (longSuffix !== undefined) throw sqlSyntaxError(source, start, text, 'the L suffix applies to integers only');
    const value = Number(mantissa + (exponent ?? ''));
    if (!Number.isFinite(value)) throw sqlSyntaxError(source, start, text, 'the decimal is out of the double range');
    return { kind: 'decimal', value, text, position: start };
  }
  if (mantissa.length > 1 && mantissa.startsWith('0')) throw sqlSyntaxError(source, start, text, 'integers have no leading zeros (octal is not supported)');
  const value = BigInt(mantissa);
  if (value > LONG_MAX) throw sqlSyntaxError(source, start, text, 'the integer is out of the long range');
  return { kind: 'integer', value, text, position: start };
}
