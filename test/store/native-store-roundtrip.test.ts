import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bodyCrc, decodeOffsetMessageId, javaStringHash, BLANK_MAGIC_CODE, MessageSysFlag, type MessageToStore } from '../../src/message';
import { SEGMENT_BYTES, bodyOf, commitLogSegments, openStore, readConsumeQueue, scanCommitLog } from './store-fixture';

const storeHost = { address: '10.9.8.7', port: 10911 };

test('every field round-trips through the store (put -> getMessage / lookMessageByOffset)', async (t) => {
  const { store } = await openStore(t, {}, { storeHost });
  const msg: MessageToStore = {
    topic: 'RoundTrip',
    queueId: 2,
    body: Buffer.from('the body \u00e9\u4e16'),
    flag: 12345,
    properties: { TAGS: 'TagA', KEYS: 'order-1 order-2', UNIQ_KEY: 'C0A8000100002A9F0000000000000001', extra: 'x\u00e9' },
    bornTimestamp: 1_700_000_000_001,
    bornHost: { address: '2001:db8::17', port: 40000 },
    sysFlag: MessageSysFlag.MULTI_TAGS_FLAG,
    reconsumeTimes: 3,
    preparedTransactionOffset: 77,
  };
  const result = await store.putMessage(msg);
  assert.equal(result.status, 'PUT_OK');
  assert.equal(result.queueOffset, 0);
  assert.equal(result.physicalOffset, 0);
  assert.ok(result.storeTimestamp > 0);
  assert.deepEqual(decodeOffsetMessageId(result.msgId), { storeHost, physicalOffset: 0 });
  await store.whenDispatched(result.physicalOffset);

  const got = store.getMessage('RoundTrip', 2, 0, 10);
  assert.equal(got.status, 'FOUND');
  assert.equal(got.messageCount, 1);
  assert.equal(got.nextBeginOffset, 1);
  const [ext] = got.messages();
  assert.ok(ext !== undefined);
  assert.equal(ext.topic, msg.topic);
  assert.equal(ext.queueId, 2);
  assert.equal(ext.flag, 12345);
  assert.deepEqual(ext.body, msg.body);
  assert.deepEqual(ext.properties, msg.properties);
  assert.equal(ext.tags, 'TagA');
  assert.equal(ext.keys, 'order-1 order-2');
  assert.equal(ext.queueOffset, 0);
  assert.equal(ext.commitLogOffset, result.physicalOffset);
  assert.equal(ext.storeSize, result.wroteBytes);
  assert.equal(ext.sysFlag, MessageSysFlag.MULTI_TAGS_FLAG | MessageSysFlag.BORNHOST_V6_FLAG);
  assert.equal(ext.bodyCRC, bodyCrc(msg.body));
  assert.equal(ext.bornTimestamp, msg.bornTimestamp);
  assert.deepEqual(ext.bornHost, msg.bornHost);
  assert.equal(ext.storeTimestamp, result.storeTimestamp);
  assert.deepEqual(ext.storeHost, storeHost);
  assert.equal(ext.reconsumeTimes, 3);
  assert.equal(ext.preparedTransactionOffset, 77);
  assert.equal(ext.msgId, result.msgId);

  assert.deepEqual(store.lookMessageByOffset(result.physicalOffset), ext);
  assert.equal(store.getMessageStoreTimestamp('RoundTrip', 2, 0), result.storeTimestamp);
  assert.equal(store.getCommitLogOffsetInQueue('RoundTrip', 2, 0), result.physicalOffset);
  assert.equal(store.getEarliestMessageTime('RoundTrip', 2), result.storeTimestamp);
  assert.equal(store.getMinOffsetInQueue('RoundTrip', 2), 0);
  assert.equal(store.getMaxOffsetInQueue('RoundTrip', 2), 1);
  assert.deepEqual(store.listQueues(), [{ topic: 'RoundTrip', queueId: 2, minOffset: 0, maxOffset: 1 }]);
});

