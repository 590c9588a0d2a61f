import assert from 'node:assert/strict';
import { test } from 'node:test';
import { machineCpuTicks, stealPercent } from '../../bench/lib/env-info';

test('host steal: the share of CPU time stolen between two readings', () => {
  assert.equal(stealPercent({ total: 1000, steal: 10 }, { total: 1200, steal: 20 }), 5);
  assert.equal(stealPercent({ total: 1000, steal: 10 }, { total: 1000, steal: 10 }), 0, 'no time passed');
});

test('host steal: /proc/stat readings only grow', () => {
  const before = machineCpuTicks();
  let spin = 0;
  const until = Date.now() + 30;
  while (Date.now() < until) spin++;
  const after = machineCpuTicks();
  assert.ok(spin > 0);
  assert.ok(before.total > 0, 'this machine has a /proc/stat');
  assert.ok(after.total >= before.total && after.steal >= before.steal);
  const share = stealPercent(before, after);
  assert.ok(share >= 0 && share <= 100, `share ${share}`);
});
