import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../../src/common';
import { RequestCode, ResponseCode, createRequest, type RemotingCommand } from '../../src/protocol';
import { RemotingClient } from '../../src/remoting';
import { makeTempDir } from '../helpers/temp-dir';
import { pullRequest, sendV2Request, startBroker } from './broker-fixture';
import { waitFor } from './wait-for';

function offsetRequest(code: number, fields: Record<string, string>): RemotingCommand {
  return createRequest(code, fields);
}

function heartbeatBody(clientID: string, group: string, topic: string): Buffer {
  return Buffer.from(JSON.stringify({
    clientID,
    consumerDataSet: [{
      consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET', consumeType: 'CONSUME_PASSIVELY', groupName: group, messageModel: 'CLUSTERING', unitMode: false,
      subscriptionDataSet: [{ classFilterMode: false, codeSet: [], expressionType: 'TAG', subString: '*', subVersion: 1, tagsSet: [], topic }],
    }],
    producerDataSet: [{ groupName: 'PG' }],
    heartbeatFingerprint: 0,
    withoutSub: false,
  }));
}

test('offsets: update/query, QUERY_NOT_FOUND rules, min/max/timestamp queries, pull commit; they survive a restart', async () => {
  const dir = makeTempDir('broker-offsets');
  let fx = await startBroker(dir);
  try {
    for (let i = 0; i < 3; i++) assert.equal((await fx.invoke(sendV2Request({ topic: 'Off', body: `m${i}` }))).code, ResponseCode.SUCCESS);
    await fx.dispatched();
    const query = (extra: Record<string, string> = {}) => fx.invoke(offsetRequest(RequestCode.QUERY_CONSUMER_OFFSET, { consumerGroup: 'G', topic: 'Off', queueId: '0', ...extra }));

    assert.equal((await query({ setZeroIfNotFound: 'false' })).code, ResponseCode.QUERY_NOT_FOUND);
    const zero = await query();
    assert.equal(zero.code, ResponseCode.SUCCESS, 'a never-truncated queue starts the group at 0');
    assert.equal(zero.extFields['offset'], '0');

    const updated = await fx.invoke(offsetRequest(RequestCode.UPDATE_CONSUMER_OFFSET, { consumerGroup: 'G', topic: 'Off', queueId: '0', commitOffset: '2' }));
    assert.equal(updated.code, ResponseCode.SUCCESS);
    assert.equal((await query()).extFields['offset'], '2');
    const unknownTopic = await fx.invoke(offsetRequest(RequestCode.UPDATE_CONSUMER_OFFSET, { consumerGroup: 'G', topic: 'Nope', queueId: '0', commitOffset: '2' }));
    assert.equal(unknownTopic.code, ResponseCode.TOPIC_NOT_EXIST);

    const pulled = await fx.invoke(pullRequest({ topic: 'Off', queueOffset: 2, commitOffset: 3, group: 'G2' }));
    assert.equal(pulled.code, ResponseCode.SUCCESS);
    const g2 = await fx.invoke(offsetRequest(RequestCode.QUERY_CONSUMER_OFFSET, { consumerGroup: 'G2', topic: 'Off', queueId: '0' }));
    assert.equal(g2.extFields['offset'], '3', 'the pull committed the offset it carried');

    const queue = { topic: 'Off', queueId: '0' };
    assert.equal((await fx.invoke(offsetRequest(RequestCode.GET_MAX_OFFSET, queue))).extFields['offset'], '3');
    assert.equal((await fx.invoke(offsetRequest(RequestCode.GET_MIN_OFFSET, queue))).extFields['offset'], '0');
    const earliest = Number((await fx.invoke(offsetRequest(RequestCode.GET_EARLIEST_MSG_STORETIME, queue))).extFields['timestamp']);
    assert.ok(earliest > 0);
    const byTime = await fx.invoke(offsetRequest(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, { ...queue, timestamp: String(earliest) }));
    assert.equal(byTime.extFields['offset'], '0');
    assert.equal((await fx.invoke(offsetRequest(RequestCode.GET_MAX_OFFSET, { topic: 'Off' }))).code, ResponseCode.SYSTEM_ERROR, 'queueId is mandatory');

    await fx.close(false);
    fx = await startBroker(dir);
    const again = await fx.invoke(offsetRequest(RequestCode.QUERY_CONSUMER_OFFSET, { consumerGroup: 'G', topic: 'Off', queueId: '0' }));
    assert.equal(again.extFields['offset'], '2', 'committed offsets survive a restart');
    assert.equal(fx.broker.context.topics.get('Off')?.writeQueueNums, 4, 'auto-created topics survive a restart');
  } finally {
    await fx.close();
  }
});

