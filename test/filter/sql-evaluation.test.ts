import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileSql92, type Properties } from '../../src/filter';

type Outcome = boolean | null | 'failed';

/** [expression, properties, three-valued result]: only `true` matches. */
const TABLE: ReadonlyArray<readonly [string, Properties, Outcome]> = [
  // Numbers: a property that parses compares numerically (long for integer literals, double for decimals).
  ['a > 5', { a: '6' }, true],
  ['a > 5', { a: '5' }, false],
  ['a >= 5', { a: '5' }, true],
  ['a < 5', { a: '-7' }, true],
  ['a <= -5', { a: '-5' }, true],
  ['a > 5', { a: '10' }, true], // numerically, not as strings ('10' < '5')
  ['a = 10', { a: '10' }, true],
  ['a = 10', { a: '+10' }, true],
  ['a = 10.0', { a: '10' }, true],
  ['a = 10', { a: '10.0' }, 'failed'], // Long.valueOf("10.0") fails: the message never matches
  ['a > 5', { a: 'abc' }, 'failed'],
  ['a > 5 OR b = 1', { a: 'abc', b: '1' }, 'failed'], // as RocketMQ: a failed evaluation fails the whole expression
  ['a > 1.5', { a: '1.75' }, true],
  ['a > 1.5e1', { a: '16' }, true],
  ['a < .5', { a: '0.25' }, true],
  ['a = 9223372036854775807', { a: '9223372036854775807' }, true], // exact long, no double rounding
  ['a = 9223372036854775807', { a: '9223372036854775806' }, false],
  ['a > 5L', { a: '6' }, true],
  ['a > b', { a: '10', b: '9' }, true], // two properties: ordered as doubles
  ['a > b', { a: 'x', b: '9' }, 'failed'],
  ['a > -b', { a: '1', b: '2' }, null], // negating a property (a string) gives null, as RocketMQ
  // Strings.
  ["b = 'x'", { b: 'x' }, true],
  ["b = 'x'", { b: 'X' }, false],
  ["b <> 'x'", { b: 'y' }, true],
  ["b != 'x'", { b: 'x' }, false],
  ["b = 'it''s'", { b: "it's" }, true],
  ["b = ''", { b: '' }, true],
  ["b = '5'", { b: '5.0' }, false],
  ['TAGS = \'TagA\'', { TAGS: 'TagA' }, true],
  // Booleans.
  ['TRUE', {}, true],
  ['FALSE', {}, false],
  ['NULL', {}, null],
  ['c = TRUE', { c: 'true' }, true],
  ['c = TRUE', { c: 'TRUE' }, true], // Boolean.valueOf ignores case
  ['c = FALSE', { c: 'yes' }, true], // anything but "true" is false
  ['c', { c: 'true' }, false], // a bare property is never TRUE (its value is a string)
  ['c', {}, null],
  ['(a > 1) = TRUE', { a: '2' }, true],
  // Missing properties: comparisons are unknown, IS NULL is the way to test.
  ['a > 5', {}, null],
  ["b = 'x'", {}, null],
  ["b <> 'x'", {}, null],
  ["'x' = b", {}, false], // RocketMQ: a missing right side of = is FALSE, a missing left side unknown
  ['a IS NULL', {}, true],
  ['a IS NULL', { a: '' }, false],
  ['a IS NOT NULL', { a: '1' }, true],
  ['a IS NOT NULL', {}, false],
  ['NOT a > 5', {}, null],
  ['NOT a > 5', { a: '1' }, true],
  ['NOT (a > 5)', { a: '9' }, false],
  ['constructor IS NULL', {}, true], // property lookup ignores the object prototype
  // BETWEEN / NOT BETWEEN.
  ['a BETWEEN 1 AND 3', { a: '1' }, true],
  ['a BETWEEN 1 AND 3', { a: '3' }, true],
  ['a BETWEEN 1 AND 3', { a: '4' }, false],
  ['a BETWEEN 1 AND 3', {}, null],
  ['a BETWEEN -1.5 AND 1', { a: '-1' }, true],
  ['a NOT BETWEEN 1 AND 3', { a: '0' }, true],
  ['a NOT BETWEEN 1 AND 3', { a: '2' }, false],
  ['a NOT BETWEEN 1 AND 3', {}, null],
  ['a BETWEEN 0 AND 3 AND b = 1', { a: '2', b: '1' }, true],
  // IN / NOT IN.
  ["b IN ('x', 'y')", { b: 'y' }, true],
  ["b IN ('x', 'y')", { b: 'z' }, false],
  ["b IN ('x')", {}, null],
  ["b NOT IN ('x', 'y')", { b: 'z' }, true],
  ["b NOT IN ('x', 'y')", { b: 'x' }, false],
  ["b NOT IN ('x', 'y')", {}, null],
  ["b IN ('a','b','c','d','e','f')", { b: 'f' }, true],
  // CONTAINS / STARTSWITH / ENDSWITH (5.x).
  ["b CONTAINS 'ell'", { b: 'hello' }, true],
  ["b NOT CONTAINS 'ell'", { b: 'hello' }, false],
  ["b STARTSWITH 'he'", { b: 'hello' }, true],
  ["b STARTSWITH 'lo'", { b: 'hello' }, false],
  ["b ENDSWITH 'lo'", { b: 'hello' }, true],
  ["b NOT ENDSWITH 'lo'", { b: 'help' }, true],
  ["b CONTAINS 'x'", {}, null],
  // AND / OR / NOT, precedence and parentheses.
  ["a > 5 AND b = 'x'", { a: '6', b: 'x' }, true],
  ["a > 5 AND b = 'x'", { a: '6', b: 'y' }, false],
  ["a > 5 AND b = 'x'", { b: 'x' }, null],
  ["a > 5 AND b = 'x'", { b: 'y' }, false], // FALSE wins over unknown
  ["a > 5 OR b = 'x'", { b: 'x' }, true], // TRUE wins over unknown
  ["a > 5 OR b = 'x'", { b: 'y' }, null],
  ['a = 1 OR a = 2 AND b = 3', { a: '1', b: '0' }, true], // AND binds tighter than OR
  ['(a = 1 OR a = 2) AND b = 3', { a: '1', b: '0' }, false],
  ['NOT a = 1 AND b = 2', { a: '0', b: '2' }, true], // NOT binds tighter than AND, looser than =
  ['NOT NOT a = 1', { a: '1' }, true],
  ['not a = 1 or b is null', { a: '1' }, true], // keywords in any case
  // Comments.
  ['a = 1 -- the rest is a comment', { a: '1' }, true],
  ['a = /* inline */ 1', { a: '1' }, true],
];

test('the evaluation table: every expression x properties gives the expected three-valued result', () => {
  const failures: string[] = [];
  for (const [expression, properties, expected] of TABLE) {
    const filter = compileSql92(expression);
    const actual = filter.evaluate(properties);
    if (actual !== expected) failures.push(`${expression} with ${JSON.stringify(properties)}: expected ${String(expected)}, got ${String(actual)}`);
    assert.equal(filter.matches(properties), expected === true, expression);
  }
  assert.deepEqual(failures, []);
});

test('a compiled filter is reusable and independent of earlier messages', () => {
  const filter = compileSql92("region IN ('eu', 'us') AND amount BETWEEN 10 AND 100");
  const messages: Properties[] = [
    { region: 'eu', amount: '50' }, { region: 'asia', amount: '50' }, { region: 'us', amount: '101' }, { amount: '10' }, { region: 'us', amount: '10' },
  ];
  assert.deepEqual(messages.map((m) => filter.matches(m)), [true, false, false, false, true]);
  assert.deepEqual(messages.map((m) => filter.matches(m)), [true, false, false, false, true]);
});
