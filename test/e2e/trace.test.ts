/**
 * Message trace end to end: a name server and a broker (traceTopicEnable) in this process on real
 * sockets, a producer and a push consumer with enableTrace, and `cometmq admin trace` run as an
 * operator runs it (a child process, --json and text). With trace off nothing reaches the trace topic.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Producer } from '../../src/client/producer/producer';
import { PushConsumer } from '../../src/client/consumer/push-consumer';
import { TransactionProducer } from '../../src/client/producer/transaction-producer';
import type { ConsumeTraceHook, SendTraceHook } from '../../src/client/trace';
import { silentLogger } from '../../src/common';
import type { BrokerFixture } from '../broker/broker-fixture';
import { waitFor } from '../broker/wait-for';
import { runCometmqToEnd, type CliResult } from '../helpers/cometmq-cli';
import { startCluster, type ClusterFixture } from '../client/consumer/cluster-fixture';

const TRACE_TOPIC = 'RMQ_SYS_TRACE_TOPIC';
const WAIT_MS = 15_000;

let cluster: ClusterFixture;
let namesrvAddr: string;
let fx: BrokerFixture;

function cometmq(args: readonly string[]): Promise<CliResult> {
  return runCometmqToEnd(args, WAIT_MS);
}

function createTopic(topic: string): Promise<void> {
  return cluster.createTopic(topic, 1);
}

function traceTopicSize(): number {
  return fx.broker.context.store.getMaxOffsetInQueue(TRACE_TOPIC, 0);
}

before(async () => {
  // Every delay level 1 s: a redelivery after RECONSUME_LATER comes back quickly.
  cluster = await startCluster({ traceTopicEnable: true, messageDelayLevel: Array(18).fill('1s').join(' ') });
  namesrvAddr = cluster.namesrvAddr;
  fx = cluster.broker;
  await cluster.routed(TRACE_TOPIC, WAIT_MS);
});

after(async () => {
  await cluster.close();
});

test('traceTopicEnable: the broker created the trace topic with one queue at start', () => {
  const config = fx.broker.context.topics.get(TRACE_TOPIC);
  assert.ok(config);
  assert.equal(config.writeQueueNums, 1);
  assert.equal(config.readQueueNums, 1);
});

test('producer and consumer with trace on: admin trace shows who sent the message where, and who consumed it', async () => {
  await createTopic('TracedOrders');
  const producer = new Producer({ groupName: 'TracedPG', namesrvAddr, enableTrace: true });
  const consumer = new PushConsumer({ groupName: 'TracedCG', namesrvAddr, enableTrace: true, consumeFromWhere: 'FIRST_OFFSET', logger: silentLogger });
  const received: string[] = [];
  consumer.subscribe('TracedOrders', '*');
  consumer.registerListener((messages) => {
    for (const m of messages) received.push(m.properties['UNIQ_KEY'] ?? '');
    return 'CONSUME_SUCCESS';
  });
  await producer.start();
  await consumer.start();
  try {
    const result = await producer.send({ topic: 'TracedOrders', body: 'order #1', tags: 'Created', keys: ['order-1'] });
    await waitFor(() => received.includes(result.msgId), WAIT_MS);
    const consumeTrace = consumer.consumeHooks[0] as ConsumeTraceHook;
    const sendTrace = producer.sendHooks[0] as SendTraceHook;
    await waitFor(() => consumeTrace.stats.appended >= 2, WAIT_MS); // SubBefore, then SubAfter once the listener returned
    await sendTrace.dispatcher.flush();
    await consumeTrace.dispatcher.flush();
    assert.deepEqual([sendTrace.stats.sent, sendTrace.stats.dropped, sendTrace.stats.failed], [1, 0, 0]);
    assert.deepEqual([consumeTrace.stats.sent, consumeTrace.stats.dropped, consumeTrace.stats.failed], [2, 0, 0]);
    await fx.dispatched();

    const run = await cometmq(['admin', 'trace', '-i', result.msgId, '-n', namesrvAddr, '--json']);
    assert.equal(run.code, 0, run.stderr);
    const life = JSON.parse(run.stdout);
    assert.equal(life.msgId, result.msgId);
    assert.equal(life.published.length, 1);
    const pub = life.published[0];
    assert.equal(pub.groupName, 'TracedPG');
    assert.equal(pub.topic, 'TracedOrders');
    assert.equal(pub.tags, 'Created');
    assert.equal(pub.keys, 'order-1');
    assert.equal(pub.storeHost, fx.addr);
    assert.equal(pub.offsetMsgId, result.offsetMsgId);
    assert.equal(pub.queueId, result.messageQueue.queueId);
    assert.equal(pub.queueOffset, result.queueOffset);
    assert.equal(pub.bodyLength, Buffer.byteLength('order #1'));
    assert.equal(pub.success, true);
    assert.equal(pub.msgType, 'Normal_Msg');
    assert.deepEqual(life.consumption.map((g: { group: string; consumed: boolean }) => [g.group, g.consumed]), [['TracedCG', true]]);
    const [attempt] = life.consumption[0].attempts;
    assert.deepEqual([attempt.retryTimes, attempt.success, attempt.result], [0, true, 'SUCCESS']);

    const text = await cometmq(['admin', 'trace', '-i', result.msgId, '-n', namesrvAddr]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`sent .* by group TracedPG to TracedOrders at ${fx.addr} queue 0 offset ${result.queueOffset}: ok`));
    assert.match(text.stdout, /group TracedCG: consumed after 1 attempt\(s\)/);

    const byKey = await cometmq(['admin', 'message', 'by-key', '-t', TRACE_TOPIC, '-k', 'order-1', '-n', namesrvAddr, '--json']);
    assert.equal(byKey.code, 0, 'the trace messages are indexed by the business key too');
  } finally {
    await consumer.shutdown();
    await producer.shutdown();
  }
});

test('a failed first attempt and a successful retry are two attempts of one group, in order', async () => {
  await createTopic('RetriedOrders');
  const producer = new Producer({ groupName: 'RetryPG', namesrvAddr, enableTrace: true });
  const consumer = new PushConsumer({ groupName: 'RetryCG', namesrvAddr, enableTrace: true, consumeFromWhere: 'FIRST_OFFSET', logger: silentLogger });
  let deliveries = 0;
  consumer.subscribe('RetriedOrders', '*');
  consumer.registerListener(() => {
    deliveries++;
    if (deliveries === 1) throw new Error('first delivery fails');
    return 'CONSUME_SUCCESS';
  });
  await producer.start();
  await consumer.start();
  let msgId: string;
  try {
    msgId = (await producer.send({ topic: 'RetriedOrders', body: 'retry me' })).msgId;
    const trace = consumer.consumeHooks[0] as ConsumeTraceHook;
    await waitFor(() => deliveries === 2 && trace.stats.appended >= 4, WAIT_MS);
    await trace.dispatcher.flush();
    await (producer.sendHooks[0] as SendTraceHook).dispatcher.flush();
    await fx.dispatched();
  } finally {
    await consumer.shutdown();
    await producer.shutdown();
  }
  const run = await cometmq(['admin', 'trace', '-i', msgId, '-n', namesrvAddr, '--json']);
  assert.equal(run.code, 0, run.stderr);
  const life = JSON.parse(run.stdout);
  assert.equal(life.consumption.length, 1);
  assert.equal(life.consumption[0].group, 'RetryCG');
  assert.equal(life.consumption[0].consumed, true);
  assert.deepEqual(life.consumption[0].attempts.map((a: { retryTimes: number; success: boolean; result: string }) => [a.retryTimes, a.success, a.result]),
    [[0, false, 'EXCEPTION'], [1, true, 'SUCCESS']]);
});

test('an orderly listener is traced too: a suspended attempt (FAILED), then the successful one', async () => {
  await createTopic('OrderedOrders');
  const producer = new Producer({ groupName: 'OrderlyPG', namesrvAddr });
  const consumer = new PushConsumer({ groupName: 'OrderlyCG', namesrvAddr, enableTrace: true, consumeFromWhere: 'FIRST_OFFSET', logger: silentLogger });
  let calls = 0;
  consumer.subscribe('OrderedOrders', '*');
  consumer.registerOrderlyListener((_messages, context) => {
    calls++;
    context.suspendCurrentQueueTimeMillis = 10;
    return calls === 1 ? 'SUSPEND_CURRENT_QUEUE_A_MOMENT' : 'SUCCESS';
  });
  await producer.start();
  await consumer.start();
  let msgId: string;
  try {
    msgId = (await producer.send({ topic: 'OrderedOrders', body: 'in order' })).msgId;
    const trace = consumer.consumeHooks[0] as ConsumeTraceHook;
    await waitFor(() => calls === 2 && trace.stats.appended >= 4, WAIT_MS);
    await trace.dispatcher.flush();
    await fx.dispatched();
  } finally {
    await consumer.shutdown();
    await producer.shutdown();
  }
  const life = JSON.parse((await cometmq(['admin', 'trace', '-i', msgId, '-n', namesrvAddr, '--json'])).stdout);
  assert.equal(life.published.length, 0, 'the producer had trace off');
  assert.deepEqual(life.consumption.map((g: { group: string; consumed: boolean }) => [g.group, g.consumed]), [['OrderlyCG', true]]);
  assert.deepEqual(life.consumption[0].attempts.map((a: { success: boolean; result: string }) => [a.success, a.result]), [[false, 'FAILED'], [true, 'SUCCESS']]);
});

test('a transactional send: the half message is a Trans_Msg_Half Pub record, the verdict an EndTransaction record', async () => {
  await createTopic('TxOrders');
  const producer = new TransactionProducer({
    groupName: 'TxTracePG', namesrvAddr, enableTrace: true,
    transactionListener: { executeLocalTransaction: () => 'COMMIT_MESSAGE', checkLocalTransaction: () => 'COMMIT_MESSAGE' },
  });
  await producer.start();
  let msgId: string;
  try {
    const result = await producer.sendMessageInTransaction({ topic: 'TxOrders', body: 'tx order', tags: 'Paid', keys: ['tx-1'] });
    msgId = result.msgId;
    const trace = producer.producer.sendHooks[0] as SendTraceHook;
    await waitFor(() => trace.stats.appended >= 2, WAIT_MS);
    await trace.dispatcher.flush();
    await fx.dispatched();
  } finally {
    await producer.shutdown();
  }
  const run = await cometmq(['admin', 'trace', '-i', msgId, '-n', namesrvAddr, '--json']);
  assert.equal(run.code, 0, run.stderr);
  const life = JSON.parse(run.stdout);
  assert.deepEqual(life.published.map((p: { msgType: string; groupName: string }) => [p.msgType, p.groupName]), [['Trans_Msg_Half', 'TxTracePG']]);
  assert.equal(life.transaction.length, 1);
  const [verdict] = life.transaction;
  assert.deepEqual([verdict.transactionState, verdict.fromTransactionCheck, verdict.topic, verdict.tags, verdict.keys, verdict.storeHost],
    ['COMMIT_MESSAGE', false, 'TxOrders', 'Paid', 'tx-1', fx.addr]);
  const text = await cometmq(['admin', 'trace', '-i', msgId, '-n', namesrvAddr]);
  assert.match(text.stdout, /transaction COMMIT_MESSAGE .* by group TxTracePG, transactionId /);
});

test('trace off (the default): sends and consumption put nothing on the trace topic', async () => {
  await createTopic('UntracedOrders');
  const before = traceTopicSize();
  const producer = new Producer({ groupName: 'UntracedPG', namesrvAddr });
  const consumer = new PushConsumer({ groupName: 'UntracedCG', namesrvAddr, consumeFromWhere: 'FIRST_OFFSET', logger: silentLogger });
  let consumed = 0;
  consumer.subscribe('UntracedOrders', '*');
  consumer.registerListener((messages) => {
    consumed += messages.length;
    return 'CONSUME_SUCCESS';
  });
  await producer.start();
  await consumer.start();
  try {
    assert.equal(producer.sendHooks.length, 0);
    assert.equal(consumer.consumeHooks.length, 0);
    for (let i = 0; i < 3; i++) await producer.send({ topic: 'UntracedOrders', body: `order ${i}`, keys: [`u-${i}`] });
    await producer.sendBatch([{ topic: 'UntracedOrders', body: 'a' }, { topic: 'UntracedOrders', body: 'b' }]);
    await waitFor(() => consumed === 5, WAIT_MS);
  } finally {
    await consumer.shutdown();
    await producer.shutdown();
  }
  await fx.dispatched();
  assert.equal(traceTopicSize(), before);
});

test('admin trace of an id nobody traced: one line on stderr and a non-zero exit', async () => {
  const run = await cometmq(['admin', 'trace', '-i', '0123456789ABCDEF0123456789ABCDEF', '-n', namesrvAddr]);
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, /no trace records for message '0123456789ABCDEF0123456789ABCDEF' in trace topic 'RMQ_SYS_TRACE_TOPIC'/);
  assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
});
