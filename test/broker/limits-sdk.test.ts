/**
 * The same message limits through the SDK producer: what the SDK can know is refused at the call
 * (ERR_MESSAGE_ILLEGAL, nothing sent: the broker's queue does not move), at the limit and one byte
 * over; what only the broker knows (its CLUSTER property) comes back as the broker's MESSAGE_ILLEGAL.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Producer } from '../../src/client/producer/producer';
import { sentPropertiesBytes } from '../../src/client/producer/message-limits';
import { MqError } from '../../src/common';
import { ResponseCode } from '../../src/protocol';
import { startCluster, type ClusterFixture } from '../client/consumer/cluster-fixture';
import type { BrokerFixture } from './broker-fixture';

const MAX = 4 * 1024 * 1024;
const TOPIC = 'SdkLimits';

let cluster: ClusterFixture;
let fx: BrokerFixture;
let producer: Producer;

before(async () => {
  cluster = await startCluster({ mappedFileSizeCommitLog: 12 * 1024 * 1024 });
  const { namesrvAddr } = cluster;
  fx = cluster.broker;
  await cluster.routed('TBW102', 10_000);
  // No compression: the bodies below reach the broker at their own size.
  producer = new Producer({ groupName: 'LimitsPG', namesrvAddr, compressMsgBodyOverHowmuch: 64 * 1024 * 1024, sendMsgTimeoutMs: 20_000 });
  await producer.start();
  await producer.send({ topic: TOPIC, body: 'first' }); // creates the topic
});

after(async () => {
  await producer.shutdown();
  await cluster.close();
});

async function stored(): Promise<number> {
  await fx.dispatched();
  return fx.broker.context.store.getMaxOffsetInQueue(TOPIC, 0) + fx.broker.context.store.getMaxOffsetInQueue(TOPIC, 1)
    + fx.broker.context.store.getMaxOffsetInQueue(TOPIC, 2) + fx.broker.context.store.getMaxOffsetInQueue(TOPIC, 3);
}

/** `send` is refused by the SDK itself: ERR_MESSAGE_ILLEGAL matching `why`, and no message reaches the broker. */
async function refusedLocally(send: () => Promise<unknown>, why: RegExp): Promise<void> {
  const before = await stored();
  await assert.rejects(send, (err: unknown) => err instanceof MqError && err.code === 'ERR_MESSAGE_ILLEGAL' && why.test(err.message));
  assert.equal(await stored(), before);
}

test('body: 4 MiB is sent and stored, 4 MiB + 1 is refused before sending', async () => {
  const before = await stored();
  assert.equal((await producer.send({ topic: TOPIC, body: Buffer.alloc(MAX, 1) })).sendStatus, 'SEND_OK');
  assert.equal(await stored(), before + 1);
  await refusedLocally(() => producer.send({ topic: TOPIC, body: Buffer.alloc(MAX + 1, 1) }), /body is 4194305 bytes; the limit is 4194304/);
});

test('properties: 32767 bytes as sent is the SDK limit (one more is refused locally); the broker counts its CLUSTER property too', async () => {
  const overhead = sentPropertiesBytes({ properties: { p: '' } }, undefined);
  const cluster = Buffer.byteLength(`CLUSTER\u0001${fx.broker.config.brokerClusterName}\u0002`);
  const withValue = (bytes: number) => ({ topic: TOPIC, body: 'x', properties: { p: 'v'.repeat(bytes - overhead) } });
  assert.equal((await producer.send(withValue(32767 - cluster))).sendStatus, 'SEND_OK', 'the largest the broker stores');
  await assert.rejects(producer.send(withValue(32767)), (err: unknown) => err instanceof MqError && err.responseCode === ResponseCode.MESSAGE_ILLEGAL
    && /properties/.test(err.message), 'within the SDK limit, over the stored limit: the broker refuses');
  await refusedLocally(() => producer.send(withValue(32768)), /the message properties are 32768 bytes encoded; the limit is 32767/);
});

