import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SeededRandom } from '../helpers/seeded-random';
import { IntSlotTable } from '../../src/common/int-slot-table';

test('keys a capacity apart share a slot: the later one goes to the overflow and both are found', () => {
  const table = new IntSlotTable<string>(4);
  table.set(1, 'a');
  table.set(5, 'b'); // slot 1 is taken by key 1
  table.set(9, 'c');
  assert.equal(table.size, 3);
  assert.equal(table.get(5), 'b');
  assert.equal(table.take(1), 'a');
  assert.equal(table.get(1), undefined);
  assert.equal(table.get(9), 'c');
  table.set(5, 'b2'); // replaced where it lives (the overflow)
  assert.equal(table.size, 2);
  assert.equal(table.take(5), 'b2');
  assert.equal(table.take(5), undefined);
  assert.equal(table.size, 1);
});

test('random sets, replacements and takes match a Map, sizes and walks included', () => {
  const rng = new SeededRandom(11);
  const random = (n: number): number => rng.int(0, n - 1);
  for (let round = 0; round < 50; round++) {
    const table = new IntSlotTable<number>(16);
    const model = new Map<number, number>();
    let next = random(1000);
    for (let step = 0; step < 2000; step++) {
      const op = random(10);
      if (op < 4) {
        // Mostly increasing keys (opaques), sometimes an old one again.
        const key = random(8) === 0 && model.size > 0 ? [...model.keys()][random(model.size)]! : next++;
        table.set(key, step);
        model.set(key, step);
      } else if (op < 8) {
        const key = model.size > 0 && random(5) !== 0 ? [...model.keys()][random(model.size)]! : next + 7;
        assert.equal(table.take(key), model.get(key));
        model.delete(key);
      } else if (op < 9) {
        const key = random(2) === 0 && model.size > 0 ? [...model.keys()][random(model.size)]! : random(next + 1);
        assert.equal(table.get(key), model.get(key));
      } else {
        // A walk that takes some of what it visits (as expiry does).
        const before = [...model].sort((a, b) => a[0] - b[0]);
        const seen = new Map<number, number>();
        table.forEach((value, key) => {
          seen.set(key, value);
          if (value % 3 === 0) {
            table.take(key);
            model.delete(key);
          }
        });
        assert.deepEqual([...seen].sort((a, b) => a[0] - b[0]), before, 'the walk visits every entry once');
        for (const [key, value] of seen) if (value % 3 !== 0) assert.equal(model.get(key), value);
      }
      assert.equal(table.size, model.size, `round ${round} step ${step}`);
    }
    const walked = new Map<number, number>();
    table.forEach((value, key) => walked.set(key, value));
    assert.deepEqual([...walked].sort((a, b) => a[0] - b[0]), [...model].sort((a, b) => a[0] - b[0]));
    table.clear();
    assert.equal(table.size, 0);
    for (const key of model.keys()) assert.equal(table.get(key), undefined);
  }
});
