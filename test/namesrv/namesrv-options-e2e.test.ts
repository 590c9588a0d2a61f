/**
 * Name-server options and the less common codes over TCP: orderTopicConf, acceptStandardJsonOnly,
 * QUERY_DATA_VERSION, GET_TOPICS_BY_CLUSTER, enableAllTopicList, write-permission drain, BROKER_HEARTBEAT, and broker expiry driven by a
 * ManualClock (the expired broker's connection is closed by the name server).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock, silentLogger } from '../../src/common';
import { NamesrvController, type NamesrvConfigInput } from '../../src/namesrv';
import { createRequest, RequestCode, ResponseCode, type RemotingCommand } from '../../src/protocol';
import { RemotingClient } from '../../src/remoting';
import { withTempDir } from '../helpers/temp-dir';

const BODY = Buffer.from('{"filterServerList":[],"topicConfigSerializeWrapper":{' +
  '"dataVersion":{"counter":7,"stateVersion":0,"timestamp":1700000000000},' +
  '"topicConfigTable":{"T1":{"perm":6,"readQueueNums":4,"topicName":"T1","writeQueueNums":4}}}}');
const REGISTER = { clusterName: 'C1', brokerAddr: '127.0.0.1:10911', brokerName: 'broker-a', brokerId: '0', haServerAddr: '127.0.0.1:10912' };

async function withNamesrv(
  config: Omit<NamesrvConfigInput, 'rocketmqHome'>,
  clock: ManualClock | undefined,
  fn: (call: (code: number, ext?: Record<string, string>, body?: Buffer, via?: RemotingClient) => Promise<RemotingCommand>, namesrv: NamesrvController) => Promise<void>,
): Promise<void> {
  await withTempDir('namesrv-opts', async (home) => {
    const namesrv = new NamesrvController({
      config: { ...config, rocketmqHome: home, listenPort: 0, listenHost: '127.0.0.1' },
      logger: silentLogger, ...(clock === undefined ? {} : { clock }),
    });
    await namesrv.start();
    const client = new RemotingClient({ logger: silentLogger });
    const addr = `127.0.0.1:${namesrv.port}`;
    try {
      await fn((code, ext = {}, body, via = client) => via.invokeSync(addr, createRequest(code, ext, body), 3000), namesrv);
    } finally {
      await client.shutdown();
      await namesrv.shutdown();
    }
  });
}

test('orderTopicConf in routes and the ORDER_TOPIC_CONFIG table in the REGISTER_BROKER answer', async () => {
  await withNamesrv({ orderMessageEnable: true }, undefined, async (call) => {
    await call(RequestCode.PUT_KV_CONFIG, { namespace: 'ORDER_TOPIC_CONFIG', key: 'T1', value: 'broker-a:4' });
    const reg = await call(RequestCode.REGISTER_BROKER, REGISTER, BODY);
    assert.equal(reg.body?.toString(), '{"table":{"T1":"broker-a:4"}}');
    const route = await call(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'T1', acceptStandardJsonOnly: 'true' });
    const text = route.body!.toString();
    assert.equal(JSON.parse(text).orderTopicConf, 'broker-a:4');
    assert.match(text, /"brokerAddrs":\{"0":/, 'acceptStandardJsonOnly quotes ids');
  });
});

test('QUERY_DATA_VERSION, GET_TOPICS_BY_CLUSTER and a disabled topic list', async () => {
  await withNamesrv({ enableAllTopicList: false }, undefined, async (call) => {
    await call(RequestCode.REGISTER_BROKER, REGISTER, BODY);
    const same = await call(RequestCode.QUERY_DATA_VERSION, REGISTER, Buffer.from('{"counter":7,"stateVersion":0,"timestamp":1700000000000}'));
    assert.deepEqual([same.code, same.extFields['changed']], [ResponseCode.SUCCESS, 'false']);
    assert.deepEqual(JSON.parse(same.body!.toString()), { counter: 7, stateVersion: 0, timestamp: 1_700_000_000_000 });
    const changed = await call(RequestCode.QUERY_DATA_VERSION, REGISTER, Buffer.from('{"counter":8,"stateVersion":0,"timestamp":1700000000000}'));
    assert.equal(changed.extFields['changed'], 'true');

    assert.deepEqual(JSON.parse((await call(RequestCode.GET_TOPICS_BY_CLUSTER, { cluster: 'C1' })).body!.toString()), { topicList: ['T1'] });
    const all = await call(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER);
    assert.deepEqual([all.code, all.remark], [ResponseCode.SYSTEM_ERROR, 'disable']);

    const wipe = await call(RequestCode.WIPE_WRITE_PERM_OF_BROKER, { brokerName: 'broker-a' });
    assert.deepEqual([wipe.code, wipe.extFields['wipeTopicCount']], [ResponseCode.SUCCESS, '1']);
    assert.equal(JSON.parse((await call(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'T1' })).body!.toString()).queueDatas[0].perm, 4);
    const add = await call(RequestCode.ADD_WRITE_PERM_OF_BROKER, { brokerName: 'broker-a' });
    assert.deepEqual([add.code, add.extFields['addTopicCount']], [ResponseCode.SUCCESS, '1']);
    assert.equal((await call(RequestCode.BROKER_HEARTBEAT, REGISTER)).code, ResponseCode.SUCCESS);
  });
});

test('a broker silent past its expiry is dropped by the scan and its connection closed', async () => {
  const clock = new ManualClock(Date.now());
  await withNamesrv({ scanNotActiveBrokerIntervalMs: 10_000 }, clock, async (call, namesrv) => {
    const addr = `127.0.0.1:${namesrv.port}`;
    const broker = new RemotingClient({ logger: silentLogger });
    try {
      assert.equal((await call(RequestCode.REGISTER_BROKER, REGISTER, BODY, broker)).code, ResponseCode.SUCCESS);
      clock.advance(120_000);
      assert.equal((await call(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'T1' })).code, ResponseCode.SUCCESS);
      clock.advance(10_000);
      assert.equal((await call(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'T1' })).code, ResponseCode.TOPIC_NOT_EXIST);
      const deadline = Date.now() + 5000;
      while (broker.isConnected(addr) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.equal(broker.isConnected(addr), false, 'the name server closed the expired broker connection');
    } finally {
      await broker.shutdown();
    }
  });
});