test('heartbeat registers before the reply; consumer list, NOTIFY_CONSUMER_IDS_CHANGED, unregister and close', async () => {
  const fx = await startBroker();
  const second = new RemotingClient({ logger: silentLogger });
  const notified: string[] = [];
  fx.client.registerHandler(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, (request) => {
    notified.push(request.extFields['consumerGroup'] ?? '');
    return null;
  });
  try {
    const listRequest = () => createRequest(RequestCode.GET_CONSUMER_LIST_BY_GROUP, { consumerGroup: 'CG1' });
    const none = await fx.invoke(listRequest());
    assert.equal(none.code, ResponseCode.SYSTEM_ERROR);

    const hb = await fx.invoke(createRequest(RequestCode.HEART_BEAT, {}, heartbeatBody('10.0.0.1@1', 'CG1', 'T1')));
    assert.equal(hb.code, ResponseCode.SUCCESS);
    const list = await fx.invoke(listRequest());
    assert.equal(list.code, ResponseCode.SUCCESS);
    assert.deepEqual(JSON.parse(list.body?.toString() ?? ''), { consumerIdList: ['10.0.0.1@1'] });
    assert.ok(fx.broker.context.topics.get('%RETRY%CG1'), 'the retry topic exists after the first heartbeat');
    assert.equal(fx.broker.context.producers.clients('PG').length, 1);

    // A second member joins from another connection: the first member is told to rebalance.
    await second.invokeSync(fx.addr, createRequest(RequestCode.HEART_BEAT, {}, heartbeatBody('10.0.0.2@2', 'CG1', 'T1')), 5000);
    await waitFor(() => notified.length >= 2, 5000);
    assert.deepEqual(new Set(notified), new Set(['CG1']));
    const both = JSON.parse((await fx.invoke(listRequest())).body?.toString() ?? '') as { consumerIdList: string[] };
    assert.deepEqual(both.consumerIdList.sort(), ['10.0.0.1@1', '10.0.0.2@2']);

    const unregister = await second.invokeSync(fx.addr, createRequest(RequestCode.UNREGISTER_CLIENT, { clientID: '10.0.0.2@2', consumerGroup: 'CG1' }), 5000);
    assert.equal(unregister.code, ResponseCode.SUCCESS);
    assert.deepEqual(JSON.parse((await fx.invoke(listRequest())).body?.toString() ?? ''), { consumerIdList: ['10.0.0.1@1'] });

    await second.invokeSync(fx.addr, createRequest(RequestCode.HEART_BEAT, {}, heartbeatBody('10.0.0.2@2', 'CG1', 'T1')), 5000);
    second.closeConnection(fx.addr);
    await waitFor(() => fx.broker.context.consumers.clientIds('CG1').length === 1, 5000);

    const bad = await fx.invoke(createRequest(RequestCode.HEART_BEAT, {}, Buffer.from('{not json')));
    assert.equal(bad.code, ResponseCode.SYSTEM_ERROR);
    assert.equal((await fx.invoke(listRequest())).code, ResponseCode.SUCCESS, 'the broker keeps serving');
  } finally {
    await second.shutdown();
    await fx.close();
  }
});

test('pull without the subscription flag uses the heartbeat subscription', async () => {
  const fx = await startBroker();
  try {
    await fx.invoke(sendV2Request({ topic: 'HbSub', body: 'a', tags: 'A' }));
    await fx.invoke(sendV2Request({ topic: 'HbSub', body: 'b', tags: 'B' }));
    await fx.dispatched();
    const noSubFlag = pullRequest({ topic: 'HbSub', queueOffset: 0, group: 'SubG' });
    noSubFlag.extFields['sysFlag'] = '0';
    assert.equal((await fx.invoke(noSubFlag)).code, ResponseCode.SUBSCRIPTION_NOT_EXIST);
    const body = JSON.parse(heartbeatBody('c@1', 'SubG', 'HbSub').toString()) as { consumerDataSet: Array<{ subscriptionDataSet: Array<{ subString: string }> }> };
    body.consumerDataSet[0]!.subscriptionDataSet[0]!.subString = 'B';
    await fx.invoke(createRequest(RequestCode.HEART_BEAT, {}, Buffer.from(JSON.stringify(body))));
    const pulled = await fx.invoke(noSubFlag);
    assert.equal(pulled.code, ResponseCode.SUCCESS);
    assert.equal(pulled.body?.includes(Buffer.from('TAGS\u0001B')), true);
    assert.equal(pulled.body?.includes(Buffer.from('TAGS\u0001A')), false);

    // A V2 heartbeat without subscriptions keeps the registered ones.
    body.consumerDataSet[0]!.subscriptionDataSet = [];
    await fx.invoke(createRequest(RequestCode.HEART_BEAT, {}, Buffer.from(JSON.stringify({ ...body, withoutSub: true }))));
    assert.equal((await fx.invoke(noSubFlag)).code, ResponseCode.SUCCESS);
    await fx.invoke(createRequest(RequestCode.HEART_BEAT, {}, Buffer.from(JSON.stringify(body))));
    assert.equal((await fx.invoke(noSubFlag)).code, ResponseCode.SUBSCRIPTION_NOT_EXIST, 'a full heartbeat with no subscriptions drops them');
  } finally {
    await fx.close();
  }
});

test('a client silent past the channel expiry is dropped and its connection closed', async () => {
  const fx = await startBroker();
  try {
    await fx.invoke(createRequest(RequestCode.HEART_BEAT, {}, heartbeatBody('10.0.0.3@3', 'ExpG', 'T1')));
    const consumers = fx.broker.context.consumers;
    assert.equal(consumers.expireSilent(Date.now() + 60_000, 120_000), 0, 'one minute of silence is fine');
    assert.equal(consumers.expireSilent(Date.now() + 121_000, 120_000), 1);
    assert.deepEqual(consumers.clientIds('ExpG'), []);
    fx.broker.context.producers.expireSilent(Date.now() + 121_000, 120_000);
    await waitFor(() => !fx.client.isConnected(fx.addr), 5000);
    assert.deepEqual(fx.broker.context.producers.clients('PG'), [], 'the closed channel left the producer group too');
  } finally {
    await fx.close();
  }
});
