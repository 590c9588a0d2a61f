import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/common';
import type { NativeMessageStore } from '../../src/store';
import { SEGMENT_BYTES, bodyOf, commitLogSegments, openStore } from './store-fixture';

async function fillSegments(store: NativeMessageStore, segments: number): Promise<void> {
  let i = 0;
  while (store.getMaxPhysicalOffset() < segments * SEGMENT_BYTES + 1000) {
    const batch = Array.from({ length: 16 }, () => ({ topic: 'Retained', queueId: 0, body: bodyOf(i++, 8000) }));
    for (const r of await store.putMessages(batch)) assert.equal(r.status, 'PUT_OK', r.remark);
  }
  await store.whenDispatched(store.getMaxPhysicalOffset());
  // Only flushed and dispatched segments may be deleted.
  await store.flush();
}

function hourAt(ms: number): string {
  return String(new Date(ms).getHours()).padStart(2, '0');
}

test('expired files are removed at the deleteWhen hour (fake clock), not at other hours', async (t) => {
  const future = Date.now() + 100 * 3_600_000;
  const clock = new ManualClock(future);
  const otherHour = hourAt(future + 3 * 3_600_000);
  // The periodic run would clean while the clock is advanced; this test drives the policy by hand.
  const manualOnly = { cleanResourceInterval: 1_000_000_000 };
  const { store, root } = await openStore(t, { fileReservedTime: 72, deleteWhen: otherHour, ...manualOnly }, { clock, diskUsage: () => 0.1 });
  await fillSegments(store, 3);
  const before = commitLogSegments(root).length;
  assert.ok(before >= 4);

  const notNow = store.cleanExpiredFiles();
  assert.equal(notNow.deleted, false, 'not the deleteWhen hour and the disk is not full');
  assert.equal(commitLogSegments(root).length, before);

  clock.advance(3 * 3_600_000);
  const report = store.cleanExpiredFiles();
  assert.equal(report.deleted, true);
  assert.ok(report.commitLogFilesDeleted >= 1, JSON.stringify(report));
  const remaining = commitLogSegments(root);
  assert.equal(remaining.length, before - report.commitLogFilesDeleted);
  assert.ok(remaining.length >= 1, 'the segment being written is never deleted');
  const minPhysical = store.getMinPhysicalOffset();
  assert.equal(minPhysical, remaining[0]?.base);
  assert.ok(store.getMinOffsetInQueue('Retained', 0) > 0, 'ConsumeQueue minimum follows the CommitLog');
  const oldest = store.getMessage('Retained', 0, 0, 1);
  assert.equal(oldest.status, 'OFFSET_TOO_SMALL');
  const first = store.getMessage('Retained', 0, oldest.nextBeginOffset, 1);
  assert.equal(first.status, 'FOUND');
  assert.ok((first.messages()[0]?.commitLogOffset ?? -1) >= minPhysical);
});

test('disk ratios: expired-only above 75%, forced above 85%, writes refused above 90% until usage drops', async (t) => {
  let usage = 0.5;
  const clock = new ManualClock(Date.now());
  const neverHour = hourAt(clock.now() + 12 * 3_600_000);
  const { store, root } = await openStore(t, { deleteWhen: neverHour }, { clock, diskUsage: () => usage });
  await fillSegments(store, 3);
  const before = commitLogSegments(root).length;

  usage = 0.8;
  const expiredOnly = store.cleanExpiredFiles();
  assert.equal(expiredOnly.deleted, true);
  assert.equal(expiredOnly.cleanImmediately, false);
  assert.equal(expiredOnly.commitLogFilesDeleted, 0, 'nothing is older than fileReservedTime');

  usage = 0.87;
  const forced = store.cleanExpiredFiles();
  assert.equal(forced.cleanImmediately, true);
  assert.ok(forced.commitLogFilesDeleted >= 1);
  assert.equal(commitLogSegments(root).length, before - forced.commitLogFilesDeleted);
  assert.equal(store.isDiskFull, false);

  usage = 0.95;
  const full = store.cleanExpiredFiles();
  assert.equal(full.isDiskFull, true);
  assert.equal(store.isDiskFull, true);
  const refused = await store.putMessage({ topic: 'Retained', queueId: 0, body: bodyOf(1, 10) });
  assert.equal(refused.status, 'SERVICE_NOT_AVAILABLE');
  assert.match(refused.remark ?? '', /0\.95/);
  const refusedBatch = await store.putMessages([{ topic: 'Retained', queueId: 0, body: bodyOf(2, 10) }]);
  assert.equal(refusedBatch[0]?.status, 'SERVICE_NOT_AVAILABLE');
  assert.equal(store.stats().isDiskFull, true);

  usage = 0.6;
  store.cleanExpiredFiles();
  assert.equal(store.isDiskFull, false);
  assert.equal((await store.putMessage({ topic: 'Retained', queueId: 0, body: bodyOf(3, 10) })).status, 'PUT_OK');
});

test('the retention timer runs the policy every cleanResourceInterval on the injected clock', async (t) => {
  let usage = 0.1;
  const clock = new ManualClock(Date.now());
  const { store } = await openStore(t, { cleanResourceInterval: 10_000 }, { clock, diskUsage: () => usage });
  usage = 0.99;
  clock.advance(9_999);
  assert.equal(store.isDiskFull, false);
  clock.advance(1);
  assert.equal(store.isDiskFull, true, 'the periodic run measured the disk');
  usage = 0.2;
  clock.advance(10_000);
  assert.equal(store.isDiskFull, false);
});
