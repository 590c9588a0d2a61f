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