test('records roll across segments with blank filler; CQ files and the index agree with a disk scan', async (t) => {
  const { store, root } = await openStore(t);
  const topics = ['RollA', 'RollB'];
  const tags = ['red', 'green', 'blue'];
  const results = [];
  // ~2.9 MiB of records in 1 MiB segments: at least two rolls.
  for (let batch = 0; batch < 45; batch++) {
    const msgs: MessageToStore[] = [];
    for (let j = 0; j < 16; j++) {
      const i = batch * 16 + j;
      msgs.push({
        topic: topics[i % 2] as string,
        queueId: i % 3,
        body: bodyOf(i),
        properties: { TAGS: tags[i % 3] as string, KEYS: `key-${i} shared-${i % 5}`, UNIQ_KEY: `UNIQ${i.toString(16).padStart(8, '0')}` },
      });
    }
    const stored = await store.putMessages(msgs);
    for (const r of stored) assert.equal(r.status, 'PUT_OK', r.remark);
    results.push(...stored);
  }
  await store.whenDispatched(store.getMaxPhysicalOffset());

  // The next segment may already be pre-allocated (empty): count only segments holding data.
  const segments = commitLogSegments(root).filter((segment) => segment.dataEnd > 0);
  assert.ok(segments.length >= 3, `expected at least 3 segments, got ${segments.length}`);
  for (const [k, segment] of segments.entries()) {
    assert.equal(segment.base, k * SEGMENT_BYTES, 'segments are named by their start offset');
    if (k < segments.length - 1) {
      assert.equal(segment.bytes.readInt32BE(segment.dataEnd + 4), BLANK_MAGIC_CODE, 'rolled segment ends with a blank record');
      assert.equal(segment.bytes.readInt32BE(segment.dataEnd), SEGMENT_BYTES - segment.dataEnd, 'blank covers the rest');
    }
  }

  const scanned = scanCommitLog(root);
  assert.equal(scanned.length, results.length);
  for (const [i, record] of scanned.entries()) {
    const m = record.message;
    assert.equal(m.commitLogOffset, record.segmentBase + record.position, 'PHYSICALOFFSET is the record position');
    assert.equal(m.commitLogOffset, results[i]?.physicalOffset);
    assert.equal(m.bodyCRC, bodyCrc(m.body));
    assert.deepEqual(m.body, bodyOf(i));
  }

  for (const topic of topics) {
    for (let queueId = 0; queueId < 3; queueId++) {
      const expected = scanned.filter((r) => r.message.topic === topic && r.message.queueId === queueId);
      assert.deepEqual(expected.map((r) => r.message.queueOffset), expected.map((_, k) => k), 'queue offsets are consecutive');
      const units = readConsumeQueue(root, topic, queueId);
      assert.deepEqual(
        units,
        expected.map((r) => ({ physicalOffset: r.message.commitLogOffset, size: r.message.storeSize, tagsCode: javaStringHash(r.message.tags ?? '') })),
        `ConsumeQueue file of ${topic}/${queueId} matches the CommitLog`,
      );
      // Read back through the store, in pulls of at most 8.
      const pulled: number[] = [];
      let offset = 0;
      while (offset < expected.length) {
        const got = store.getMessage(topic, queueId, offset, 8);
        assert.equal(got.status, 'FOUND');
        pulled.push(...got.messages().map((m) => m.commitLogOffset));
        offset = got.nextBeginOffset;
      }
      assert.deepEqual(pulled, expected.map((r) => r.message.commitLogOffset));
    }
  }

  for (const key of ['key-17', 'shared-3', 'UNIQ000000a0']) {
    for (const topic of topics) {
      const expected = scanned
        .filter((r) => r.message.topic === topic && ((r.message.keys ?? '').split(' ').includes(key) || r.message.properties['UNIQ_KEY'] === key))
        .map((r) => r.message.commitLogOffset)
        .sort((a, b) => a - b);
      const found = store.queryMessage(topic, key, 1000, 0, Date.now() + 60_000);
      assert.deepEqual(found.messages().map((m) => m.commitLogOffset).sort((a, b) => a - b), expected, `query ${topic} ${key}`);
      assert.equal(found.messageCount, expected.length);
    }
  }
  const none = store.queryMessage('RollA', 'key-17', 32, 0, 1000);
  assert.equal(none.messageCount, 0, 'a time range before every message finds nothing');
});

