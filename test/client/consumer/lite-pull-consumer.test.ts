import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { LitePullConsumer } from '../../../src/client/consumer/lite-pull-consumer';
import type { MessageExt } from '../../../src/message';
import { startCluster, type ClusterFixture } from './cluster-fixture';

let cluster: ClusterFixture;

before(async () => {
  cluster = await startCluster();
});

after(async () => {
  await cluster.close();
});

async function pollUntil(consumer: LitePullConsumer, count: number, deadlineMs: number): Promise<MessageExt[]> {
  const got: MessageExt[] = [];
  const deadline = Date.now() + deadlineMs;
  while (got.length < count) {
    if (Date.now() > deadline) throw new Error(`polled ${got.length} of ${count} within ${deadlineMs} ms`);
    got.push(...(await consumer.poll(500)));
  }
  return got;
}

test('subscribe + poll + commitSync; a new consumer of the group resumes after the commit', async () => {
  await cluster.createTopic('LiteSub', 2);
  for (let i = 0; i < 8; i++) await cluster.send('LiteSub', `l${i}`, i % 2, i < 4 ? 'A' : 'B');
  const c = new LitePullConsumer({ groupName: 'G_lite', namesrvAddr: cluster.namesrvAddr, consumeFromWhere: 'FIRST_OFFSET', autoCommit: false });
  c.subscribe('LiteSub', 'A');
  await c.start();
  const got = await pollUntil(c, 4, 10_000);
  assert.deepEqual(got.map((m) => m.body.toString()).sort(), ['l0', 'l1', 'l2', 'l3']);
  await c.commitSync();
  // At least past the consumed A messages; past the filtered B ones too once an empty pull saw them.
  for (const queueId of [0, 1]) {
    const committed = await cluster.committedOffset('G_lite', 'LiteSub', queueId);
    assert.ok(committed >= 2 && committed <= 4, `queue ${queueId} committed ${committed}`);
  }
  await c.shutdown();

  await cluster.send('LiteSub', 'l8', 0, 'A');
  const next = new LitePullConsumer({ groupName: 'G_lite', namesrvAddr: cluster.namesrvAddr, consumeFromWhere: 'FIRST_OFFSET' });
  next.subscribe('LiteSub', 'A');
  await next.start();
  const resumed = await pollUntil(next, 1, 10_000);
  await next.shutdown();
  assert.deepEqual(resumed.map((m) => m.body.toString()), ['l8']);
  // Auto commit (on by default) stored the progress at shutdown.
  assert.equal(await cluster.committedOffset('G_lite', 'LiteSub', 0), 5);
});

test('a tag-filtered group commits past the messages its subscription filters out (consumer lag reaches 0)', async () => {
  await cluster.createTopic('LiteTagLag', 1);
  for (let i = 0; i < 6; i++) await cluster.send('LiteTagLag', `t${i}`, 0, i % 3 === 0 ? 'A' : 'B');
  const c = new LitePullConsumer({ groupName: 'G_lite_lag', namesrvAddr: cluster.namesrvAddr, consumeFromWhere: 'FIRST_OFFSET', autoCommit: false, suspendMs: 200 });
  c.subscribe('LiteTagLag', 'A');
  await c.start();
  try {
    const got = await pollUntil(c, 2, 10_000);
    assert.deepEqual(got.map((m) => m.body.toString()).sort(), ['t0', 't3']);
    const deadline = Date.now() + 10_000;
    for (;;) {
      await c.commitSync();
      if ((await cluster.committedOffset('G_lite_lag', 'LiteTagLag', 0)) === 6) break;
      if (Date.now() > deadline) assert.fail(`committed offset stuck at ${await cluster.committedOffset('G_lite_lag', 'LiteTagLag', 0)}, expected 6`);
      await c.poll(100);
    }
  } finally {
    await c.shutdown();
  }
});

test('assign + seek / seekToBegin / seekToEnd, and async iteration', async () => {
  await cluster.createTopic('LiteAssign', 1);
  for (let i = 0; i < 5; i++) await cluster.send('LiteAssign', `a${i}`, 0);
  const c = new LitePullConsumer({ groupName: 'G_assign', namesrvAddr: cluster.namesrvAddr, consumeFromWhere: 'FIRST_OFFSET', suspendMs: 200 });
  const queues = await c.fetchMessageQueues('LiteAssign');
  assert.equal(queues.length, 1);
  const mq = queues[0] as (typeof queues)[0];
  c.assign(queues);
  await c.start();
  assert.deepEqual((await pollUntil(c, 5, 10_000)).map((m) => m.body.toString()), ['a0', 'a1', 'a2', 'a3', 'a4']);

  c.seek(mq, 3);
  assert.deepEqual((await pollUntil(c, 2, 10_000)).map((m) => m.queueOffset), [3, 4]);

  await c.seekToBegin(mq);
  assert.equal((await pollUntil(c, 1, 10_000))[0]?.queueOffset, 0);

  await c.seekToEnd(mq);
  await cluster.send('LiteAssign', 'a5', 0);
  const seen: string[] = [];
  for await (const batch of c) {
    seen.push(...batch.map((m) => m.body.toString()));
    if (seen.includes('a5')) break;
  }
  assert.deepEqual(seen, ['a5'], 'after seekToEnd only the new message comes');
  await c.shutdown();
});

test('options and call order are checked', () => {
  assert.throws(() => new LitePullConsumer({ groupName: 'bad group', namesrvAddr: '127.0.0.1:1' }), { code: 'ERR_INVALID_ARGUMENT' });
  assert.throws(() => new LitePullConsumer({ groupName: 'G', namesrvAddr: '127.0.0.1:1', pullBatchSize: 0 }), { code: 'ERR_INVALID_ARGUMENT' });
  const c = new LitePullConsumer({ groupName: 'G', namesrvAddr: '127.0.0.1:1' });
  c.subscribe('T');
  assert.throws(() => c.assign([{ topic: 'T', brokerName: 'b', queueId: 0 }]), { code: 'ERR_ILLEGAL_OPERATION' });
});
