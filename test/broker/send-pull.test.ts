import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { encodeBatchBody } from '../../src/protocol';
import { decodeRecords, encodeProperties } from '../../src/message';
import { RequestCode, ResponseCode, SerializeType, createRequest } from '../../src/protocol';
import { createPullMessageHandler } from '../../src/broker/handlers/pull-message';
import { decodeCommand, encodeCommand } from '../../src/remoting';
import { pullRequest, sendV2Request, startBroker, type BrokerFixture } from './broker-fixture';
import { waitFor } from './wait-for';

let fx: BrokerFixture;

before(async () => {
  fx = await startBroker();
});

after(async () => {
  await fx.close();
});

test('SEND_MESSAGE_V2 then PULL_MESSAGE returns the stored record bytes and correct offsets', async () => {
  const sent = await fx.invoke(sendV2Request({ topic: 'SendPull', body: 'hello', tags: 'TagA', properties: { UNIQ_KEY: 'AABBCC', KEYS: 'k1' } }));
  assert.equal(sent.code, ResponseCode.SUCCESS, sent.remark);
  assert.equal(sent.extFields['queueId'], '0');
  assert.equal(sent.extFields['queueOffset'], '0');
  assert.equal(sent.extFields['transactionId'], 'AABBCC');
  assert.equal(sent.extFields['MSG_REGION'], 'DefaultRegion');
  assert.match(sent.extFields['msgId'] ?? '', /^[0-9A-F]{32}$/);
  const second = await fx.invoke(sendV2Request({ topic: 'SendPull', body: 'world' }));
  assert.equal(second.extFields['queueOffset'], '1');

  await fx.dispatched();
  const pulled = await fx.invoke(pullRequest({ topic: 'SendPull', queueOffset: 0 }));
  assert.equal(pulled.code, ResponseCode.SUCCESS, pulled.remark);
  assert.equal(pulled.extFields['nextBeginOffset'], '2');
  assert.equal(pulled.extFields['minOffset'], '0');
  assert.equal(pulled.extFields['maxOffset'], '2');
  assert.equal(pulled.extFields['suggestWhichBrokerId'], '0');
  const messages = decodeRecords(pulled.body ?? null);
  assert.deepEqual(messages.map((m) => m.body.toString()), ['hello', 'world']);
  assert.equal(messages[0]?.msgId, sent.extFields['msgId'], 'the send msgId is the offset id of the stored record');
  assert.equal(messages[0]?.properties['UNIQ_KEY'], 'AABBCC');
  assert.equal(messages[0]?.properties['CLUSTER'], 'DefaultCluster');
  assert.equal(messages[0]?.bornHost.address, '127.0.0.1', 'born host comes from the connection');

  const atEnd = await fx.invoke(pullRequest({ topic: 'SendPull', queueOffset: 2 }));
  assert.equal(atEnd.code, ResponseCode.PULL_NOT_FOUND);
  assert.equal(atEnd.extFields['nextBeginOffset'], '2');
  const beyond = await fx.invoke(pullRequest({ topic: 'SendPull', queueOffset: 9 }));
  assert.equal(beyond.code, ResponseCode.PULL_OFFSET_MOVED);
  // Apache's store answers OFFSET_OVERFLOW_BADLY with minOffset while the queue still starts at 0.
  assert.equal(beyond.extFields['nextBeginOffset'], '0');
});

test('SEND_MESSAGE (long header names) and auto-created topics get min(requested, TBW102) queues', async () => {
  const request = createRequest(RequestCode.SEND_MESSAGE, {
    producerGroup: 'PG', topic: 'LongNames', defaultTopic: 'TBW102', defaultTopicQueueNums: '4', queueId: '3',
    sysFlag: '0', bornTimestamp: String(Date.now()), flag: '7', properties: encodeProperties({ TAGS: 'x' }), reconsumeTimes: '0',
  }, Buffer.from('v1'));
  const sent = await fx.invoke(request);
  assert.equal(sent.code, ResponseCode.SUCCESS, sent.remark);
  assert.equal(sent.extFields['queueId'], '3');
  assert.equal(fx.broker.context.topics.get('LongNames')?.writeQueueNums, 4);
  await fx.dispatched();
  const pulled = await fx.invoke(pullRequest({ topic: 'LongNames', queueId: 3, queueOffset: 0 }));
  assert.equal(decodeRecords(pulled.body ?? null)[0]?.flag, 7);
});

