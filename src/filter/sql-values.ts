/**
 * Value conversions and ordering with the Java semantics RocketMQ's filter inherits: message
 * properties are strings; a string meets a long as Long.valueOf(string), a double as
 * Double.valueOf(string), a boolean as Boolean.valueOf(string). A string that does not convert
 * makes the evaluation fail, and RocketMQ counts a failed evaluation as "no match" for the whole
 * expression; EvaluationFailure carries that out of the evaluator.
 */
import type { SqlValue } from './sql-ast';

export class EvaluationFailure extends Error {}

const LONG_MIN = -(1n << 63n);
const LONG_MAX = (1n << 63n) - 1n;
// Double.valueOf: optional sign, NaN/Infinity or digits with an optional fraction and exponent, and
// an optional f/F/d/D type suffix; surrounding whitespace (chars <= U+0020) is ignored.
const JAVA_DOUBLE = /^[+-]?(NaN|Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[fFdD]?)$/;
const JAVA_LONG = /^[+-]?\d+$/;

export function javaLong(text: string): bigint {
  if (!JAVA_LONG.test(text)) throw new EvaluationFailure(`"${text}" is not a long`);
  const value = BigInt(text);
  if (value < LONG_MIN || value > LONG_MAX) throw new EvaluationFailure(`"${text}" is out of the long range`);
  return value;
}

export function javaDouble(text: string): number {
  const trimmed = trimJava(text);
  const match = JAVA_DOUBLE.exec(trimmed);
  if (match === null) throw new EvaluationFailure(`"${text}" is not a double`);
  if (match[1] === 'NaN') return Number.NaN;
  if (match[1] === 'Infinity') return trimmed.startsWith('-') ? -Infinity : Infinity;
  return Number(trimmed.replace(/[fFdD]$/, ''));
}

/** Boolean.valueOf: true only for "true" in any case. */
export function javaBoolean(text: string): boolean {
  return text.toLowerCase() === 'true';
}

function trimJava(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text.charCodeAt(start) <= 0x20) start++;
  while (end > start && text.charCodeAt(end - 1) <= 0x20) end--;
  return text.slice(start, end);
}

/** Double.compareTo: -0.0 < 0.0 and NaN is above everything, equal to itself. */
function compareDoubles(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  const aNaN = Number.isNaN(a);
  const bNaN = Number.isNaN(b);
  if (aNaN || bNaN) return aNaN === bNaN ? 0 : aNaN ? 1 : -1;
  const aNegZero = Object.is(a, -0);
  const bNegZero = Object.is(b, -0);
  return aNegZero === bNegZero ? 0 : aNegZero ? -1 : 1;
}

function compareSame(a: Exclude<SqlValue, null>, b: Exclude<SqlValue, null>): number {
  if (typeof a === 'number') return compareDoubles(a, b as number);
  if (a === b) return 0;
  return a < (b as typeof a) ? -1 : 1;
}

/**
 * Java's Comparable ordering after RocketMQ's conversions (ComparisonExpression.__compare):
 * -1 for types it cannot bring together (a boolean against a number), EvaluationFailure when a
 * string does not convert.
 */
export function compareValues(left: Exclude<SqlValue, null>, right: Exclude<SqlValue, null>): number {
  const lt = typeof left;
  const rt = typeof right;
  if (lt === rt) return compareSame(left, right);
  switch (lt) {
    case 'boolean':
      // Java casts the Boolean to String here and throws: the evaluation fails.
      if (rt === 'string') throw new EvaluationFailure('a boolean cannot be compared with a string');
      return -1;
    case 'bigint':
      if (rt === 'number') return compareDoubles(Number(left), right as number);
      if (rt === 'string') return compareSame(left, javaLong(right as string));
      return -1;
    case 'number':
      if (rt === 'bigint') return compareDoubles(left as number, Number(right));
      if (rt === 'string') return compareDoubles(left as number, javaDouble(right as string));
      return -1;
    case 'string':
      if (rt === 'boolean') return compareSame(javaBoolean(left as string), right);
      if (rt === 'bigint') return compareSame(javaLong(left as string), right);
      if (rt === 'number') return compareDoubles(javaDouble(left as string), right as number);
      return -1;
    default:
      return -1;
  }
}

/** Java equals(): same type and same value (Double.equals: NaN equals NaN, 0.0 differs from -0.0). */
export function sameValue(left: Exclude<SqlValue, null>, right: Exclude<SqlValue, null>): boolean {
  if (typeof left !== typeof right) return false;
  return typeof left === 'number' ? Object.is(left, right) : left === right;
}
