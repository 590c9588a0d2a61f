import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeProperties, encodeProperties, encodePropertiesChecked, findProperties, findProperty, propertiesProblem } from '../../src/message';
import { SeededRandom } from '../helpers/seeded-random';

test('properties encode as name\\x01value\\x02 with a trailing separator', () => {
  assert.equal(encodeProperties({ TAGS: 'a', KEYS: 'k1 k2' }), 'TAGS\x01a\x02KEYS\x01k1 k2\x02');
  assert.equal(encodeProperties({}), '');
  assert.equal(encodeProperties(undefined), '');
});

test('properties round-trip, including non-ASCII and separators-free punctuation', () => {
  const props = { TAGS: 'TagA', UNIQ_KEY: '7F0000010001', 'x-y': '\u4e16\u754c \ud83d\ude00', eq: 'a=b;c' };
  assert.deepEqual(decodeProperties(encodeProperties(props)), props);
});

test('decoding tolerates what Java tolerates', () => {
  assert.deepEqual(decodeProperties(''), {});
  assert.deepEqual(decodeProperties('A\x01b'), { A: 'b' }, 'missing trailing separator');
  assert.deepEqual(decodeProperties('A\x01\x02B\x01c\x02'), { B: 'c' }, 'empty value item is shorter than 3 and skipped');
  assert.deepEqual(decodeProperties('junk\x02A\x01b\x02'), { A: 'b' }, 'item without a name/value separator is skipped');
  assert.deepEqual(decodeProperties('A\x01b\x01c\x02'), { A: 'b\x01c' }, 'split on the first separator only');
  assert.deepEqual(decodeProperties('\x02\x02A\x01bb\x02'), { A: 'bb' });
});

test('findProperty finds one value without decoding all', () => {
  const encoded = encodeProperties({ TAGS: 'x', KEYS: 'a b', TAGSX: 'no' });
  assert.equal(findProperty(encoded, 'KEYS'), 'a b');
  assert.equal(findProperty(encoded, 'TAGSX'), 'no');
  assert.equal(findProperty(encoded, 'TAGS'), 'x');
  assert.equal(findProperty(encoded, 'MISSING'), undefined);
});

test('checked encoding refuses separators, non-strings and empty names', () => {
  assert.equal(encodePropertiesChecked({ a: 'b' }), 'a\x01b\x02');
  assert.equal(encodePropertiesChecked({ a: 'b\x02' }), null);
  assert.equal(encodePropertiesChecked({ 'a\x01': 'b' }), null);
  assert.equal(encodePropertiesChecked({ a: 5 as unknown as string }), null);
  assert.equal(encodePropertiesChecked({ '': 'b' }), null);
  assert.match(propertiesProblem({ a: 'b\x02' }) ?? '', /separator/);
  assert.match(propertiesProblem({ a: 5 }) ?? '', /not a string/);
  assert.equal(propertiesProblem({ a: 'ok' }), undefined);
});

test('findProperties gives, for every name at once, what findProperty gives for each', () => {
  const random = new SeededRandom(777);
  const pieces = ['UNIQ_KEY', 'DELAY', 'TRAN_MSG', 'CLUSTER', 'TAGS', 'UNIQ', 'UNIQ_KEY2', 'D', '', '\u0001', '\u0002', 'x', 'true', '3'];
  const names = ['TRAN_MSG', 'DELAY', 'UNIQ_KEY', 'CLUSTER'];
  const out: Array<string | undefined> = ['stale', 'stale', 'stale', 'stale'];
  let found = 0;
  for (let i = 0; i < 5000; i++) {
    let text = '';
    const parts = random.int(0, 8);
    for (let p = 0; p < parts; p++) {
      const piece = (): string => pieces[random.int(0, pieces.length - 1)]!;
      // Mostly well-formed pairs (names repeat, values may be empty), with stray pieces between.
      text += random.int(0, 3) > 0 ? `${piece()}\u0001${piece()}\u0002` : piece();
    }
    findProperties(text, names, out);
    assert.deepEqual(out, names.map((name) => findProperty(text, name)), JSON.stringify(text));
    if (out.some((v) => v !== undefined)) found++;
  }
  assert.ok(found > 200, `only ${found} random texts held one of the names`);
});
