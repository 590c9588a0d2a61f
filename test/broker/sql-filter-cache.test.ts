import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConsumerFilterCache } from '../../src/broker/filter/consumer-filter-cache';
import { MqError } from '../../src/common';

test('the filter cache compiles once per (group, topic, expression) and evicts the least recently used', () => {
  const cache = new ConsumerFilterCache(2);
  const a = cache.get('G1', 'T', 'a > 1');
  assert.equal(cache.get('G1', 'T', 'a > 1'), a, 'a hit returns the same compiled filter');
  const otherGroup = cache.get('G2', 'T', 'a > 1');
  assert.notEqual(otherGroup, a, 'keyed by group too');
  assert.equal(cache.get('G1', 'T', 'a > 1'), a, 'touching G1 makes G2 the least recently used');
  cache.get('G1', 'T2', 'b IS NULL');
  assert.equal(cache.size, 2);
  assert.equal(cache.get('G1', 'T', 'a > 1'), a, 'the recently used entry stayed');
  assert.notEqual(cache.get('G2', 'T', 'a > 1'), otherGroup, 'the least recently used entry was evicted and is compiled again');
  assert.equal(cache.size, 2);
});

test('an expression that does not compile is thrown every time and never cached', () => {
  const cache = new ConsumerFilterCache();
  for (let i = 0; i < 2; i++) {
    assert.throws(() => cache.get('G', 'T', 'a >'), (err: unknown) => err instanceof MqError && err.code === 'ERR_SUBSCRIPTION_PARSE_FAILED');
  }
  assert.equal(cache.size, 0);
});
