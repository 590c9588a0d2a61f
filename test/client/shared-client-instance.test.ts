import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { clientInstanceUsers } from '../../src/client/client-manager';
import { PushConsumer } from '../../src/client/consumer/push-consumer';
import { Producer } from '../../src/client/producer/producer';
import type { MessageExt } from '../../src/message';
import { RequestCode, ResponseCode, createRequest, parseFastjson } from '../../src/protocol';
import type { RemotingConnection } from '../../src/remoting';
import { startCluster, waitFor, type ClusterFixture } from './consumer/cluster-fixture';

let cluster: ClusterFixture;

before(async () => {
  cluster = await startCluster();
});

after(async () => {
  await cluster.close();
});

const TOPIC = 'SharedInstance';

/** The broker's connection for each registered client of `groups` (producer and consumer groups). */
function brokerConnections(producerGroups: string[], consumerGroups: string[]): RemotingConnection[] {
  const ctx = cluster.broker.broker.context;
  const seen: RemotingConnection[] = [];
  for (const g of producerGroups) for (const c of ctx.producers.clients(g)) seen.push(c.connection);
  for (const g of consumerGroups) for (const c of ctx.consumers.group(g)?.clients.values() ?? []) seen.push(c.connection);
  return seen;
}

test('producers and consumers with one client id share one instance: one broker connection, one heartbeat with every group', async () => {
  await cluster.createTopic(TOPIC, 2);
  const common = { namesrvAddr: cluster.namesrvAddr, instanceName: 'shared-one' };
  const p1 = new Producer({ ...common, groupName: 'PG_SHARED_1' });
  const p2 = new Producer({ ...common, groupName: 'PG_SHARED_2' });
  const consumer = new PushConsumer({ namesrvAddr: cluster.namesrvAddr, instanceName: 'shared-one', groupName: 'CG_SHARED', consumeFromWhere: 'FIRST_OFFSET' });
  const apart = new Producer({ namesrvAddr: cluster.namesrvAddr, instanceName: 'apart', groupName: 'PG_APART' });
  const got: MessageExt[] = [];
  consumer.subscribe(TOPIC, '*');
  consumer.registerListener((msgs) => {
    got.push(...msgs);
    return 'CONSUME_SUCCESS';
  });
  try {
    assert.equal(p1.clientInstance, p2.clientInstance);
    assert.notEqual(apart.clientInstance, p1.clientInstance);
    await p1.start();
    await p2.start();
    await apart.start();
    await consumer.start();
    assert.equal(clientInstanceUsers(p1.clientInstance.clientId), 3);
    await p1.send({ topic: TOPIC, body: Buffer.from('from-p1') });
    await p2.send({ topic: TOPIC, body: Buffer.from('from-p2') });
    await apart.send({ topic: TOPIC, body: Buffer.from('from-apart') });
    await p1.clientInstance.sendHeartbeatToAllBrokers();
    await apart.clientInstance.sendHeartbeatToAllBrokers();

    // Server side: the three shared clients are registered on one connection, the fourth on its own.
    const shared = new Set(brokerConnections(['PG_SHARED_1', 'PG_SHARED_2'], ['CG_SHARED']));
    assert.equal(shared.size, 1);
    const [apartConnection] = brokerConnections(['PG_APART'], []);
    assert.ok(apartConnection !== undefined && !shared.has(apartConnection));
    const heartbeat = p1.clientInstance.heartbeatData() as { producerDataSet: Array<{ groupName: string }>; consumerDataSet: Array<{ groupName: string }> };
    assert.deepEqual(heartbeat.producerDataSet.map((p) => p.groupName).sort(), ['PG_SHARED_1', 'PG_SHARED_2']);
    assert.deepEqual(heartbeat.consumerDataSet.map((c) => c.groupName), ['CG_SHARED']);
    await waitFor(() => got.length >= 3, 10_000);

    // One producer leaves: the group is gone from the broker, the others keep working on the same instance.
    await p1.shutdown();
    assert.equal(clientInstanceUsers(p2.clientInstance.clientId), 2);
    assert.equal(cluster.broker.broker.context.producers.clients('PG_SHARED_1').length, 0);
    assert.ok(p2.clientInstance.isRunning);
    await p2.send({ topic: TOPIC, body: Buffer.from('after-p1-left') });
    await waitFor(() => got.some((m) => m.body.toString() === 'after-p1-left'), 10_000);
    assert.deepEqual(got.map((m) => m.body.toString()).sort(), ['after-p1-left', 'from-apart', 'from-p1', 'from-p2']);

    await consumer.shutdown();
    assert.ok(p2.clientInstance.isRunning);
    assert.equal(cluster.broker.broker.context.consumers.group('CG_SHARED')?.clients.size ?? 0, 0);
    await p2.send({ topic: TOPIC, body: Buffer.from('after-consumer-left') });
    const instance = p2.clientInstance;
    await p2.shutdown();
    assert.equal(instance.isRunning, false);
    assert.equal(clientInstanceUsers(instance.clientId), 0);
  } finally {
    await Promise.all([p1.shutdown(), p2.shutdown(), consumer.shutdown(), apart.shutdown()]);
  }
});

