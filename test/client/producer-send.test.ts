/** Producer against a real name server + broker in this process (127.0.0.1, port 0, temp store). */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { inflateSync } from 'node:zlib';
import { Producer, type MessageQueue, type SendResult } from '../../src/client';
import { MessageSysFlag, SCHEDULE_TOPIC } from '../../src/message';
import { startProducerCluster, type ProducerCluster } from './producer-cluster';

let cluster: ProducerCluster;
let producer: Producer;

before(async () => {
  cluster = await startProducerCluster(1);
  await cluster.createTopic('Orders', 4);
  producer = new Producer({ groupName: 'PG_TEST', namesrvAddr: cluster.namesrvAddr });
  await producer.start();
});

after(async () => {
  await producer.shutdown();
  await cluster.close();
});

test('sync send: stored with its UNIQ_KEY, tags, keys and user properties', async () => {
  const result = await producer.send({ topic: 'Orders', body: 'hello', tags: 'TagA', keys: ['order-1', 'user-7'], properties: { color: 'red' } });
  assert.equal(result.sendStatus, 'SEND_OK');
  assert.match(result.msgId, /^[0-9A-F]{32}$/);
  assert.equal(result.messageQueue.topic, 'Orders');
  const record = await cluster.stored(result.offsetMsgId);
  assert.equal(record.topic, 'Orders');
  assert.equal(record.queueId, result.messageQueue.queueId);
  assert.equal(record.queueOffset, result.queueOffset);
  assert.equal(record.body.toString(), 'hello');
  assert.equal(record.properties['UNIQ_KEY'], result.msgId);
  assert.equal(record.properties['TAGS'], 'TagA');
  assert.equal(record.properties['KEYS'], 'order-1 user-7');
  assert.equal(record.properties['color'], 'red');
  assert.equal(await producer.sendAsync({ topic: 'Orders', body: 'again' }).then((r) => r.sendStatus), 'SEND_OK');
});

test('every message gets its own UNIQ_KEY and sends rotate over the queues', async () => {
  const results = await Promise.all(Array.from({ length: 16 }, (_, i) => producer.send({ topic: 'Orders', body: `m${i}` })));
  assert.equal(new Set(results.map((r) => r.msgId)).size, 16);
  assert.deepEqual([...new Set(results.map((r) => r.messageQueue.queueId))].sort(), [0, 1, 2, 3]);
});

test('one-way send: the message arrives though no result comes back', async () => {
  const broker = cluster.brokers[0]!;
  const store = broker.broker.context.store;
  const before = store.getMaxPhysicalOffset();
  await producer.sendOneway({ topic: 'Orders', body: 'oneway-body', tags: 'OW' });
  await waitForOffset(() => store.getMaxPhysicalOffset() > before);
  await broker.dispatched();
  let found = false;
  for (let queueId = 0; queueId < 4 && !found; queueId++) {
    const max = store.getMaxOffsetInQueue('Orders', queueId);
    if (max === 0) continue;
    const physical = store.getCommitLogOffsetInQueue('Orders', queueId, max - 1);
    const record = store.lookMessageByOffset(physical);
    found = record?.body.toString() === 'oneway-body' && record.properties['TAGS'] === 'OW';
  }
  assert.ok(found, 'the one-way message is the last of one of the queues');
});

test('ordered sends: a selector and a sharding key keep one key in one queue, in order', async () => {
  const selected: MessageQueue[] = [];
  const bySelector: SendResult[] = [];
  for (let i = 0; i < 10; i++) {
    bySelector.push(await producer.send({ topic: 'Orders', body: `sel-${i}` }, {
      selector: (queues, _msg, arg) => {
        const q = queues[(arg as number) % queues.length]!;
        selected.push(q);
        return q;
      },
      selectorArg: 6,
    }));
  }
  assert.ok(bySelector.every((r) => r.messageQueue.queueId === 2), 'queue 6 % 4');
  assert.deepEqual(bySelector.map((r) => r.queueOffset), bySelector.map((_, i) => bySelector[0]!.queueOffset + i));
  for (let i = 0; i < bySelector.length; i++) assert.equal((await cluster.stored(bySelector[i]!.offsetMsgId)).body.toString(), `sel-${i}`);

  const sharded: SendResult[] = [];
  for (let i = 0; i < 10; i++) sharded.push(await producer.send({ topic: 'Orders', body: `key-${i}` }, { shardingKey: 'customer-42' }));
  assert.equal(new Set(sharded.map((r) => r.messageQueue.queueId)).size, 1);
  assert.deepEqual(sharded.map((r) => r.queueOffset), sharded.map((_, i) => sharded[0]!.queueOffset + i));
  assert.equal((await cluster.stored(sharded[0]!.offsetMsgId)).properties['__SHARDINGKEY'], 'customer-42');

  await assert.rejects(producer.send({ topic: 'Orders', body: 'x' }, { selector: () => ({ topic: 'Orders', brokerName: 'nope', queueId: 0 }) }),
    { code: 'ERR_MESSAGE_ILLEGAL' });
});

