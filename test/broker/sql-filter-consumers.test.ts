import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MqError } from '../../src/common';
import { LitePullConsumer, MessageSelector, PushConsumer } from '../../src/client';
import type { MessageExt } from '../../src/message';
import { ResponseCode } from '../../src/protocol';
import { startCluster, waitFor, type ClusterFixture } from '../client/consumer/cluster-fixture';
import { sendV2Request } from './broker-fixture';

let cluster: ClusterFixture;

before(async () => {
  cluster = await startCluster();
});

after(async () => {
  await cluster.close();
});

/** Sends o0..o(n-1) over two queues with price = i and kind = book/food alternating; returns the bodies `wanted` picks. */
async function sendOrders(topic: string, count: number, wanted: (i: number) => boolean): Promise<string[]> {
  const expected: string[] = [];
  for (let i = 0; i < count; i++) {
    const kind = i % 2 === 0 ? 'book' : 'food';
    const sent = await cluster.broker.invoke(sendV2Request({ topic, body: `o${i}`, queueId: i % 2, tags: kind, properties: { price: String(i), kind } }));
    assert.equal(sent.code, ResponseCode.SUCCESS, sent.remark);
    if (wanted(i)) expected.push(`o${i}`);
  }
  return expected.sort();
}

function sortedBodies(messages: readonly MessageExt[]): string[] {
  return messages.map((m) => m.body.toString()).sort();
}

test('a PushConsumer subscribed with { sql } receives exactly the matching messages, once', async () => {
  await cluster.createTopic('SqlPush', 2);
  const consumer = new PushConsumer({ groupName: 'G_sql_push', namesrvAddr: cluster.namesrvAddr, consumeFromWhere: 'FIRST_OFFSET' });
  const got: MessageExt[] = [];
  consumer.subscribe('SqlPush', { sql: "kind = 'book' AND price BETWEEN 4 AND 15" });
  consumer.registerListener((messages) => {
    got.push(...messages);
    return 'CONSUME_SUCCESS';
  });
  await consumer.start();
  try {
    const expected = await sendOrders('SqlPush', 20, (i) => i % 2 === 0 && i >= 4 && i <= 15);
    await waitFor(() => got.length >= expected.length, 10_000);
    const registered = cluster.broker.broker.context.consumers.subscription('G_sql_push', 'SqlPush');
    assert.equal(registered?.expressionType, 'SQL92');
    assert.equal(registered?.subString, "kind = 'book' AND price BETWEEN 4 AND 15");
    assert.deepEqual(sortedBodies(got), expected);
  } finally {
    await consumer.shutdown();
  }
  assert.equal(got.length, 6, 'nothing delivered twice');
});

test('a bad SQL92 expression rejects PushConsumer.start() with the broker parser message (CHECK_CLIENT_CONFIG)', async () => {
  await cluster.createTopic('SqlBad', 1);
  const consumer = new PushConsumer({ groupName: 'G_sql_bad', namesrvAddr: cluster.namesrvAddr });
  consumer.subscribe('SqlBad', MessageSelector.bySql('price >> 3'));
  consumer.registerListener(() => 'CONSUME_SUCCESS');
  await assert.rejects(consumer.start(), (err: unknown) => {
    assert.ok(err instanceof MqError);
    assert.equal(err.code, 'ERR_SUBSCRIPTION_PARSE_FAILED');
    assert.equal(err.responseCode, ResponseCode.SUBSCRIPTION_PARSE_FAILED);
    assert.match(err.message, /column 8 \(offset 7\), at ">"/);
    return true;
  });
  assert.deepEqual(cluster.broker.broker.context.consumers.clientIds('G_sql_bad'), [], 'the consumer never registered');
  await consumer.shutdown();
});

test('a LitePullConsumer subscribed with MessageSelector.bySql polls only the matching messages', async () => {
  await cluster.createTopic('SqlLite', 2);
  const expected = await sendOrders('SqlLite', 16, (i) => i % 3 === 0 || i > 13);
  const consumer = new LitePullConsumer({ groupName: 'G_sql_lite', namesrvAddr: cluster.namesrvAddr, consumeFromWhere: 'FIRST_OFFSET', suspendMs: 1000 });
  consumer.subscribe('SqlLite', MessageSelector.bySql("price IN ('0', '3', '6', '9', '12', '15') OR price > 13"));
  await consumer.start();
  const got: MessageExt[] = [];
  try {
    const deadline = Date.now() + 10_000;
    while (got.length < expected.length && Date.now() < deadline) got.push(...(await consumer.poll(500)));
  } finally {
    await consumer.shutdown();
  }
  assert.deepEqual(sortedBodies(got), expected);
});

test('selectors: bySql/byTag, { sql } and { tag }, and clear errors for bad input', () => {
  assert.deepEqual(MessageSelector.bySql('a > 1'), { type: 'SQL92', expression: 'a > 1' });
  assert.deepEqual(MessageSelector.byTag(), { type: 'TAG', expression: '*' });
  const consumer = new PushConsumer({ groupName: 'G_sel', namesrvAddr: cluster.namesrvAddr });
  consumer.subscribe('T1', { tag: 'A || B' });
  consumer.subscribe('T2', MessageSelector.byTag('A'));
  for (const bad of [() => MessageSelector.bySql('  '), () => consumer.subscribe('T3', { sql: '' }), () => consumer.subscribe('T4', { nope: 1 } as never)]) {
    assert.throws(bad, (err: unknown) => err instanceof MqError && err.code === 'ERR_INVALID_ARGUMENT');
  }
  assert.throws(() => consumer.subscribe('T5', ' || '), (err: unknown) => err instanceof MqError && err.code === 'ERR_SUBSCRIPTION_PARSE_FAILED');
});

test('against a broker with enablePropertyFilter=false, start() is rejected with the broker answer (SYSTEM_ERROR)', async () => {
  const off = await startCluster({ enablePropertyFilter: false });
  try {
    await off.createTopic('SqlOff', 1);
    const consumer = new PushConsumer({ groupName: 'G_sql_off', namesrvAddr: off.namesrvAddr });
    consumer.subscribe('SqlOff', { sql: 'a = 1' });
    consumer.registerListener(() => 'CONSUME_SUCCESS');
    await assert.rejects(consumer.start(), (err: unknown) => {
      assert.ok(err instanceof MqError);
      assert.equal(err.responseCode, ResponseCode.SYSTEM_ERROR);
      assert.equal(err.message, 'The broker does not support consumer to filter message by SQL92');
      return true;
    });
  } finally {
    await off.close();
  }
});