test('GET_CONSUMER_RUNNING_INFO through the broker: the client answers with its ConsumerRunningInfo', async () => {
  await cluster.createTopic('RunningInfo', 2);
  const consumer = new PushConsumer({ namesrvAddr: cluster.namesrvAddr, groupName: 'CG_RUNNING', consumeFromWhere: 'FIRST_OFFSET', pullBatchSize: 16 });
  consumer.subscribe('RunningInfo', 'TagA || TagB');
  let consumed = 0;
  consumer.registerListener((msgs) => {
    consumed += msgs.length;
    return 'CONSUME_SUCCESS';
  });
  try {
    await consumer.start();
    for (let i = 0; i < 6; i++) await cluster.send('RunningInfo', `m${i}`, i % 2, 'TagA');
    await waitFor(() => consumed >= 6, 10_000);
    const ask = (clientId: string) => cluster.broker.invoke(createRequest(RequestCode.GET_CONSUMER_RUNNING_INFO, { consumerGroup: 'CG_RUNNING', clientId, jstackEnable: 'false' }));
    const response = await ask(consumer.clientId);
    assert.equal(response.code, ResponseCode.SUCCESS, response.remark);
    const info = parseFastjson(response.body!) as Record<string, unknown>;
    const props = info['properties'] as Record<string, string>;
    assert.equal(props['PROP_CONSUME_TYPE'], 'CONSUME_PASSIVELY');
    assert.equal(props['messageModel'], 'CLUSTERING');
    assert.equal(props['consumeFromWhere'], 'CONSUME_FROM_FIRST_OFFSET');
    assert.equal(props['consumerGroup'], 'CG_RUNNING');
    assert.equal(props['pullBatchSize'], '16');
    assert.equal(props['PROP_NAMESERVER_ADDR'], cluster.namesrvAddr);
    assert.equal(props['PROP_CONSUMEORDERLY'], 'false');
    const subs = info['subscriptionSet'] as Array<Record<string, unknown>>;
    assert.deepEqual(subs.map((s) => `${String(s['topic'])}@${String(s['subString'])}`), ['%RETRY%CG_RUNNING@*', 'RunningInfo@TagA || TagB']);
    // mqTable: a map keyed by MessageQueue objects, in MessageQueue order.
    const mqTable = info['mqTable'] as Map<Record<string, unknown>, Record<string, unknown>>;
    assert.ok(mqTable instanceof Map);
    const queues = [...mqTable.entries()].filter(([mq]) => mq['topic'] === 'RunningInfo');
    assert.deepEqual(queues.map(([mq]) => mq['queueId']), [0, 1]);
    for (const [, pq] of queues) {
      assert.equal(pq['commitOffset'], 3); // three messages per queue, all consumed
      assert.equal(pq['cachedMsgCount'], 0);
      assert.equal(pq['droped'], false);
      assert.ok(Number(pq['lastPullTimestamp']) > 0);
    }
    const status = info['statusTable'] as Record<string, Record<string, unknown>>;
    assert.equal(status['RunningInfo']?.['consumeFailedMsgs'], 0);
    // An unknown client is refused by the broker (CONSUMER_NOT_ONLINE).
    assert.equal((await ask('127.0.0.1@nobody')).code, ResponseCode.CONSUMER_NOT_ONLINE);
  } finally {
    await consumer.shutdown();
  }
});
