import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bodyCrc, crc32, javaStringHash, tagsHashCode } from '../../src/message';

test('javaStringHash equals Java String.hashCode()', () => {
  // Values computed by java.lang.String.hashCode().
  // 84*31^3 + 97*31^2 + 103*31 + 65 = 2598919 (the brief's 2598969 is a typo).
  assert.equal(javaStringHash('TagA'), 2598919);
  assert.equal(javaStringHash(''), 0);
  assert.equal(javaStringHash('a'), 97);
  assert.equal(javaStringHash('hello'), 99162322);
  assert.equal(javaStringHash('Hello World'), -862545276);
  assert.equal(javaStringHash('\u00e9'), 233);
  assert.equal(javaStringHash('\u4e16\u754c'), 649718);
  // A supplementary character hashes as its UTF-16 surrogate pair, like Java.
  assert.equal(javaStringHash('\ud83d\ude00'), 1772899);
  assert.equal(tagsHashCode(undefined), 0);
  assert.equal(tagsHashCode('TagA'), 2598919);
});

test('crc32 matches CRC-32/IEEE check values', () => {
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  assert.equal(crc32(Buffer.alloc(0)), 0);
  assert.equal(crc32(Buffer.from('The quick brown fox jumps over the lazy dog')), 0x414fa339);
  assert.equal(crc32(Buffer.from('xx123456789yy'), 2, 11), 0xcbf43926);
  assert.equal(bodyCrc(Buffer.from('123456789')), 0xcbf43926 & 0x7fffffff);
});
