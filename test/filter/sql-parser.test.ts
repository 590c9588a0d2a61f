import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MqError } from '../../src/common';
import { compileSql92, parseSql92, printSql, type SqlNode, tokenize } from '../../src/filter';
import { ResponseCode } from '../../src/protocol';
import { SeededRandom, testSeed } from '../helpers/seeded-random';

/** [expression, position (1-based column) and token the message must name, reason fragment]. */
const BAD: ReadonlyArray<readonly [string, string, string]> = [
  ['', 'column 1 (offset 0), at the end of the expression', 'empty'],
  ['   ', 'column 4 (offset 3), at the end of the expression', 'empty'],
  ['a >', 'column 4 (offset 3), at the end of the expression', 'expected a value'],
  ['a > 5 AND', 'column 10 (offset 9), at the end of the expression', 'expected a value'],
  ['a > 5 b = 1', 'column 7 (offset 6), at "b"', 'expected AND, OR'],
  ["a > 'x'", 'column 3 (offset 2), at ">"', 'compares numbers'],
  ['a > TRUE', 'column 3 (offset 2), at ">"', 'compares numbers'],
  ['(a > 1) > 2', 'column 9 (offset 8), at ">"', 'compares numbers'],
  ['a = NULL', 'column 3 (offset 2), at "="', 'IS NULL'],
  ['TRUE = 1', 'column 6 (offset 5), at "="', 'boolean literal'],
  ['5', 'column 1 (offset 0), at "5"', 'not a condition'],
  ["'x'", "column 1 (offset 0), at \"'x'\"", 'not a condition'],
  ['a > 1 AND 5', 'column 11 (offset 10), at "5"', 'not a condition'],
  ['NOT 5', 'column 5 (offset 4), at "5"', 'not a condition'],
  ["a BETWEEN 5 AND 1", 'column 3 (offset 2), at "BETWEEN"', 'lower bound'],
  ["a BETWEEN 'a' AND 'b'", 'column 3 (offset 2), at "BETWEEN"', 'compares numbers'],
  ['a BETWEEN 1 OR 2', 'column 13 (offset 12), at "OR"', 'expected AND'],
  ["a IN ('x', 1)", 'column 12 (offset 11), at "1"', 'string literals'],
  ["a IN 'x'", 'column 6 (offset 5), at "\'x\'"', 'expected "("'],
  ["a IN ('x'", 'column 10 (offset 9), at the end of the expression', 'expected "," or ")"'],
  ["'x' IN ('x')", 'column 5 (offset 4), at "IN"', 'needs a property'],
  ['a CONTAINS 5', 'column 12 (offset 11), at "5"', 'string literal'],
  ["a = 'open", "column 5 (offset 4), at \"'open\"", 'not closed'],
  ['a = 1 /* open', 'column 7 (offset 6), at "/*"', 'not closed'],
  ['a @ 1', 'column 3 (offset 2), at "@"', 'not part of the SQL92'],
  ['a = 0123', 'column 5 (offset 4), at "0123"', 'leading zeros'],
  ['a = 12abc', 'column 5 (offset 4), at "12a"', 'runs into a name'],
  ['a = 1.5L', 'column 5 (offset 4), at "1.5L"', 'integers only'],
  ['a = 9223372036854775808', 'column 5 (offset 4), at "9223372036854775808"', 'long range'],
  ['a = 1e999', 'column 5 (offset 4), at "1e999"', 'double range'],
  ["a = -'x'", 'column 5 (offset 4), at "-"', 'only numbers'],
  ['a IS 5', 'column 6 (offset 5), at "5"', 'expected NULL'],
  ['(a = 1', 'column 7 (offset 6), at the end of the expression', 'expected ")"'],
  ['a = 1\n  AND b >', 'line 2, column 10 (offset 15), at the end of the expression', 'expected a value'],
];

test('bad expressions are SUBSCRIPTION_PARSE_FAILED naming the position, the token and why', () => {
  for (const [expression, where, why] of BAD) {
    assert.throws(() => compileSql92(expression), (err: unknown) => {
      assert.ok(err instanceof MqError, expression);
      assert.equal(err.code, 'ERR_SUBSCRIPTION_PARSE_FAILED', expression);
      assert.equal(err.responseCode, ResponseCode.SUBSCRIPTION_PARSE_FAILED, expression);
      assert.ok(err.message.includes(where), `${JSON.stringify(expression)}: "${err.message}" should name ${where}`);
      assert.ok(err.message.includes(why), `${JSON.stringify(expression)}: "${err.message}" should say ${why}`);
      return true;
    });
  }
});

