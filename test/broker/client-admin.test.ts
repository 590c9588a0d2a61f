import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../../src/common';
import { decodeRecords } from '../../src/message';
import { RequestCode, ResponseCode, createRequest, createResponse } from '../../src/protocol';
import { RemotingClient } from '../../src/remoting';
import { sendV2Request, startBroker } from './broker-fixture';

test('admin requests about clients: producer connections, who consumes a topic, relayed running info and direct consumption', async () => {
  const fx = await startBroker();
  const admin = new RemotingClient({ logger: silentLogger });
  const seen: Array<{ code: number; records: number }> = [];
  fx.client.registerHandler(RequestCode.GET_CONSUMER_RUNNING_INFO, (request) => {
    seen.push({ code: request.code, records: 0 });
    return createResponse(ResponseCode.SUCCESS, undefined, {}, Buffer.from('{"properties":{"x":"1"}}'));
  });
  fx.client.registerHandler(RequestCode.CONSUME_MESSAGE_DIRECTLY, (request) => {
    seen.push({ code: request.code, records: decodeRecords(request.body ?? null).length });
    return createResponse(ResponseCode.SUCCESS, undefined, {}, Buffer.from('{"consumeResult":"CR_SUCCESS"}'));
  });
  try {
    const heartbeat = {
      clientID: 'c@1', producerDataSet: [{ groupName: 'PGX' }],
      consumerDataSet: [{ groupName: 'CGX', consumeType: 'CONSUME_PASSIVELY', messageModel: 'CLUSTERING', consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
        subscriptionDataSet: [{ topic: 'Watched', subString: '*', subVersion: 1, tagsSet: [], codeSet: [], expressionType: 'TAG', classFilterMode: false }] }],
    };
    await fx.invoke(createRequest(RequestCode.HEART_BEAT, {}, Buffer.from(JSON.stringify(heartbeat))));
    const call = (code: number, fields: Record<string, string>) => admin.invokeSync(fx.addr, createRequest(code, fields), 5000);

    const producers = JSON.parse((await call(RequestCode.GET_PRODUCER_CONNECTION_LIST, { producerGroup: 'PGX' })).body?.toString() ?? '') as { connectionSet: Array<{ clientId: string; language: string }> };
    assert.deepEqual(producers.connectionSet.map((c) => [c.clientId, c.language]), [['c@1', 'JAVA']]);
    const byWho = JSON.parse((await call(RequestCode.QUERY_TOPIC_CONSUME_BY_WHO, { topic: 'Watched' })).body?.toString() ?? '') as { groupList: string[] };
    assert.deepEqual(byWho.groupList, ['CGX']);

    const info = await call(RequestCode.GET_CONSUMER_RUNNING_INFO, { consumerGroup: 'CGX', clientId: 'c@1', jstackEnable: 'false' });
    assert.equal(info.code, ResponseCode.SUCCESS);
    assert.equal(info.body?.toString(), '{"properties":{"x":"1"}}');
    assert.equal((await call(RequestCode.GET_CONSUMER_RUNNING_INFO, { consumerGroup: 'CGX', clientId: 'nobody' })).code, ResponseCode.CONSUMER_NOT_ONLINE);

    const sent = await fx.invoke(sendV2Request({ topic: 'Watched', body: 'direct' }));
    await fx.dispatched();
    const direct = await call(RequestCode.CONSUME_MESSAGE_DIRECTLY, { consumerGroup: 'CGX', clientId: 'c@1', msgId: sent.extFields['msgId'] ?? '', brokerName: 'broker-a' });
    assert.equal(direct.code, ResponseCode.SUCCESS);
    assert.deepEqual(seen, [{ code: RequestCode.GET_CONSUMER_RUNNING_INFO, records: 0 }, { code: RequestCode.CONSUME_MESSAGE_DIRECTLY, records: 1 }]);
  } finally {
    await admin.shutdown();
    await fx.close();
  }
});
