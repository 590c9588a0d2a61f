import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../../src/common';
import type { MessageToStore } from '../../src/message';
import { NativeMessageStore } from '../../src/store';
import { SEGMENT_BYTES, bodyOf, openStore, tempDir, tinyConfig } from './store-fixture';

const ok = (i: number): MessageToStore => ({ topic: 'Valid', queueId: 0, body: bodyOf(i, 50) });

test('a putMessages batch is atomic: consecutive physical and queue offsets, one status', async (t) => {
  const { store } = await openStore(t);
  await store.putMessage(ok(0));
  const batch = await store.putMessages([0, 1, 2, 3, 4].map((i) => ({ ...ok(i), queueId: 1 })));
  assert.deepEqual(batch.map((r) => r.status), Array(5).fill('PUT_OK'));
  assert.deepEqual(batch.map((r) => r.queueOffset), [0, 1, 2, 3, 4]);
  for (let i = 1; i < batch.length; i++) {
    const prev = batch[i - 1]!;
    assert.equal(batch[i]!.physicalOffset, prev.physicalOffset + prev.wroteBytes, 'records are back to back');
    assert.equal(batch[i]!.storeTimestamp, prev.storeTimestamp, 'one store timestamp per batch');
  }
  assert.deepEqual(await store.putMessages([]), []);
});

test('concurrent puts of one turn share a crossing and get distinct consecutive offsets', async (t) => {
  const { store } = await openStore(t);
  const callsBefore = store.stats().appendCalls;
  const results = await Promise.all(Array.from({ length: 50 }, (_, i) => store.putMessage({ ...ok(i), queueId: 3 })));
  assert.deepEqual(results.map((r) => r.queueOffset), Array.from({ length: 50 }, (_, i) => i));
  assert.equal(store.stats().appendCalls - callsBefore, 1, 'one appendBatch crossing for the whole turn');
  assert.equal(store.beginTimeInLock(), 0, 'no append holds the CommitLog lock between turns');
  assert.equal(store.stats().beginTimeInLock, store.beginTimeInLock());
  await store.whenDispatched(results[49]!.physicalOffset);
  assert.equal(store.stats().consumeQueues, store.listQueues().length, 'the queue count agrees with the listing');
});

test('bad input resolves with a status and a remark, never throws, and stores nothing', async (t) => {
  const { store } = await openStore(t, { maxMessageSize: 1024 });
  const cases: Array<[MessageToStore, string, RegExp]> = [
    [{ ...ok(0), body: Buffer.alloc(1025) }, 'MESSAGE_ILLEGAL', /maxMessageSize/],
    [{ ...ok(0), topic: 'bad topic' }, 'MESSAGE_ILLEGAL', /topic/],
    [{ ...ok(0), topic: '' }, 'MESSAGE_ILLEGAL', /empty/],
    [{ ...ok(0), topic: 'T'.repeat(128) }, 'MESSAGE_ILLEGAL', /127/],
    [{ ...ok(0), queueId: -1 }, 'MESSAGE_ILLEGAL', /queueId/],
    [{ ...ok(0), queueId: 1.5 }, 'MESSAGE_ILLEGAL', /queueId/],
    [{ ...ok(0), body: 'text' as unknown as Buffer }, 'MESSAGE_ILLEGAL', /body/],
    [{ ...ok(0), properties: { big: 'x'.repeat(40_000) } }, 'PROPERTIES_SIZE_EXCEEDED', /32767/],
    [{ ...ok(0), properties: { big: '\u4e16'.repeat(11_000) } }, 'PROPERTIES_SIZE_EXCEEDED', /32767/],
    [{ ...ok(0), properties: { bad: 'a\u0002b' } }, 'MESSAGE_ILLEGAL', /separator/],
    [{ ...ok(0), bornHost: { address: 'not-an-ip', port: 1 } }, 'MESSAGE_ILLEGAL', /bornHost/],
    [{ ...ok(0), flag: 2 ** 40 }, 'MESSAGE_ILLEGAL', /flag/],
    [null as unknown as MessageToStore, 'MESSAGE_ILLEGAL', /object/],
    [{ ...ok(0), properties: Object.defineProperty({}, 'boom', { enumerable: true, get: () => { throw new Error('getter exploded'); } }) }, 'MESSAGE_ILLEGAL', /getter exploded/],
  ];
  for (const [msg, status, remark] of cases) {
    const result = await store.putMessage(msg);
    assert.equal(result.status, status, JSON.stringify(result));
    assert.match(result.remark ?? '', remark);
    assert.equal(result.msgId, '');
    assert.equal(result.physicalOffset, -1);
  }
  // A bad message fails its whole batch, and only its batch.
  const [good, mixed] = await Promise.all([store.putMessage(ok(1)), store.putMessages([ok(2), { ...ok(3), queueId: -5 }])]);
  assert.equal(good.status, 'PUT_OK');
  assert.deepEqual(mixed.map((r) => r.status), ['MESSAGE_ILLEGAL', 'MESSAGE_ILLEGAL']);
  assert.match(mixed[0]?.remark ?? '', /message 1 of the batch/);
  assert.equal(store.getMaxPhysicalOffset(), good.physicalOffset + good.wroteBytes, 'nothing else was written');
});

