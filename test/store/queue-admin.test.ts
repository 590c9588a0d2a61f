import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessageSysFlag } from '../../src/message';
import { bodyOf, openStore } from './store-fixture';

test('PREPARED transaction records get queue offset 0, do not advance the queue and are not consumable', async (t) => {
  const { store } = await openStore(t);
  const prepared = await store.putMessage({ topic: 'Tx', queueId: 0, body: bodyOf(1, 20), sysFlag: MessageSysFlag.TRANSACTION_PREPARED_TYPE });
  assert.equal(prepared.status, 'PUT_OK');
  assert.equal(prepared.queueOffset, 0);
  const normal = await store.putMessages([0, 1].map((i) => ({ topic: 'Tx', queueId: 0, body: bodyOf(i, 20) })));
  assert.deepEqual(normal.map((r) => r.queueOffset), [0, 1]);
  await store.whenDispatched(store.getMaxPhysicalOffset());
  assert.equal(store.getMaxOffsetInQueue('Tx', 0), 2);
  const consumable = store.getMessage('Tx', 0, 0, 10).messages();
  assert.deepEqual(consumable.map((m) => m.commitLogOffset), normal.map((r) => r.physicalOffset));
  assert.equal(store.lookMessageByOffset(prepared.physicalOffset)?.sysFlag, MessageSysFlag.TRANSACTION_PREPARED_TYPE);
});

test('maxBytes bounds one pull; nextBeginOffset continues where it stopped', async (t) => {
  const { store } = await openStore(t);
  const stored = await store.putMessages([0, 1, 2, 3].map((i) => ({ topic: 'Bytes', queueId: 0, body: bodyOf(i, 500) })));
  await store.whenDispatched(store.getMaxPhysicalOffset());
  const size = stored[0]?.wroteBytes as number;
  const first = store.getMessage('Bytes', 0, 0, 10, { maxBytes: size * 2 });
  assert.equal(first.status, 'FOUND');
  assert.ok(first.messageCount >= 1 && first.messageCount <= 2, `got ${first.messageCount}`);
  assert.equal((first.records as Buffer).length, first.messageCount * size);
  assert.equal(first.nextBeginOffset, first.messageCount);
  const unbounded = store.getMessage('Bytes', 0, 0, 10, { maxBytes: Number.MAX_SAFE_INTEGER });
  assert.equal(unbounded.messageCount, 4, 'a budget beyond int32 means no extra limit');
});

test('deleteTopic removes its queues; the topic starts again at queue offset 0', async (t) => {
  const { store } = await openStore(t);
  await store.putMessages([0, 1].map((i) => ({ topic: 'Gone', queueId: i, body: bodyOf(i, 20) })));
  await store.putMessage({ topic: 'Kept', queueId: 0, body: bodyOf(9, 20) });
  await store.whenDispatched(store.getMaxPhysicalOffset());
  assert.equal(store.deleteTopic('Gone'), 2);
  assert.deepEqual(store.listQueues().map((q) => q.topic), ['Kept']);
  assert.equal(store.getMessage('Gone', 0, 0, 1).status, 'NO_MATCHED_LOGIC_QUEUE');
  const again = await store.putMessage({ topic: 'Gone', queueId: 0, body: bodyOf(5, 20) });
  assert.equal(again.queueOffset, 0);
  await store.whenDispatched(again.physicalOffset);
  assert.deepEqual(store.getMessage('Gone', 0, 0, 5).messages().map((m) => m.commitLogOffset), [again.physicalOffset]);
});