test('batch: one request, consecutive offsets in one queue, each message with its own UNIQ_KEY', async () => {
  const msgs = Array.from({ length: 5 }, (_, i) => ({ topic: 'Orders', body: `batch-${i}`, tags: 'B', keys: `bk-${i}` }));
  const result = await producer.sendBatch(msgs);
  assert.equal(result.sendStatus, 'SEND_OK');
  const uniqIds = result.msgId.split(',');
  const offsetIds = result.offsetMsgId.split(',');
  assert.equal(uniqIds.length, 5);
  assert.equal(offsetIds.length, 5);
  for (let i = 0; i < 5; i++) {
    const record = await cluster.stored(offsetIds[i]!);
    assert.equal(record.body.toString(), `batch-${i}`);
    assert.equal(record.queueOffset, result.queueOffset + i);
    assert.equal(record.queueId, result.messageQueue.queueId);
    assert.equal(record.properties['UNIQ_KEY'], uniqIds[i]);
    assert.equal(record.properties['KEYS'], `bk-${i}`);
  }
  await assert.rejects(producer.sendBatch([{ topic: 'Orders', body: 'a' }, { topic: 'Other', body: 'b' }]), /one topic/);
  await assert.rejects(producer.sendBatch([{ topic: 'Orders', body: 'a', delayTimeLevel: 2 }]), /delayTimeLevel/);
  await assert.rejects(producer.sendBatch([]), /at least one/);
  const big = Buffer.alloc(1024 * 1024, 7);
  await assert.rejects(producer.sendBatch([1, 2, 3, 4, 5].map(() => ({ topic: 'Orders', body: big }))), /the batch is \d+ bytes encoded; the limit is 4194304/);
});

test('compression: a large body is stored deflated with the COMPRESSED flag and inflates back', async () => {
  const body = Buffer.from('compressible payload '.repeat(1000));
  const result = await producer.send({ topic: 'Orders', body });
  const record = await cluster.stored(result.offsetMsgId);
  assert.equal(record.sysFlag & MessageSysFlag.COMPRESSED_FLAG, MessageSysFlag.COMPRESSED_FLAG);
  assert.ok(record.body.length < body.length / 10);
  assert.deepEqual(inflateSync(record.body), body);
  const plain = await cluster.stored((await producer.send({ topic: 'Orders', body: 'small' })).offsetMsgId);
  assert.equal(plain.sysFlag & MessageSysFlag.COMPRESSED_FLAG, 0);
});

test('delay level: the message waits in the schedule topic with its level and real topic', async () => {
  const result = await producer.send({ topic: 'Orders', body: 'later', delayTimeLevel: 3 });
  assert.equal(result.sendStatus, 'SEND_OK');
  const record = await cluster.stored(result.offsetMsgId);
  assert.equal(record.topic, SCHEDULE_TOPIC);
  assert.equal(record.queueId, 2, 'queue = level - 1');
  assert.equal(record.properties['DELAY'], '3');
  assert.equal(record.properties['REAL_TOPIC'], 'Orders');
  assert.equal(record.properties['UNIQ_KEY'], result.msgId);
});

test('a topic unknown to the name server is sent through the default topic and auto-created', async () => {
  const result = await producer.send({ topic: 'BrandNewTopic', body: 'first' });
  assert.equal(result.sendStatus, 'SEND_OK');
  assert.ok(result.messageQueue.queueId < 4, 'at most defaultTopicQueueNums queues');
  assert.equal((await cluster.stored(result.offsetMsgId)).topic, 'BrandNewTopic');
});

test('validation errors reject at the call; a stopped or unstarted producer refuses to send', async () => {
  await assert.rejects(producer.send({ topic: 'bad topic', body: 'x' }), { code: 'ERR_MESSAGE_ILLEGAL' });
  await assert.rejects(producer.send({ topic: 'Orders', body: Buffer.alloc(4 * 1024 * 1024 + 1) }), /limit is 4194304/);
  await assert.rejects(producer.send({ topic: 'Orders', body: 'x' }, { timeoutMs: 0 }), /timeoutMs/);
  const idle = new Producer({ groupName: 'PG_IDLE', namesrvAddr: cluster.namesrvAddr });
  await assert.rejects(idle.send({ topic: 'Orders', body: 'x' }), { code: 'ERR_ILLEGAL_OPERATION' });
  await idle.start();
  await idle.shutdown();
  await assert.rejects(idle.send({ topic: 'Orders', body: 'x' }), /shut down/);
});

