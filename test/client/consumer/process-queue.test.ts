import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SeededRandom } from '../../helpers/seeded-random';
import type { MessageExt } from '../../../src/message';
import { ProcessQueue } from '../../../src/client/consumer/process-queue';

function message(queueOffset: number, size = 10): MessageExt {
  return { queueOffset, body: Buffer.alloc(size) } as unknown as MessageExt;
}

test('the commit offset is the smallest unconsumed offset, else one past the highest seen', () => {
  const pq = new ProcessQueue();
  assert.equal(pq.commitOffset(), -1);
  const batch = [message(5), message(6), message(7)];
  pq.put(batch);
  assert.equal(pq.count, 3);
  assert.equal(pq.heldBytes, 30);
  assert.equal(pq.remove([batch[1] as MessageExt]), 5, 'offset 5 still unconsumed');
  assert.equal(pq.remove([batch[2] as MessageExt]), 5);
  assert.equal(pq.remove([batch[0] as MessageExt]), 8);
  assert.equal(pq.count, 0);
  assert.equal(pq.heldBytes, 0);
  pq.put([message(7)]);
  assert.equal(pq.count, 0, 'an offset at or below the highest seen is not held again');
});

test('flow control by count and by size', () => {
  const byCount = new ProcessQueue({ maxHeldCount: 2 });
  byCount.put([message(0)]);
  assert.equal(byCount.isFull, false);
  byCount.put([message(1)]);
  assert.equal(byCount.isFull, true);
  byCount.remove([message(0)]);
  assert.equal(byCount.isFull, false);
  const bySize = new ProcessQueue({ maxHeldBytes: 100 });
  bySize.put([message(0, 60)]);
  assert.equal(bySize.isFull, false);
  bySize.put([message(1, 40)]);
  assert.equal(bySize.isFull, true);
});

test('random pulls and out-of-order consumption match a plain ordered model', () => {
  const rng = new SeededRandom(7);
  const random = (n: number): number => rng.int(0, n - 1);
  for (let round = 0; round < 200; round++) {
    const pq = new ProcessQueue();
    const model = new Map<number, MessageExt>(); // insertion order == offset order
    let nextOffset = random(5);
    let maxSeen = -1;
    let most = 0;
    for (let step = 0; step < 300; step++) {
      // Even rounds consume faster than they pull; odd rounds pile up (the ring grows past 64).
      const pulls = round % 2 === 0 ? random(3) === 0 : random(3) !== 0;
      if (pulls || model.size === 0) {
        // A pull: ascending offsets with gaps (filtered messages), sometimes a stale repeat.
        const batch: MessageExt[] = [];
        for (let i = random(8); i >= 0; i--) {
          batch.push(message(nextOffset, 1 + random(50)));
          nextOffset += 1 + random(3);
        }
        if (random(5) === 0 && maxSeen >= 0) batch.unshift(message(maxSeen));
        pq.put(batch);
        for (const m of batch) {
          if (m.queueOffset <= maxSeen) continue;
          model.set(m.queueOffset, m);
          maxSeen = m.queueOffset;
        }
      } else {
        // A batch consumed: any held messages, in any order, sometimes one never held.
        const held = [...model.values()];
        const done: MessageExt[] = [];
        for (let i = random(6); i >= 0; i--) done.push(held[random(held.length)] as MessageExt);
        if (random(4) === 0) done.push(message(nextOffset + 100));
        const offset = pq.remove(done);
        for (const m of done) model.delete(m.queueOffset);
        const expected = model.size > 0 ? [...model.keys()][0] : maxSeen < 0 ? -1 : maxSeen + 1;
        assert.equal(offset, expected, `round ${round} step ${step}`);
      }
      assert.equal(pq.count, model.size);
      most = Math.max(most, model.size);
      assert.equal(pq.heldBytes, [...model.values()].reduce((n, m) => n + m.body.length, 0));
      const k = random(10);
      assert.deepEqual(pq.firstHeld(k).map((m) => m.queueOffset), [...model.keys()].slice(0, k));
    }
    if (round % 2 === 1) assert.ok(most > 64, `round ${round} held at most ${most}`);
  }
});
