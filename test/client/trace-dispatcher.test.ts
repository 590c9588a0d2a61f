/**
 * The trace dispatcher against a real name server and broker in this process: a full queue drops
 * and counts instead of blocking; trace sends that fail lose only their records while business
 * sends succeed; a throwing hook never fails a send; shutdown flushes; batches trace every message.
 * The broker has autoCreateTopicEnable off, so only the trace topic it creates (traceTopicEnable
 * with a custom msgTraceTopicName) exists.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Producer } from '../../src/client/producer/producer';
import { TraceDispatcher, decodeTraceData, type PubRecord, type SendTraceHook, type TraceRecord } from '../../src/client/trace';
import type { BrokerFixture } from '../broker/broker-fixture';
import { startCluster, type ClusterFixture } from './consumer/cluster-fixture';

const TRACE_TOPIC = 'CustomTrace';
const TOPIC = 'Business';
const WAIT_MS = 15_000;

let cluster: ClusterFixture;
let namesrvAddr: string;
let fx: BrokerFixture;

before(async () => {
  cluster = await startCluster({ autoCreateTopicEnable: false, traceTopicEnable: true, msgTraceTopicName: TRACE_TOPIC });
  namesrvAddr = cluster.namesrvAddr;
  fx = cluster.broker;
  await cluster.createTopic(TOPIC, 1);
  await cluster.routed(TRACE_TOPIC, WAIT_MS);
});

after(async () => {
  await cluster.close();
});

/** Every record stored on the trace topic from queue offset `from` on. */
async function storedRecords(from: number): Promise<TraceRecord[]> {
  await fx.dispatched();
  const store = fx.broker.context.store;
  const records: TraceRecord[] = [];
  for (let offset = from; offset < store.getMaxOffsetInQueue(TRACE_TOPIC, 0); offset++) {
    for (const m of store.getMessage(TRACE_TOPIC, 0, offset, 1).messages()) records.push(...decodeTraceData(m.body.toString('utf8')).records);
  }
  return records;
}

function pub(i: number): PubRecord {
  return {
    type: 'Pub', timestamp: 1, regionId: 'R', groupName: 'G', topic: TOPIC, msgId: `ID${i}`, tags: '', keys: '', storeHost: 'h:1',
    bodyLength: 1, costTime: 0, msgType: 'Normal_Msg', offsetMsgId: '', success: true,
  };
}

test('a full queue drops new records (counted) without blocking; what was queued still goes out', async () => {
  const dispatcher = new TraceDispatcher({
    traceTopic: TRACE_TOPIC, producerOptions: { groupName: 'DispatchPG', namesrvAddr }, createSender: (o) => new Producer(o),
    maxQueuedRecords: 10, batchSize: 20, flushIntervalMs: 60_000,
  });
  await dispatcher.start();
  const from = fx.broker.context.store.getMaxOffsetInQueue(TRACE_TOPIC, 0);
  try {
    const accepted = Array.from({ length: 100 }, (_, i) => dispatcher.append([pub(i)]));
    assert.equal(accepted.filter(Boolean).length, 10);
    assert.deepEqual(dispatcher.stats, { appended: 100, sent: 0, dropped: 90, failed: 0, queued: 10 });
    await dispatcher.flush();
    assert.deepEqual(dispatcher.stats, { appended: 100, sent: 10, dropped: 90, failed: 0, queued: 0 });
  } finally {
    await dispatcher.shutdown();
  }
  const records = await storedRecords(from);
  assert.deepEqual(records.map((r) => r.msgId), Array.from({ length: 10 }, (_, i) => `ID${i}`), 'one trace message, the first ten records');
  assert.equal(dispatcher.append([pub(100)]), false, 'a stopped dispatcher drops');
});

test('trace sends that fail lose only their records; the business sends all succeed', async () => {
  const producer = new Producer({ groupName: 'MissingTracePG', namesrvAddr, enableTrace: true, traceTopic: 'NoSuchTraceTopic' });
  await producer.start();
  const trace = producer.sendHooks[0] as SendTraceHook;
  try {
    for (let i = 0; i < 3; i++) {
      const result = await producer.send({ topic: TOPIC, body: `b${i}` });
      assert.equal(result.sendStatus, 'SEND_OK');
    }
    await trace.dispatcher.flush();
    assert.equal(trace.stats.sent, 0);
    assert.equal(trace.stats.failed, 3);
  } finally {
    await producer.shutdown();
  }
});

test('a hook that throws never fails the send', async () => {
  const producer = new Producer({ groupName: 'ThrowingHookPG', namesrvAddr });
  let calls = 0;
  producer.sendHooks.push({ sendAfter: () => { calls++; throw new Error('hook bug'); } });
  await producer.start();
  try {
    const result = await producer.send({ topic: TOPIC, body: 'x' });
    assert.equal(result.sendStatus, 'SEND_OK');
    assert.equal(calls, 1);
  } finally {
    await producer.shutdown();
  }
});

test('shutdown flushes what is queued; a batch gives one Pub record per message with its own ids', async () => {
  const from = fx.broker.context.store.getMaxOffsetInQueue(TRACE_TOPIC, 0);
  const producer = new Producer({ groupName: 'FlushPG', namesrvAddr, enableTrace: true, traceTopic: TRACE_TOPIC });
  await producer.start();
  const single = await producer.send({ topic: TOPIC, body: 'one', tags: 'T1', keys: 'k-1' });
  const batch = await producer.sendBatch([{ topic: TOPIC, body: 'b1' }, { topic: TOPIC, body: 'b22', delayTimeLevel: 0 }]);
  const trace = producer.sendHooks[0] as SendTraceHook;
  await producer.shutdown();
  assert.deepEqual([trace.stats.sent, trace.stats.dropped, trace.stats.failed], [3, 0, 0]);
  const records = (await storedRecords(from)) as PubRecord[];
  assert.deepEqual(records.map((r) => [r.type, r.groupName, r.msgId, r.offsetMsgId, r.bodyLength]), [
    ['Pub', 'FlushPG', single.msgId, single.offsetMsgId, 3],
    ['Pub', 'FlushPG', batch.msgId.split(',')[0], batch.offsetMsgId.split(',')[0], 2],
    ['Pub', 'FlushPG', batch.msgId.split(',')[1], batch.offsetMsgId.split(',')[1], 3],
  ]);
  assert.deepEqual([records[0]!.tags, records[0]!.keys, records[0]!.storeHost], ['T1', 'k-1', fx.addr]);
});

test('bad trace options are refused at construction', () => {
  assert.throws(() => new Producer({ groupName: 'BadTracePG', namesrvAddr, enableTrace: true, traceTopic: 'bad topic!' }), /traceTopic/);
  assert.throws(() => new Producer({ groupName: 'BadTracePG', namesrvAddr, enableTrace: 'yes' as unknown as boolean }), /enableTrace must be a boolean/);
});
