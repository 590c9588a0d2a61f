import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TimerSlots } from '../../src/broker/timer/timer-slots';

test('timers leave in (due, offset) order, never before their due time', () => {
  const slots = new TimerSlots(100);
  slots.add(5, 1_250);
  slots.add(1, 1_420);
  slots.add(9, 1_001);
  slots.add(2, 1_250);
  slots.add(7, 990);
  assert.equal(slots.size, 5);
  assert.equal(slots.nextDue(), 990);
  assert.deepEqual(slots.takeDue(989, 100), { offsets: [], dues: [] });
  assert.deepEqual(slots.takeDue(1_250, 100), { offsets: [7, 9, 2, 5], dues: [990, 1_001, 1_250, 1_250] });
  assert.equal(slots.nextDue(), 1_420);
  assert.deepEqual(slots.takeDue(10_000, 100), { offsets: [1], dues: [1_420] });
  assert.equal(slots.size, 0);
  assert.equal(slots.nextDue(), undefined);
});

test('takeDue stops at max and resumes where it stopped', () => {
  const slots = new TimerSlots(1000);
  for (let offset = 0; offset < 10; offset++) slots.add(offset, 5_000 + (9 - offset));
  const first = slots.takeDue(6_000, 4);
  assert.deepEqual(first.offsets, [9, 8, 7, 6]);
  const rest = slots.takeDue(6_000, 100);
  assert.deepEqual(rest.offsets, [5, 4, 3, 2, 1, 0]);
});

test('a timer added to a slot being consumed still leaves in order', () => {
  const slots = new TimerSlots(100);
  slots.add(1, 1_050);
  slots.add(2, 1_090);
  assert.deepEqual(slots.takeDue(1_060, 10).offsets, [1]);
  slots.add(3, 1_055);
  assert.equal(slots.nextDue(), 1_055);
  assert.deepEqual(slots.takeDue(1_100, 10).offsets, [3, 2]);
});

test('minOffset is the lowest pending queue offset', () => {
  const slots = new TimerSlots(100);
  assert.equal(slots.minOffset(), Infinity);
  slots.add(40, 9_000);
  slots.add(12, 100);
  slots.add(30, 5_000);
  assert.equal(slots.minOffset(), 12);
  slots.takeDue(100, 10);
  assert.equal(slots.minOffset(), 30);
});

test('bad inputs are refused', () => {
  assert.throws(() => new TimerSlots(0), RangeError);
  const slots = new TimerSlots(100);
  assert.throws(() => slots.add(-1, 10), RangeError);
  assert.throws(() => slots.add(2 ** 50, 10), RangeError);
});

test('peek walks the timers due in a range without taking them', () => {
  const slots = new TimerSlots(100);
  slots.add(1, 1_050);
  slots.add(2, 1_150);
  slots.add(3, 1_250);
  slots.add(4, 990);
  const seen: Array<[number, number]> = [];
  slots.peek(1_000, 1_200, (offset, due) => { seen.push([offset, due]); return true; });
  assert.deepEqual(seen, [[1, 1_050], [2, 1_150]]);
  assert.equal(slots.size, 4);
  let calls = 0;
  slots.peek(0, 2_000, () => ++calls < 2);
  assert.equal(calls, 2, 'stops when told');
});
