/**
 * SimpleConsumer against a real name server and broker in this process: two consumers of a group
 * share the messages (each acked message delivered once), an unacked one comes back with
 * deliveryAttempt 2, changeInvisibleDuration renews the handle, receive() long-polls until a send,
 * async iteration, tag subscriptions, and options refused at construction.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { popServiceOf } from '../../src/broker/pop/pop-service';
import { silentLogger } from '../../src/common';
import { Producer } from '../../src/client';
import { SimpleConsumer, type PoppedMessage } from '../../src/client/consumer/simple-consumer';
import { NamesrvController } from '../../src/namesrv';
import { createRequest, RequestCode, ResponseCode } from '../../src/protocol';
import { startBroker, type BrokerFixture } from '../broker/broker-fixture';
import { startProducerCluster } from './producer-cluster';
import { waitFor } from '../broker/wait-for';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir';

describe('SimpleConsumer (POP over remoting)', () => {
  let home: string;
  let namesrv: NamesrvController;
  let namesrvAddr: string;
  let broker: BrokerFixture;
  let producer: Producer;
  const consumers: SimpleConsumer[] = [];
  let topicSeq = 0;

  before(async () => {
    home = makeTempDir('pop-namesrv');
    namesrv = new NamesrvController({ config: { rocketmqHome: home, listenPort: 0, listenHost: '127.0.0.1' }, logger: silentLogger });
    await namesrv.start();
    namesrvAddr = `127.0.0.1:${namesrv.port}`;
    broker = await startBroker(undefined, { namesrvAddr, reviveInterval: 50 });
    producer = new Producer({ groupName: 'PopSdkProducer', namesrvAddr });
    await producer.start();
  });

  after(async () => {
    for (const c of consumers) await c.shutdown();
    await producer?.shutdown();
    await broker?.close();
    await namesrv?.shutdown();
    removeTempDir(home);
  });

  async function newTopic(queues = 4): Promise<string> {
    const topic = `PopSdk${++topicSeq}`;
    const response = await broker.invoke(createRequest(RequestCode.UPDATE_AND_CREATE_TOPIC, {
      topic, defaultTopic: 'TBW102', readQueueNums: String(queues), writeQueueNums: String(queues), perm: '6', topicFilterType: 'SINGLE_TAG', order: 'false',
    }));
    assert.equal(response.code, ResponseCode.SUCCESS, response.remark);
    await waitFor(() => namesrv.routes.pickupTopicRouteData(topic) !== undefined, 5000);
    return topic;
  }

  async function consumer(group: string, topic: string, expression = '*', awaitDurationMs = 300): Promise<SimpleConsumer> {
    const c = new SimpleConsumer({ groupName: group, namesrvAddr, subscriptions: { [topic]: expression }, awaitDurationMs, initMode: 'min' });
    consumers.push(c);
    await c.start();
    return c;
  }

  it('two consumers of one group share the messages; acked messages are delivered exactly once', async () => {
    const topic = await newTopic();
    for (let i = 0; i < 50; i++) await producer.send({ topic, body: `s${i}` });
    const [a, b] = [await consumer('PopSdkShare', topic), await consumer('PopSdkShare', topic)];
    const seen = new Map<string, string[]>();
    const drain = async (c: SimpleConsumer, name: string): Promise<void> => {
      while (seen.size < 50) {
        for (const m of await c.receive(8, 5000)) {
          seen.set(m.body.toString(), [...(seen.get(m.body.toString()) ?? []), name]);
          assert.equal(m.topic, topic);
          assert.equal(m.deliveryAttempt, 1);
          await c.ack(m);
        }
      }
    };
    await Promise.all([drain(a, 'a'), drain(b, 'b')]);
    // ackAll: one batch request for many messages.
    for (let i = 0; i < 10; i++) await producer.send({ topic, body: `batch${i}` });
    const batch: PoppedMessage[] = [];
    while (batch.length < 10) batch.push(...await a.receive(10, 200));
    await a.ackAll(batch);
    assert.equal(seen.size, 50);
    assert.ok([...seen.values()].every((who) => who.length === 1), 'no message went to both');
    const byA = [...seen.values()].filter((who) => who[0] === 'a').length;
    assert.ok(byA > 0 && byA < 50, `both consumers took a share (a took ${byA})`);
    assert.deepEqual(await a.receive(), []);
  });

  it('an unacked message comes back with deliveryAttempt 2; changeInvisibleDuration renews its handle', async () => {
    const topic = await newTopic(1);
    await producer.send({ topic, body: 'again' });
    await producer.send({ topic, body: 'renewed' });
    const c = await consumer('PopSdkRetry', topic, '*', 5000);
    const first = await c.receive(2, 1500);
    assert.deepEqual(first.map((m) => m.body.toString()).sort(), ['again', 'renewed']);
    const renewed = first.find((m) => m.body.toString() === 'renewed') as PoppedMessage;
    const oldHandle = renewed.receiptHandle;
    await c.changeInvisibleDuration(renewed, 60_000);
    assert.notEqual(renewed.receiptHandle, oldHandle);
    const back = await c.receive(2, 60_000);
    assert.deepEqual(back.map((m) => [m.body.toString(), m.deliveryAttempt]), [['again', 2]]);
    assert.equal(back[0]?.messageId, first.find((m) => m.body.toString() === 'again')?.messageId);
    await c.ack(back[0] as PoppedMessage);
    await c.ack(renewed);
    await assert.rejects(c.changeInvisibleDuration(renewed, 1000), (err: Error & { code?: string }) => err.code === 'ERR_NO_MESSAGE');
  });

  it('receive() long-polls until a message is sent; async iteration yields messages', async () => {
    const topic = await newTopic(2);
    const c = await consumer('PopSdkPoll', topic, 'TagA', 10_000);
    const pending = c.receive(4, 30_000);
    await waitFor(() => popHeld(broker) > 0, 5000);
    await producer.send({ topic, body: 'skip me', tags: 'TagB' });
    await producer.send({ topic, body: 'for you', tags: 'TagA' });
    const got = await pending;
    assert.deepEqual(got.map((m) => m.body.toString()), ['for you']);
    await c.ack(got[0] as PoppedMessage);
    await producer.send({ topic, body: 'iterated', tags: 'TagA' });
    for await (const m of c) {
      assert.equal(m.body.toString(), 'iterated');
      await c.ack(m);
      break;
    }
  });

  it('refuses bad options and arguments with ERR_INVALID_ARGUMENT', async () => {
    const bad = (options: object): void => {
      assert.throws(() => new SimpleConsumer({ groupName: 'G', namesrvAddr, ...options }), (err: Error & { code?: string }) => err.code === 'ERR_INVALID_ARGUMENT');
    };
    bad({ groupName: 'bad group' });
    bad({ namesrvAddr: '' });
    bad({ awaitDurationMs: -1 });
    bad({ invisibleDurationMs: 0 });
    bad({ initMode: 'middle' });
    const topic = await newTopic(1);
    const c = await consumer('PopSdkArgs', topic);
    await assert.rejects(c.receive(33), (err: Error & { code?: string }) => err.code === 'ERR_INVALID_ARGUMENT');
    await assert.rejects(c.receive(1, 0), (err: Error & { code?: string }) => err.code === 'ERR_INVALID_ARGUMENT');
    const idle = new SimpleConsumer({ groupName: 'PopSdkIdle', namesrvAddr });
    await assert.rejects(idle.receive(), (err: Error & { code?: string }) => err.code === 'ERR_ILLEGAL_OPERATION');
  });
});

/** Pops the broker is holding (long polling) right now. */
function popHeld(broker: BrokerFixture): number {
  return popServiceOf(broker.broker.context).hold.heldCount;
}