test('batch send stores all messages atomically at consecutive offsets', async () => {
  const body = encodeBatchBody([
    { body: Buffer.from('b0'), properties: encodeProperties({ UNIQ_KEY: 'U0', TAGS: 'T' }) },
    { body: Buffer.from('b1'), properties: encodeProperties({ UNIQ_KEY: 'U1' }) },
    { body: Buffer.from('b2'), flag: 3 },
  ]);
  // Java clients send 320 with SendMessageRequestHeaderV2's one-letter names, as for 310.
  const request = createRequest(RequestCode.SEND_BATCH_MESSAGE, {
    a: 'PG', b: 'Batch', c: 'TBW102', d: '4', e: '1', f: '0', g: String(Date.now()), h: '0', i: '', m: 'true',
  }, body);
  const sent = await fx.invoke(request);
  assert.equal(sent.code, ResponseCode.SUCCESS, sent.remark);
  assert.equal(sent.extFields['queueOffset'], '0');
  assert.equal(sent.extFields['msgId']?.split(',').length, 3);
  await fx.dispatched();
  const pulled = await fx.invoke(pullRequest({ topic: 'Batch', queueId: 1, queueOffset: 0 }));
  const messages = decodeRecords(pulled.body ?? null);
  assert.deepEqual(messages.map((m) => [m.body.toString(), m.queueOffset, m.flag]), [['b0', 0, 0], ['b1', 1, 0], ['b2', 2, 3]]);
  assert.deepEqual(messages.map((m) => m.msgId), sent.extFields['msgId']?.split(','));

  const broken = await fx.invoke(createRequest(RequestCode.SEND_BATCH_MESSAGE, { ...request.extFields }, body.subarray(0, body.length - 1)));
  assert.equal(broken.code, ResponseCode.MESSAGE_ILLEGAL);
  await fx.dispatched();
  const after = await fx.invoke(pullRequest({ topic: 'Batch', queueId: 1, queueOffset: 3 }));
  assert.equal(after.extFields['maxOffset'], '3', 'a malformed batch stores nothing');
});

test('tag filtering: hash filter in the queue, then exact TAGS match; all filtered -> PULL_RETRY_IMMEDIATELY', async () => {
  // "Aa" and "BB" have the same Java hashCode, so only the exact match can tell them apart.
  for (const tags of ['Aa', 'BB', 'C', 'Aa']) {
    const sent = await fx.invoke(sendV2Request({ topic: 'Tags', body: tags, tags }));
    assert.equal(sent.code, ResponseCode.SUCCESS);
  }
  await fx.dispatched();
  const onlyAa = await fx.invoke(pullRequest({ topic: 'Tags', queueOffset: 0, subscription: 'Aa' }));
  assert.equal(onlyAa.code, ResponseCode.SUCCESS);
  assert.deepEqual(decodeRecords(onlyAa.body ?? null).map((m) => m.body.toString()), ['Aa', 'Aa']);
  assert.equal(onlyAa.extFields['nextBeginOffset'], '4');

  const two = await fx.invoke(pullRequest({ topic: 'Tags', queueOffset: 0, subscription: 'C || BB' }));
  assert.deepEqual(decodeRecords(two.body ?? null).map((m) => m.body.toString()), ['BB', 'C']);

  const none = await fx.invoke(pullRequest({ topic: 'Tags', queueOffset: 0, subscription: 'Zz' }));
  assert.equal(none.code, ResponseCode.PULL_RETRY_IMMEDIATELY);
  assert.equal(none.extFields['nextBeginOffset'], '4');
});