test('the lexer: keywords in any case, identifiers keep their case, literals decode', () => {
  const tokens = tokenize("nOt $a_1 In ('it''s') and x >= 10L or y < .5e1");
  assert.deepEqual(tokens.map((t) => t.kind), [
    'keyword', 'identifier', 'keyword', 'operator', 'string', 'operator', 'keyword', 'identifier', 'operator', 'integer', 'keyword', 'identifier', 'operator', 'decimal', 'end',
  ]);
  assert.deepEqual(tokens.map((t) => t.position), [0, 4, 9, 12, 13, 20, 22, 26, 28, 31, 35, 38, 40, 42, 46]);
  const [not, property, , , literal, , , , , integer, , , , decimal] = tokens;
  assert.equal(not?.kind === 'keyword' && not.keyword, 'NOT');
  assert.equal(property?.kind === 'identifier' && property.name, '$a_1');
  assert.equal(literal?.kind === 'string' && literal.value, "it's");
  assert.equal(integer?.kind === 'integer' && integer.value, 10n);
  assert.equal(decimal?.kind === 'decimal' && decimal.value, 5);
});

test('precedence: OR < AND < NOT < comparisons, parentheses override, BETWEEN keeps its AND', () => {
  assert.equal(printSql(parseSql92('a = 1 OR b = 2 AND c = 3')), '((a = 1) OR ((b = 2) AND (c = 3)))');
  assert.equal(printSql(parseSql92('(a = 1 OR b = 2) AND c = 3')), '(((a = 1) OR (b = 2)) AND (c = 3))');
  assert.equal(printSql(parseSql92('NOT a = 1 AND b IS NOT NULL')), '((NOT (a = 1)) AND (b IS NOT NULL))');
  assert.equal(printSql(parseSql92('a BETWEEN 1 AND 2 AND b NOT IN (\'x\')')), "((a BETWEEN 1 AND 2) AND (b NOT IN ('x')))");
  assert.equal(printSql(parseSql92('a > -5 AND b < +2.5')), '((a > -5) AND (b < 2.5))');
});

/** A random valid tree (what the parser accepts), to print and parse back. */
function randomCondition(random: SeededRandom, depth: number): SqlNode {
  const property = (): SqlNode => ({ kind: 'property', name: ['a', 'b', 'TAGS', 'Big_$1'][random.int(0, 3)] as string });
  const number = (): SqlNode => ({ kind: 'literal', value: random.next() < 0.5 ? BigInt(random.int(-1000, 1000)) : random.int(-100_000, 100_000) / 64 });
  const string = (): string => ["x", "it's", '', 'a b', "''"][random.int(0, 4)] as string;
  const numeric = (): SqlNode => (random.next() < 0.6 ? property() : number());
  const choice = depth <= 0 ? random.int(0, 6) : random.int(0, 9);
  switch (choice) {
    case 0: return { kind: 'compare', operator: (['>', '>=', '<', '<='] as const)[random.int(0, 3)] as '>', left: property(), right: numeric() };
    case 1: return { kind: 'compare', operator: random.next() < 0.5 ? '=' : '<>', left: property(), right: random.next() < 0.5 ? { kind: 'literal', value: string() } : number() };
    case 2: return { kind: 'isNull', operand: property(), negated: random.next() < 0.5 };
    case 3: return { kind: 'in', operand: property(), values: [string(), string()], negated: random.next() < 0.5 };
    case 4: return { kind: 'between', operand: property(), low: { kind: 'literal', value: -5n }, high: number().kind === 'literal' ? { kind: 'literal', value: 2000n } : property(), negated: random.next() < 0.5 };
    case 5: return { kind: 'stringTest', test: (['CONTAINS', 'STARTSWITH', 'ENDSWITH'] as const)[random.int(0, 2)] as 'CONTAINS', operand: property(), pattern: string(), negated: random.next() < 0.5 };
    case 6: return random.next() < 0.5 ? { kind: 'literal', value: random.next() < 0.5 } : property();
    case 7: return { kind: 'not', operand: randomCondition(random, depth - 1) };
    default: return { kind: 'logical', operator: choice === 8 ? 'AND' : 'OR', left: randomCondition(random, depth - 1), right: randomCondition(random, depth - 1) };
  }
}

test('round trip: printing any valid tree and parsing it back gives the same tree', () => {
  const seed = testSeed();
  const random = new SeededRandom(seed);
  for (let i = 0; i < 2000; i++) {
    const tree = randomCondition(random, 4);
    const text = printSql(tree);
    assert.deepEqual(parseSql92(text), tree, `seed ${seed}, case ${i}: ${text}`);
  }
});