test('batch: an encoded batch of exactly 4 MiB is stored, one byte more is refused before sending', async () => {
  const batch = (second: number) => [{ topic: TOPIC, body: Buffer.alloc(1024, 1) }, { topic: TOPIC, body: Buffer.alloc(second, 2) }];
  // The SDK names the encoded size of a refused batch: size the second body from it.
  const probe = await producer.sendBatch(batch(MAX)).then(() => assert.fail('over the limit'), (err: Error) => Number(/the batch is (\d+) bytes/.exec(err.message)?.[1]));
  const exact = MAX - (probe - MAX);
  const before = await stored();
  assert.equal((await producer.sendBatch(batch(exact))).sendStatus, 'SEND_OK');
  assert.equal(await stored(), before + 2);
  await refusedLocally(() => producer.sendBatch(batch(exact + 1)), /the batch is 4194305 bytes encoded; the limit is 4194304/);
});

test('batch rules: one topic, no delay level, no retry topic, at least one message', async () => {
  await refusedLocally(() => producer.sendBatch([{ topic: TOPIC, body: 'a' }, { topic: 'Other', body: 'b' }]), /a batch has one topic/);
  await refusedLocally(() => producer.sendBatch([{ topic: TOPIC, body: 'a', delayTimeLevel: 2 }]), /cannot have a delayTimeLevel/);
  await refusedLocally(() => producer.sendBatch([{ topic: '%RETRY%G', body: 'a' }]), /retry topics/);
  await refusedLocally(() => producer.sendBatch([]), /at least one message/);
});

test('topics: 127 characters pass, 128 and illegal characters are refused; system topics are refused, the trace topic is not', async () => {
  assert.equal((await producer.send({ topic: 'S'.repeat(127), body: 'x' })).sendStatus, 'SEND_OK');
  await refusedLocally(() => producer.send({ topic: 'S'.repeat(128), body: 'x' }), /127/);
  await refusedLocally(() => producer.send({ topic: 'a/b', body: 'x' }), /outside/);
  for (const topic of ['SCHEDULE_TOPIC_XXXX', 'RMQ_SYS_TRANS_HALF_TOPIC', 'SELF_TEST_TOPIC', 'TBW102', 'rmq_sys_x']) {
    await refusedLocally(() => producer.send({ topic, body: 'x' }), /system topic/);
  }
  assert.equal((await producer.send({ topic: 'RMQ_SYS_TRACE_TOPIC', body: 'x' })).sendStatus, 'SEND_OK');
});

test('tags and keys: no "|" in tags, no blank tags or keys, no whitespace inside an array key, 16 KiB each', async () => {
  await refusedLocally(() => producer.send({ topic: TOPIC, body: 'x', tags: 'A|B' }), /tags must not contain '\|'/);
  await refusedLocally(() => producer.send({ topic: TOPIC, body: 'x', tags: '  ' }), /tags must not be blank/);
  await refusedLocally(() => producer.send({ topic: TOPIC, body: 'x', keys: ['ok', ' '] }), /keys must not be blank/);
  await refusedLocally(() => producer.send({ topic: TOPIC, body: 'x', keys: ['two words'] }), /whitespace/);
  await refusedLocally(() => producer.send({ topic: TOPIC, body: 'x', tags: 't'.repeat(16 * 1024 + 1) }), /tags are 16385 bytes; the limit is 16384/);
  assert.equal((await producer.send({ topic: TOPIC, body: 'x', tags: 't'.repeat(16 * 1024) })).sendStatus, 'SEND_OK');
  assert.equal((await producer.send({ topic: TOPIC, body: 'x', keys: 'k'.repeat(16 * 1024) })).sendStatus, 'SEND_OK');
  await refusedLocally(() => producer.send({ topic: TOPIC, body: 'x', keys: 'k'.repeat(16 * 1024 + 1) }), /a key is 16385 bytes/);
});
