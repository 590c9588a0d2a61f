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
