import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { allocateAveragely } from '../../../src/client/consumer/allocate-averagely';
import type { MessageQueue } from '../../../src/client/consumer/consumer-types';
import { queueKey } from '../../../src/client/consumer/consumer-types';
import { LocalFileOffsetStore } from '../../../src/client/consumer/offset-store';
import { withTempDir } from '../../helpers/temp-dir';

const queues = (n: number): MessageQueue[] => Array.from({ length: n }, (_, queueId) => ({ topic: 'T', brokerName: 'b', queueId }));

test('averagely: every queue assigned exactly once, shares differ by at most one, contiguous blocks', () => {
  for (let queueCount = 0; queueCount <= 9; queueCount++) {
    for (let consumerCount = 1; consumerCount <= 5; consumerCount++) {
      const ids = Array.from({ length: consumerCount }, (_, i) => `c${i}`);
      const shares = ids.map((id) => allocateAveragely('G', id, queues(queueCount), ids));
      const all = shares.flat().map(queueKey);
      assert.equal(all.length, queueCount, `${queueCount} queues / ${consumerCount} consumers`);
      assert.equal(new Set(all).size, queueCount);
      const sizes = shares.map((s) => s.length);
      assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `shares ${sizes.join(',')}`);
    }
  }
  assert.deepEqual(allocateAveragely('G', 'c0', queues(5), ['c0', 'c1']).map((q) => q.queueId), [0, 1, 2]);
  assert.deepEqual(allocateAveragely('G', 'c1', queues(5), ['c0', 'c1']).map((q) => q.queueId), [3, 4]);
  assert.deepEqual(allocateAveragely('G', 'stranger', queues(5), ['c0', 'c1']), []);
});

test('LocalFileOffsetStore: written atomically, read back by a new instance, increase-only updates', async () => {
  await withTempDir('offsets', async (dir) => {
    const mq: MessageQueue = { topic: 'T', brokerName: 'b', queueId: 3 };
    const store = new LocalFileOffsetStore(dir, 'inst', 'G/odd name');
    await store.load();
    assert.equal(await store.read(mq), -1);
    store.update(mq, 10, true);
    store.update(mq, 7, true);
    assert.equal(await store.read(mq), 10, 'increase-only keeps the higher value');
    store.update(mq, 7, false);
    assert.equal(await store.read(mq), 7);
    await store.persistAll();
    assert.ok(existsSync(store.file));
    assert.equal(existsSync(`${store.file}.tmp`), false);
    assert.match(readFileSync(store.file, 'utf8'), /"offset": 7/);

    const reopened = new LocalFileOffsetStore(dir, 'inst', 'G/odd name');
    await reopened.load();
    assert.equal(await reopened.read(mq), 7);
    const other = new LocalFileOffsetStore(dir, 'other', 'G/odd name');
    await other.load();
    assert.equal(await other.read(mq), -1, 'each instance has its own file');
  });
});
