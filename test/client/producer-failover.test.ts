/** Producer failure handling against real servers: a broker down (two brokers), a dead name server first in the list. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClientInstance, Producer } from '../../src/client';
import { RequestCode, createRequest } from '../../src/protocol';
import { deadAddress, startProducerCluster } from './producer-cluster';

test('sends retry on the other broker when one is down, and fault avoidance isolates the dead one', async () => {
  const cluster = await startProducerCluster(2);
  const plain = new Producer({ groupName: 'PG_RETRY', namesrvAddr: cluster.namesrvAddr });
  const avoiding = new Producer({ groupName: 'PG_AVOID', namesrvAddr: cluster.namesrvAddr, sendLatencyFaultEnable: true });
  try {
    await cluster.createTopic('Spread', 2);
    await plain.start();
    await avoiding.start();
    for (const producer of [plain, avoiding]) {
      const brokers = new Set((await producer.publishQueues('Spread')).map((q) => q.brokerName));
      assert.deepEqual([...brokers].sort(), ['broker-a', 'broker-b'], 'the cached route has both brokers');
    }
    await cluster.stopBroker(1); // broker-b: its route stays cached in both producers

    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => plain.send({ topic: 'Spread', body: `r${i}` })));
    for (const result of results) {
      assert.equal(result.sendStatus, 'SEND_OK');
      assert.equal(result.messageQueue.brokerName, 'broker-a');
      assert.equal((await cluster.stored(result.offsetMsgId)).body.toString(), `r${results.indexOf(result)}`);
    }
    assert.ok((await plain.publishQueues('Spread')).some((q) => q.brokerName === 'broker-b'), 'broker-b was still a candidate');

    for (let i = 0; i < 6; i++) assert.equal((await avoiding.send({ topic: 'Spread', body: `f${i}` })).messageQueue.brokerName, 'broker-a');
    const faults = avoiding.faultTolerance!;
    assert.equal(faults.isAvailable('broker-b'), false, 'the failed broker is isolated');
    assert.equal(faults.isAvailable('broker-a'), true);

    // A send pinned to the dead broker gets one attempt and the retriable connect error.
    await assert.rejects(
      plain.send({ topic: 'Spread', body: 'x' }, { queue: { topic: 'Spread', brokerName: 'broker-b', queueId: 0 } }),
      (err: Error & { code?: string; retriable?: boolean }) => err.code === 'ERR_REMOTING_CONNECT' && err.retriable === true,
    );
    // A producer started after broker-b left never sees it: an unknown broker is ERR_BROKER_NOT_EXIST.
    const late = new Producer({ groupName: 'PG_LATE', namesrvAddr: cluster.namesrvAddr, retryTimesWhenSendFailed: 0 });
    await late.start();
    try {
      await assert.rejects(
        late.send({ topic: 'Spread', body: 'x' }, { queue: { topic: 'Spread', brokerName: 'broker-b', queueId: 0 } }),
        { code: 'ERR_BROKER_NOT_EXIST' },
      );
    } finally {
      await late.shutdown();
    }
  } finally {
    await plain.shutdown();
    await avoiding.shutdown();
    await cluster.close();
  }
});

test('name-server failover: the first address is dead, routes come from the next one', async () => {
  const cluster = await startProducerCluster(1);
  const dead = await deadAddress();
  const producer = new Producer({ groupName: 'PG_NS', namesrvAddr: `${dead};${cluster.namesrvAddr}` });
  try {
    await cluster.createTopic('Failover', 2);
    await producer.start();
    const result = await producer.send({ topic: 'Failover', body: 'via the second name server' });
    assert.equal(result.sendStatus, 'SEND_OK');
    assert.equal(producer.clientInstance.currentNameServer, cluster.namesrvAddr, 'the answering name server becomes current');

    const onlyDead = new ClientInstance({ namesrvAddr: [dead, await deadAddress()] });
    try {
      await assert.rejects(onlyDead.topicRoute('Failover'), { code: 'ERR_REMOTING_CONNECT' });
    } finally {
      await onlyDead.shutdown();
    }
  } finally {
    await producer.shutdown();
    await cluster.close();
  }
});

test('client instance: unknown topics reject with ERR_TOPIC_NOT_EXIST; route listeners, broker lookup and server requests', async () => {
  const cluster = await startProducerCluster(1);
  const instance = new ClientInstance({ namesrvAddr: cluster.namesrvAddr });
  try {
    await instance.start();
    await assert.rejects(instance.topicRoute('NoSuchTopic'), { code: 'ERR_TOPIC_NOT_EXIST' });
    const seen: string[] = [];
    instance.onRouteChange((info) => seen.push(info.topic));
    await cluster.createTopic('Listened', 3);
    const info = await instance.topicRoute('Listened');
    assert.equal(info.subscribeQueues.length, 3);
    assert.deepEqual(seen, ['Listened']);
    assert.equal(await instance.topicRoute('Listened'), info, 'cached');
    await instance.updateTopicRoute('Listened');
    assert.deepEqual(seen, ['Listened'], 'an unchanged route does not notify');
    assert.deepEqual(instance.findBrokerAddress('broker-a'), { address: cluster.brokers[0]!.addr, brokerId: 0, isSlave: false });
    assert.equal(instance.findBrokerAddress('broker-a', 1, true), undefined, 'no slave');
    assert.equal(instance.findBrokerAddress('nope'), undefined);

    // The broker notifies the group when it changes (NOTIFY_CONSUMER_IDS_CHANGED names the group).
    let notified = '';
    instance.registerConsumer('CG_HB', () => ({
      groupName: 'CG_HB', consumeType: 'CONSUME_PASSIVELY', messageModel: 'CLUSTERING', consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
      subscriptionDataSet: [{ topic: 'Listened', subString: '*', tagsSet: [], codeSet: [], subVersion: 1, expressionType: 'TAG', classFilterMode: false }],
    }), { idsChanged: () => { notified = 'CG_HB'; } });
    assert.throws(() => instance.registerConsumer('CG_HB', () => { throw new Error('unused'); }), { code: 'ERR_ILLEGAL_OPERATION' });
    assert.deepEqual(await instance.sendHeartbeatToAllBrokers(), [cluster.brokers[0]!.addr]);
    const list = await instance.invoke(cluster.brokers[0]!.addr, createRequest(RequestCode.GET_CONSUMER_LIST_BY_GROUP, { consumerGroup: 'CG_HB' }));
    assert.deepEqual(JSON.parse(list.body!.toString()).consumerIdList, [instance.clientId]);

    // A second member joins.
    const other = new ClientInstance({ namesrvAddr: cluster.namesrvAddr });
    try {
      await other.topicRoute('Listened');
      other.registerConsumer('CG_HB', () => ({
        groupName: 'CG_HB', consumeType: 'CONSUME_PASSIVELY', messageModel: 'CLUSTERING', consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
        subscriptionDataSet: [],
      }));
      await other.sendHeartbeatToAllBrokers();
      const deadline = Date.now() + 5000;
      while (notified === '' && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
      assert.equal(notified, 'CG_HB');
    } finally {
      await other.shutdown();
    }
  } finally {
    await instance.shutdown();
    await cluster.close();
  }
});