test('delayed send goes to SCHEDULE_TOPIC_XXXX queue level-1 with REAL_TOPIC/REAL_QID', async () => {
  const sent = await fx.invoke(sendV2Request({ topic: 'Delayed', body: 'later', queueId: 2, properties: { DELAY: '3' } }));
  assert.equal(sent.code, ResponseCode.SUCCESS, sent.remark);
  assert.equal(sent.extFields['queueId'], '2', 'the response names the schedule queue (level 3 - 1)');
  await fx.dispatched();
  const pulled = await fx.invoke(pullRequest({ topic: 'SCHEDULE_TOPIC_XXXX', queueId: 2, queueOffset: 0 }));
  const [message] = decodeRecords(pulled.body ?? null);
  assert.equal(message?.properties['REAL_TOPIC'], 'Delayed');
  assert.equal(message?.properties['REAL_QID'], '2');
  const real = await fx.invoke(pullRequest({ topic: 'Delayed', queueId: 2, queueOffset: 0 }));
  assert.equal(real.code, ResponseCode.PULL_NOT_FOUND, 'nothing in the real topic yet');
});

test('a held pull returns as soon as a message arrives', async () => {
  const empty = await fx.invoke(pullRequest({ topic: 'Held', queueOffset: 0 }));
  assert.equal(empty.code, ResponseCode.TOPIC_NOT_EXIST);
  await fx.invoke(sendV2Request({ topic: 'Held', body: 'first' }));
  await fx.dispatched();
  const held = fx.invoke(pullRequest({ topic: 'Held', queueOffset: 1, suspend: true, suspendTimeoutMillis: 20_000 }), 25_000);
  let isAnswered = false;
  void held.then(() => { isAnswered = true; });
  await waitFor(() => fx.broker.context.pullHold.heldCount === 1, 5000);
  assert.equal(isAnswered, false, 'nothing to return yet: the pull is parked');
  await fx.invoke(sendV2Request({ topic: 'Held', body: 'second' }));
  const response = await held;
  assert.equal(response.code, ResponseCode.SUCCESS);
  assert.deepEqual(decodeRecords(response.body ?? null).map((m) => m.body.toString()), ['second']);
  assert.equal(response.extFields['nextBeginOffset'], '2');
});

test('a held pull lets go of the read buffer its binary header was decoded from (a long hold must not pin it)', async () => {
  await fx.invoke(sendV2Request({ topic: 'HeldRaw', body: 'x' }));
  await fx.dispatched();
  const request = pullRequest({ topic: 'HeldRaw', queueOffset: 1, suspend: true, suspendTimeoutMillis: 20_000 });
  request.serializeTypeCurrentRPC = SerializeType.ROCKETMQ;
  const decoded = decodeCommand(encodeCommand(request).subarray(4));
  assert.notEqual(decoded.rawExtFields, undefined, 'the header is still the frame\'s bytes');
  const heldBefore = fx.broker.context.pullHold.heldCount;
  const answer = createPullMessageHandler(fx.broker.context)(decoded);
  await waitFor(() => fx.broker.context.pullHold.heldCount === heldBefore + 1, 5000);
  assert.equal(decoded.rawExtFields, undefined);
  assert.equal(decoded.extFields['topic'], 'HeldRaw');
  await fx.invoke(sendV2Request({ topic: 'HeldRaw', body: 'y' }));
  const response = await answer;
  assert.equal(response.code, ResponseCode.SUCCESS);
  assert.deepEqual(decodeRecords(response.body ?? null).map((m) => m.body.toString()), ['y']);
});

test('a held pull with a short suspend time is answered PULL_NOT_FOUND when it expires', async () => {
  await fx.invoke(sendV2Request({ topic: 'HeldTimeout', body: 'x' }));
  await fx.dispatched();
  const response = await fx.invoke(pullRequest({ topic: 'HeldTimeout', queueOffset: 1, suspend: true, suspendTimeoutMillis: 50 }));
  assert.equal(response.code, ResponseCode.PULL_NOT_FOUND);
  assert.equal(response.extFields['nextBeginOffset'], '1');
});