test('tag filtering and offset by time', async (t) => {
  const { store } = await openStore(t);
  const stored = [];
  for (let i = 0; i < 12; i++) {
    const [r] = await store.putMessages([{ topic: 'Tags', queueId: 0, body: bodyOf(i, 10), properties: { TAGS: i % 3 === 0 ? 'A' : 'B' } }]);
    assert.equal(r?.status, 'PUT_OK');
    stored.push(r);
  }
  await store.whenDispatched(store.getMaxPhysicalOffset());
  const onlyA = store.getMessage('Tags', 0, 0, 32, { tagsCodes: [javaStringHash('A')] });
  assert.equal(onlyA.status, 'FOUND');
  assert.deepEqual(onlyA.messages().map((m) => m.queueOffset), [0, 3, 6, 9]);
  const none = store.getMessage('Tags', 0, 0, 32, { tagsCodes: [javaStringHash('Z')] });
  assert.notEqual(none.status, 'FOUND');
  assert.equal(none.messageCount, 0);

  const times = stored.map((r) => r?.storeTimestamp as number);
  assert.equal(store.getOffsetInQueueByTime('Tags', 0, 0), 0, 'before everything -> first offset');
  const last = times.at(-1) as number;
  const firstAtLast = times.indexOf(last);
  assert.equal(store.getOffsetInQueueByTime('Tags', 0, last), firstAtLast, 'the first message stored at that time');

  assert.equal(store.getMessage('Nope', 0, 0, 1).status, 'NO_MATCHED_LOGIC_QUEUE');
  assert.equal(store.getMessage('Tags', 0, 12, 1).status, 'OFFSET_OVERFLOW_ONE');
  assert.equal(store.getMessage('Tags', 0, 50, 1).status, 'OFFSET_OVERFLOW_BADLY');
});

test('IPv6 store host and the transient store pool: records and 56-character msgIds round-trip', async (t) => {
  const v6Host = { address: '2001:db8::a:b', port: 10911 };
  const { store } = await openStore(t, { transientStorePoolEnable: true, transientStorePoolSize: 2 }, { storeHost: v6Host });
  const results = await store.putMessages([1, 2, 3].map((i) => ({ topic: 'Six', queueId: 0, body: bodyOf(i, 300), properties: { KEYS: `k${i}` } })));
  for (const r of results) {
    assert.equal(r.status, 'PUT_OK');
    assert.equal(r.msgId.length, 56);
    assert.deepEqual(decodeOffsetMessageId(r.msgId), { storeHost: v6Host, physicalOffset: r.physicalOffset });
  }
  await store.whenDispatched(store.getMaxPhysicalOffset());
  const got = store.getMessage('Six', 0, 0, 10).messages();
  assert.deepEqual(got.map((m) => m.msgId), results.map((r) => r.msgId));
  assert.deepEqual(got.map((m) => m.storeHost), [v6Host, v6Host, v6Host]);
  assert.equal(got[1]?.sysFlag, MessageSysFlag.STOREHOSTADDRESS_V6_FLAG);
  assert.deepEqual(got.map((m) => m.body), [1, 2, 3].map((i) => bodyOf(i, 300)));
  assert.equal(store.queryMessage('Six', 'k2', 10, 0, Date.now() + 60_000).messages()[0]?.msgId, results[1]?.msgId);
});