test('puts before start and after shutdown answer SERVICE_NOT_AVAILABLE', async (t) => {
  const store = new NativeMessageStore(tinyConfig(tempDir(t)), { logger: silentLogger });
  assert.equal((await store.putMessage(ok(0))).status, 'SERVICE_NOT_AVAILABLE');
  await store.start();
  assert.equal((await store.putMessage(ok(0))).status, 'PUT_OK');
  const pending = store.putMessage(ok(1));
  await store.shutdown();
  assert.equal((await pending).status, 'PUT_OK', 'a put of the shutdown turn is still appended');
  assert.equal((await store.putMessage(ok(2))).status, 'SERVICE_NOT_AVAILABLE');
  await store.shutdown();
  assert.throws(() => store.getMessage('Valid', 0, 0, 1), { code: 'ERR_STORE_NOT_OPEN' });
});

test('read arguments are checked before they reach native code', async (t) => {
  const { store } = await openStore(t);
  assert.throws(() => store.getMessage('Valid', -1, 0, 1), RangeError);
  assert.throws(() => store.getMessage('Valid', 0, -1, 1), RangeError);
  assert.throws(() => store.getMessage('Valid', 0, 0, 0), RangeError);
  assert.throws(() => store.lookMessageByOffset(-1), RangeError);
  assert.throws(() => store.queryMessage('Valid', 5 as unknown as string, 1, 0, 1), TypeError);
  await assert.rejects(store.whenDispatched(-1), RangeError);
  assert.equal(store.lookMessageByOffset(123_456), null);
});

test('a batch larger than a segment stays atomic: it rolls segments, offsets stay dense, no record spans two', async (t) => {
  const { store } = await openStore(t);
  const msgs = Array.from({ length: 300 }, (_, i) => ({ topic: 'Big', queueId: 0, body: bodyOf(i, 60_000) }));
  const results = await store.putMessages(msgs);
  assert.deepEqual(new Set(results.map((r) => r.status)), new Set(['PUT_OK']));
  assert.deepEqual(results.map((r) => r.queueOffset), msgs.map((_, i) => i));
  let rolls = 0;
  for (let i = 0; i < results.length; i++) {
    const r = results[i]!;
    assert.ok((r.physicalOffset % SEGMENT_BYTES) + r.wroteBytes <= SEGMENT_BYTES, 'a record never spans two segments');
    if (i > 0) {
      const prev = results[i - 1]!;
      const gap = r.physicalOffset - (prev.physicalOffset + prev.wroteBytes);
      if (gap !== 0) {
        rolls++;
        assert.equal(r.physicalOffset % SEGMENT_BYTES, 0, 'only a roll to the next segment leaves a gap');
      }
    }
  }
  assert.ok(rolls >= 15, `expected many rolls, got ${rolls}`);
  // The pool shrank back after the 18 MB batch; later puts still work.
  assert.equal((await store.putMessage(ok(1))).status, 'PUT_OK');
  await store.whenDispatched(store.getMaxPhysicalOffset());
  assert.equal(store.getMaxOffsetInQueue('Big', 0), 300);
});