test('bad requests get the RocketMQ code and the broker keeps serving', async () => {
  const missing = sendV2Request({ topic: 'Bad', body: 'x' });
  delete missing.extFields['b'];
  assert.equal((await fx.invoke(missing)).code, ResponseCode.SYSTEM_ERROR);

  const malformed = sendV2Request({ topic: 'Bad', body: 'x' });
  malformed.extFields['e'] = 'zero';
  assert.equal((await fx.invoke(malformed)).code, ResponseCode.SYSTEM_ERROR);

  assert.equal((await fx.invoke(sendV2Request({ topic: 'bad topic!', body: 'x' }))).code, ResponseCode.INVALID_PARAMETER);
  assert.equal((await fx.invoke(sendV2Request({ topic: 'SCHEDULE_TOPIC_XXXX', body: 'x' }))).code, ResponseCode.NO_PERMISSION);
  assert.equal((await fx.invoke(sendV2Request({ topic: 'Bad', body: 'x', queueId: 99 }))).code, ResponseCode.INVALID_PARAMETER);
  assert.equal((await fx.invoke(sendV2Request({ topic: 'Bad', body: Buffer.alloc(4 * 1024 * 1024 + 1) }))).code, ResponseCode.MESSAGE_ILLEGAL);
  assert.equal((await fx.invoke(pullRequest({ topic: 'Bad', queueId: 40, queueOffset: 0 }))).code, ResponseCode.INVALID_PARAMETER);
  assert.equal((await fx.invoke(pullRequest({ topic: 'NoSuchTopic', queueOffset: 0 }))).code, ResponseCode.TOPIC_NOT_EXIST);
  assert.equal((await fx.invoke(createRequest(9999))).code, ResponseCode.REQUEST_CODE_NOT_SUPPORTED);

  const ok = await fx.invoke(sendV2Request({ topic: 'Bad', body: 'still fine' }));
  assert.equal(ok.code, ResponseCode.SUCCESS);
});

test('a held pull stays parked while only non-matching tags arrive and answers on the first match', async () => {
  await fx.invoke(sendV2Request({ topic: 'HeldTags', body: 'seed', tags: 'A' }));
  await fx.dispatched();
  const held = fx.invoke(pullRequest({ topic: 'HeldTags', queueOffset: 1, subscription: 'A', suspend: true, suspendTimeoutMillis: 20_000 }), 25_000);
  let isAnswered = false;
  void held.then(() => { isAnswered = true; });
  await waitFor(() => fx.broker.context.pullHold.heldCount === 1, 5000);
  await fx.invoke(sendV2Request({ topic: 'HeldTags', body: 'other', tags: 'B' }));
  await fx.dispatched();
  await waitFor(() => fx.broker.context.store.getMaxOffsetInQueue('HeldTags', 0) === 2, 5000);
  assert.equal(fx.broker.context.pullHold.heldCount, 1, 'still parked after a non-matching arrival');
  assert.equal(isAnswered, false);
  await fx.invoke(sendV2Request({ topic: 'HeldTags', body: 'match', tags: 'A' }));
  const response = await held;
  assert.equal(response.code, ResponseCode.SUCCESS);
  assert.deepEqual(decodeRecords(response.body ?? null).map((m) => m.body.toString()), ['match']);
  assert.equal(response.extFields['nextBeginOffset'], '3');
});

test('a producer\'s properties text is stored as sent with the broker\'s CLUSTER added exactly once', async () => {
  const send = (properties: string, body: string) => createRequest(RequestCode.SEND_MESSAGE, {
    producerGroup: 'PG', topic: 'RawProps', defaultTopic: 'TBW102', defaultTopicQueueNums: '1', queueId: '0',
    sysFlag: '0', bornTimestamp: String(Date.now()), flag: '0', properties, reconsumeTimes: '0',
  }, Buffer.from(body));
  const cases: Array<[string, Record<string, string>]> = [
    ['TAGS\u0001t\u0002UNIQ_KEY\u0001U1\u0002', { TAGS: 't', UNIQ_KEY: 'U1' }],
    ['a\u0001b', { a: 'b' }], // no trailing separator: the broker's property must not run into it
    ['CLUSTER\u0001spoofed\u0002k\u0001v\u0002', { k: 'v' }], // the broker's value replaces the producer's
    ['', {}],
  ];
  for (const [i, [text]] of cases.entries()) {
    const sent = await fx.invoke(send(text, `raw-${i}`));
    assert.equal(sent.code, ResponseCode.SUCCESS, sent.remark);
  }
  await fx.dispatched();
  const pulled = await fx.invoke(pullRequest({ topic: 'RawProps', queueOffset: 0 }));
  const stored = decodeRecords(pulled.body ?? null);
  assert.equal(stored.length, cases.length);
  for (const [i, [, expected]] of cases.entries()) {
    assert.deepEqual(stored[i]?.properties, { ...expected, CLUSTER: 'DefaultCluster' }, `case ${i}`);
  }
});