test('heartbeats register the producer group on the broker', async () => {
  const ok = await producer.clientInstance.sendHeartbeatToAllBrokers();
  assert.deepEqual(ok, [cluster.brokers[0]!.addr]);
});

async function waitForOffset(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 5 s');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

test('a send to an explicit queue works on a producer that never routed the topic', async () => {
  await cluster.createTopic('Explicit', 2);
  const fresh = new Producer({ groupName: 'PG_EXPLICIT', namesrvAddr: cluster.namesrvAddr });
  await fresh.start();
  try {
    const queue: MessageQueue = { topic: 'Explicit', brokerName: producerBrokerName(), queueId: 1 };
    const result = await fresh.send({ topic: 'Explicit', body: 'direct' }, { queue });
    assert.equal(result.sendStatus, 'SEND_OK');
    assert.deepEqual(result.messageQueue, queue);
  } finally {
    await fresh.shutdown();
  }
});

function producerBrokerName(): string {
  return cluster.brokers[0]!.broker.config.brokerName;
}

test('autoBatch: sends started together share batch requests, each gets its own stored result; others go alone', async () => {
  const batching = new Producer({ groupName: 'PG_AUTOBATCH', namesrvAddr: cluster.namesrvAddr, autoBatch: true, batchMaxBytes: 1024 });
  await batching.start();
  try {
    const broker = cluster.brokers[0]!.broker.context.store;
    const stored = async (r: SendResult) => cluster.stored(r.offsetMsgId);
    // 40 sends of ~100 bytes in one callback: several batches of at most 1 KiB each.
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => batching.send({ topic: 'Orders', body: `auto-${i}`.padEnd(80, '.'), tags: 'AB' })));
    assert.equal(new Set(results.map((r) => r.msgId)).size, 40, 'every message keeps its own UNIQ_KEY');
    assert.equal(new Set(results.map((r) => r.offsetMsgId)).size, 40, 'and its own offset id');
    const byQueue = new Map<number, SendResult[]>();
    for (const r of results) byQueue.set(r.messageQueue.queueId, [...(byQueue.get(r.messageQueue.queueId) ?? []), r]);
    // Round-robin single sends never put two consecutive send() calls in one queue; a batch does.
    let sharedRequests = 0;
    for (let i = 1; i < results.length; i++) {
      const [a, b] = [results[i - 1]!, results[i]!];
      if (a.messageQueue.queueId === b.messageQueue.queueId && b.queueOffset === a.queueOffset + 1) sharedRequests++;
    }
    assert.ok(sharedRequests >= 20, `sends were grouped into batches of at most 1 KiB (${sharedRequests} of 39 neighbours shared one)`);
    for (const [i, r] of results.entries()) {
      const record = await stored(r);
      assert.equal(record.body.toString(), `auto-${i}`.padEnd(80, '.'), 'each result points at its own message');
      assert.equal(record.queueOffset, r.queueOffset);
      assert.equal(record.queueId, r.messageQueue.queueId);
      assert.equal(record.properties['UNIQ_KEY'], r.msgId);
      assert.equal(record.properties['TAGS'], 'AB');
    }
    // Within a queue, the order of the send() calls is the order of the offsets.
    for (const list of byQueue.values()) {
      const offsets = list.map((r) => r.queueOffset);
      assert.deepEqual(offsets, [...offsets].sort((a, b) => a - b));
    }
    // A lone send and a delayed one go as single requests and are stored as such.
    const lone = await batching.send({ topic: 'Orders', body: 'lone' });
    assert.equal((await stored(lone)).body.toString(), 'lone');
    const before = broker.getMaxPhysicalOffset();
    const delayed = await batching.send({ topic: 'Orders', body: 'later', delayTimeLevel: 1 });
    assert.equal((await stored(delayed)).topic, SCHEDULE_TOPIC, 'a delayed send is not batched (batches cannot be delayed)');
    assert.ok(broker.getMaxPhysicalOffset() > before);
    assert.throws(() => new Producer({ groupName: 'PG_X', namesrvAddr: cluster.namesrvAddr, batchMaxBytes: 8 * 1024 * 1024 }), /batchMaxBytes/);
  } finally {
    await batching.shutdown();
  }
});