describe('SimpleConsumer across two brokers', () => {
  it('receives from both brokers of a topic in turn and acks each message at the broker it came from', async () => {
    const cluster = await startProducerCluster(2);
    const producer = new Producer({ groupName: 'PopSdkTwoP', namesrvAddr: cluster.namesrvAddr });
    const c = new SimpleConsumer({ groupName: 'PopSdkTwo', namesrvAddr: cluster.namesrvAddr, subscriptions: { PopSdkTwoT: '*' }, awaitDurationMs: 200, initMode: 'min' });
    try {
      await cluster.createTopic('PopSdkTwoT', 2);
      await producer.start();
      for (let i = 0; i < 20; i++) await producer.send({ topic: 'PopSdkTwoT', body: `t${i}` });
      await c.start();
      const got = new Map<string, string>();
      const deadline = Date.now() + 15_000;
      while (got.size < 20 && Date.now() < deadline) {
        const batch = await c.receive(32, 30_000);
        for (const m of batch) got.set(m.body.toString(), m.brokerName);
        await c.ackAll(batch);
      }
      assert.equal(got.size, 20);
      assert.deepEqual(new Set(got.values()), new Set(['broker-a', 'broker-b']));
      for (let i = 0; i < 2; i++) assert.deepEqual(await c.receive(), [], 'everything acked stays acked');
    } finally {
      await c.shutdown();
      await producer.shutdown();
      await cluster.close();
    }
  });
});
