import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { decodeOffsetMessageId, decodeRecords } from '../../src/message';
import { RequestCode, ResponseCode, createRequest } from '../../src/protocol';
import { pullRequest, sendV2Request, startBroker, type BrokerFixture } from './broker-fixture';

let fx: BrokerFixture;

before(async () => {
  fx = await startBroker();
});

after(async () => {
  await fx.close();
});

test('UPDATE_AND_CREATE_TOPIC, GET_ALL_TOPIC_CONFIG, GET_TOPIC_STATS_INFO and DELETE_TOPIC_IN_BROKER', async () => {
  const create = (fields: Record<string, string>) => fx.invoke(createRequest(RequestCode.UPDATE_AND_CREATE_TOPIC, {
    defaultTopic: 'TBW102', readQueueNums: '2', writeQueueNums: '2', perm: '6', topicFilterType: 'SINGLE_TAG', order: 'false', ...fields,
  }));
  assert.equal((await create({ topic: 'AdminT' })).code, ResponseCode.SUCCESS);
  assert.equal((await create({ topic: 'bad/name' })).code, ResponseCode.INVALID_PARAMETER);
  assert.equal((await create({ topic: 'TBW102' })).code, ResponseCode.INVALID_PARAMETER);
  assert.equal((await create({ topic: 'AdminT', readQueueNums: '0' })).code, ResponseCode.INVALID_PARAMETER);

  const all = await fx.invoke(createRequest(RequestCode.GET_ALL_TOPIC_CONFIG));
  const table = JSON.parse(all.body?.toString() ?? '') as { topicConfigTable: Record<string, { writeQueueNums: number }>; dataVersion: { counter: number } };
  assert.equal(table.topicConfigTable['AdminT']?.writeQueueNums, 2);
  assert.ok(table.dataVersion.counter >= 1);

  await fx.invoke(sendV2Request({ topic: 'AdminT', body: 'a', queueId: 1 }));
  await fx.dispatched();
  const stats = await fx.invoke(createRequest(RequestCode.GET_TOPIC_STATS_INFO, { topic: 'AdminT' }));
  const text = stats.body?.toString() ?? '';
  assert.match(text, /^\{"offsetTable":\{\{"brokerName":"broker-a","queueId":0,"topic":"AdminT"\}:\{"lastUpdateTimestamp":0,"maxOffset":0,"minOffset":0\},/);
  assert.match(text, /\{"brokerName":"broker-a","queueId":1,"topic":"AdminT"\}:\{"lastUpdateTimestamp":[1-9]\d*,"maxOffset":1,"minOffset":0\}/);
  assert.equal((await fx.invoke(createRequest(RequestCode.GET_TOPIC_STATS_INFO, { topic: 'Nope' }))).code, ResponseCode.TOPIC_NOT_EXIST);

  assert.equal((await fx.invoke(createRequest(RequestCode.DELETE_TOPIC_IN_BROKER, { topic: 'AdminT' }))).code, ResponseCode.SUCCESS);
  assert.equal(fx.broker.context.topics.get('AdminT'), undefined);
  assert.equal((await fx.invoke(pullRequest({ topic: 'AdminT', queueOffset: 0 }))).code, ResponseCode.TOPIC_NOT_EXIST);
});

test('QUERY_MESSAGE by key and VIEW_MESSAGE_BY_ID return the stored records', async () => {
  const sent = await fx.invoke(sendV2Request({ topic: 'Query', body: 'findme', properties: { KEYS: 'order-42 other', UNIQ_KEY: 'UQ42' } }));
  await fx.dispatched();
  const query = (key: string, extra: Record<string, string> = {}) => fx.invoke(createRequest(RequestCode.QUERY_MESSAGE, {
    topic: 'Query', key, maxNum: '32', beginTimestamp: '0', endTimestamp: String(Date.now() + 60_000), ...extra,
  }));
  const byKey = await query('order-42');
  assert.equal(byKey.code, ResponseCode.SUCCESS, byKey.remark);
  assert.deepEqual(decodeRecords(byKey.body ?? null).map((m) => m.body.toString()), ['findme']);
  assert.ok(Number(byKey.extFields['indexLastUpdatePhyoffset']) >= 0);
  const byUniq = await query('UQ42', { _UNIQUE_KEY_QUERY: 'true' });
  assert.equal(byUniq.code, ResponseCode.SUCCESS);
  assert.equal((await query('missing')).code, ResponseCode.QUERY_NOT_FOUND);

  const physicalOffset = decodeOffsetMessageId(sent.extFields['msgId'] ?? '').physicalOffset;
  const viewed = await fx.invoke(createRequest(RequestCode.VIEW_MESSAGE_BY_ID, { offset: String(physicalOffset) }));
  assert.equal(viewed.code, ResponseCode.SUCCESS);
  const [message] = decodeRecords(viewed.body ?? null);
  assert.equal(message?.msgId, sent.extFields['msgId']);
  assert.equal((await fx.invoke(createRequest(RequestCode.VIEW_MESSAGE_BY_ID, { offset: '987654321' }))).code, ResponseCode.SYSTEM_ERROR);
});

test('GET_CONSUMER_CONNECTION_LIST, GET_CONSUME_STATS and GET_BROKER_RUNTIME_INFO', async () => {
  assert.equal((await fx.invoke(createRequest(RequestCode.GET_CONSUMER_CONNECTION_LIST, { consumerGroup: 'AG' }))).code, ResponseCode.CONSUMER_NOT_ONLINE);
  const heartbeat = {
    clientID: '10.1.1.1@9',
    consumerDataSet: [{ consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', consumeType: 'CONSUME_PASSIVELY', groupName: 'AG', messageModel: 'CLUSTERING', unitMode: false,
      subscriptionDataSet: [{ classFilterMode: false, codeSet: [], expressionType: 'TAG', subString: '*', subVersion: 5, tagsSet: [], topic: 'Stats' }] }],
    producerDataSet: [],
  };
  await fx.invoke(createRequest(RequestCode.HEART_BEAT, {}, Buffer.from(JSON.stringify(heartbeat))));
  const connections = JSON.parse((await fx.invoke(createRequest(RequestCode.GET_CONSUMER_CONNECTION_LIST, { consumerGroup: 'AG' }))).body?.toString() ?? '') as {
    connectionSet: Array<{ clientId: string }>; consumeFromWhere: string; subscriptionTable: Record<string, { subVersion: number }>;
  };
  assert.deepEqual(connections.connectionSet.map((c) => c.clientId), ['10.1.1.1@9']);
  assert.equal(connections.consumeFromWhere, 'CONSUME_FROM_FIRST_OFFSET');
  assert.equal(connections.subscriptionTable['Stats']?.subVersion, 5);

  for (let i = 0; i < 3; i++) await fx.invoke(sendV2Request({ topic: 'Stats', body: String(i) }));
  await fx.invoke(createRequest(RequestCode.UPDATE_CONSUMER_OFFSET, { consumerGroup: 'AG', topic: 'Stats', queueId: '0', commitOffset: '1' }));
  await fx.dispatched();
  const stats = (await fx.invoke(createRequest(RequestCode.GET_CONSUME_STATS, { consumerGroup: 'AG', topic: 'Stats' }))).body?.toString() ?? '';
  assert.match(stats, /^\{"consumeTps":0\.0,"offsetTable":\{\{"brokerName":"broker-a","queueId":0,"topic":"Stats"\}:\{"brokerOffset":3,"consumerOffset":1,"lastTimestamp":[1-9]\d*,"pullOffset":1\}/);

  const info = JSON.parse((await fx.invoke(createRequest(RequestCode.GET_BROKER_RUNTIME_INFO))).body?.toString() ?? '') as { table: Record<string, string> };
  assert.ok(Number(info.table['commitLogMaxOffset']) > 0);
  assert.equal(info.table['brokerVersion'], '479');
});

test('LOCK_BATCH_MQ / UNLOCK_BATCH_MQ: one holder per queue; a locked group retries straight to its DLQ', async () => {
  const mq = (queueId: number) => ({ brokerName: 'broker-a', queueId, topic: 'Ordered' });
  const lock = async (clientId: string, queues: number[]) => {
    const response = await fx.invoke(createRequest(RequestCode.LOCK_BATCH_MQ, {}, Buffer.from(JSON.stringify({ consumerGroup: 'OG', clientId, onlyThisBroker: false, mqSet: queues.map(mq) }))));
    assert.equal(response.code, ResponseCode.SUCCESS);
    return (JSON.parse(response.body?.toString() ?? '') as { lockOKMQSet: Array<{ queueId: number }> }).lockOKMQSet.map((m) => m.queueId);
  };
  assert.deepEqual(await lock('c1', [0, 1]), [0, 1]);
  assert.deepEqual(await lock('c2', [1, 2]), [2], 'queue 1 is held by c1');
  assert.deepEqual(await lock('c1', [0, 1]), [0, 1], 'the holder renews');
  const unlock = await fx.invoke(createRequest(RequestCode.UNLOCK_BATCH_MQ, {}, Buffer.from(JSON.stringify({ consumerGroup: 'OG', clientId: 'c1', mqSet: [mq(1)] }))));
  assert.equal(unlock.code, ResponseCode.SUCCESS);
  assert.deepEqual(await lock('c2', [1]), [1]);
  assert.equal((await fx.invoke(createRequest(RequestCode.LOCK_BATCH_MQ, {}, Buffer.from('[]')))).code, ResponseCode.SYSTEM_ERROR);

  const retry = sendV2Request({ topic: '%RETRY%OG', body: 'r' });
  const sent = await fx.invoke(retry);
  assert.equal(sent.code, ResponseCode.SUCCESS);
  await fx.dispatched();
  assert.equal(fx.broker.context.store.getMaxOffsetInQueue('%DLQ%OG', 0), 1);
  assert.equal(fx.broker.context.store.getMaxOffsetInQueue('%RETRY%OG', 0), 0);
});
