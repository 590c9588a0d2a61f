import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bodyOf, openStore } from './store-fixture';

test('SYNC_FLUSH group commit: many concurrent puts resolve once the flushed position covers them', async (t) => {
  const { store } = await openStore(t, { flushDiskType: 'SYNC_FLUSH' });
  const puts = [];
  for (let i = 0; i < 200; i++) {
    puts.push(i % 4 === 0
      ? store.putMessages([{ topic: 'Sync', queueId: 0, body: bodyOf(i, 100) }, { topic: 'Sync', queueId: 0, body: bodyOf(i, 90) }])
      : store.putMessage({ topic: 'Sync', queueId: 1, body: bodyOf(i, 300) }).then((r) => [r]));
    // Spread the puts over several turns so several flushes serve them.
    if (i % 50 === 49) await new Promise((resolve) => setImmediate(resolve));
  }
  const results = (await Promise.all(puts)).flat();
  assert.equal(results.length, 250);
  const flushed = store.getFlushedPosition();
  for (const r of results) {
    assert.equal(r.status, 'PUT_OK', r.remark);
    assert.ok(r.physicalOffset + r.wroteBytes <= flushed, 'flushedPosition covers every acknowledged put');
  }
  const stats = store.stats();
  assert.equal(stats.pendingFlushWaiters, 0);
  assert.ok(stats.flushCount >= 1);
  assert.equal(store.getMaxOffsetInQueue('Sync', 1) + 0, store.getMaxOffsetInQueue('Sync', 1));
});

test('SYNC_FLUSH puts with WAIT=false resolve without waiting for a flush', async (t) => {
  const { store } = await openStore(t, { flushDiskType: 'SYNC_FLUSH' });
  const r = await store.putMessage({ topic: 'NoWait', queueId: 0, body: bodyOf(1, 10), properties: { WAIT: 'false' } });
  assert.equal(r.status, 'PUT_OK');
  assert.equal(store.stats().pendingFlushWaiters, 0);
});

test('SYNC_FLUSH: each put holds the diskWait hold from its append until it is told, and only then', async (t) => {
  let held = 0;
  let holds = 0;
  let most = 0;
  const diskWait = {
    hold: () => {
      holds++;
      held++;
      most = Math.max(most, held);
    },
    release: () => {
      held--;
      assert.ok(held >= 0, 'released more often than held');
    },
  };
  const { store } = await openStore(t, { flushDiskType: 'SYNC_FLUSH' }, { diskWait });
  const heldWhenTold: number[] = [];
  const puts = Array.from({ length: 40 }, (_, i) =>
    store.putMessage({ topic: 'Held', queueId: 0, body: bodyOf(i, 200) }).then((r) => {
      heldWhenTold.push(held);
      return r;
    }));
  assert.equal(held, 0, 'nothing waits for the disk before the append');
  const results = await Promise.all(puts);
  for (const r of results) assert.equal(r.status, 'PUT_OK', r.remark);
  assert.equal(holds, 40, 'one hold per put');
  assert.ok(most >= 1, 'the puts held it while they waited');
  assert.equal(held, 0, 'every hold was released');
  // The k-th put told (in append order) finds its own hold and those of the k - 1 before it gone.
  heldWhenTold.forEach((count, k) => assert.ok(count <= 40 - (k + 1), `the put told ${k + 1}th saw ${count} holds`));
  const unwaited = await store.putMessage({ topic: 'Held', queueId: 0, body: bodyOf(1, 10), properties: { WAIT: 'false' } });
  assert.equal(unwaited.status, 'PUT_OK');
  assert.equal(holds, 40, 'a put that does not wait for the disk never holds it');
});
