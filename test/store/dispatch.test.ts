import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bodyOf, openStore, withDeadline } from './store-fixture';

test('whenDispatched resolves once the ConsumeQueue covers the record; arriving listeners are notified', async (t) => {
  const { store } = await openStore(t);
  let notifications = 0;
  let unsubscribe = (): void => undefined;
  const notified = new Promise<void>((resolve) => {
    unsubscribe = store.onMessageArriving(() => {
      notifications++;
      resolve();
    });
  });
  const r = await store.putMessage({ topic: 'Arrive', queueId: 0, body: bodyOf(1, 64) });
  await store.whenDispatched(r.physicalOffset);
  assert.ok(store.getDispatchedPosition() > r.physicalOffset);
  assert.equal(store.getMessage('Arrive', 0, 0, 1).status, 'FOUND', 'visible once dispatched');
  await withDeadline(notified, 10_000, 'a message-arriving notification');
  assert.ok(notifications >= 1);
  unsubscribe();
  const seen = notifications;
  const r2 = await store.putMessage({ topic: 'Arrive', queueId: 0, body: bodyOf(2, 64) });
  await store.whenDispatched(r2.physicalOffset + r2.wroteBytes);
  assert.equal(notifications, seen, 'an unsubscribed listener is not called');
  await store.whenDispatched(0);
});

test('whenDispatched waiters are rejected at shutdown instead of hanging', async (t) => {
  const { store } = await openStore(t);
  const never = store.whenDispatched(store.getMaxPhysicalOffset() + 1_000_000);
  await store.shutdown();
  await assert.rejects(never, { code: 'ERR_STORE_SHUTDOWN' });
});

test('the dispatcher is asked for notifications only while a waiter or listener exists', async () => {
  const { DispatchWaiters } = await import('../../src/store/dispatch-waiters');
  let position = 0;
  const demands: boolean[] = [];
  const waiters = new DispatchWaiters(() => position, (err) => { throw err; }, undefined, (wanted) => demands.push(wanted));
  waiters.updateDemand(true);
  assert.deepEqual(demands, [false], 'nobody waits at start');
  const reached = waiters.whenReached(100);
  assert.deepEqual(demands, [false, true], 'a waiter turns them on');
  position = 100;
  waiters.onDispatched();
  await reached;
  assert.deepEqual(demands, [false, true, false], 'off again once the waiter is resolved');
  const unsubscribe = waiters.addListener(() => undefined);
  unsubscribe();
  assert.deepEqual(demands, [false, true, false, true, false], 'a listener holds them on until it unsubscribes');
  // The dispatcher passes the target between the first look and the notifications being turned
  // on: the waiter must still resolve without any notification.
  let reads = 0;
  const racing = new DispatchWaiters(() => (reads++ === 0 ? 0 : 500), (err) => { throw err; });
  await withDeadline(racing.whenReached(300), 1_000, 'a target passed while subscribing');
  assert.equal(racing.pending, 0);
});

test('while someone waits, a small turn of appends is dispatched on the main thread; a large one is left to the dispatcher thread', async (t) => {
  const { store } = await openStore(t);
  const unsubscribe = store.onMessageArriving(() => undefined);
  const before = store.stats().inlineDispatches;
  const small = await store.putMessage({ topic: 'Inline', queueId: 0, body: bodyOf(1, 100) });
  await store.whenDispatched(small.physicalOffset + small.wroteBytes);
  const afterSmall = store.stats().inlineDispatches;
  assert.ok(afterSmall > before, `the small append was dispatched inline (${before} -> ${afterSmall})`);
  assert.equal(store.getMessage('Inline', 0, 0, 1).status, 'FOUND');

  // 100 KiB in one turn: more than the main thread takes on.
  const large = await Promise.all(Array.from({ length: 100 }, (_, i) => store.putMessage({ topic: 'Inline', queueId: 1, body: bodyOf(i, 1024) })));
  const last = large[large.length - 1]!;
  await withDeadline(store.whenDispatched(last.physicalOffset + last.wroteBytes), 10_000, 'the large turn dispatched');
  assert.equal(store.stats().inlineDispatches, afterSmall, 'the large turn went to the dispatcher thread');
  const read = store.getMessage('Inline', 1, 99, 1);
  assert.equal(read.status, 'FOUND');
  assert.equal(read.maxOffset, 100);
  unsubscribe();
});
