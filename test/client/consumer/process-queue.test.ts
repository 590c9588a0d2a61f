import assert from 'node:assert/strict';
import { test } from 'node:test';
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
