/**
 * The name server on 127.0.0.1 (port 0) driven by real remoting clients over TCP: one plays the
 * broker, one the producer/admin.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { crc32, deflateSync } from 'node:zlib';
import { silentLogger } from '../../src/common';
import { NamesrvController } from '../../src/namesrv';
import { createRequest, RequestCode, ResponseCode, type RemotingCommand } from '../../src/protocol';
import { RemotingClient } from '../../src/remoting';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir';

const TIMEOUT_MS = 3000;
const BROKER_ADDR = '127.0.0.1:10911';
const REGISTER_BODY = Buffer.from('{"filterServerList":[],"topicConfigSerializeWrapper":{' +
  '"dataVersion":{"counter":1,"stateVersion":0,"timestamp":1700000000000},' +
  '"topicConfigTable":{"T1":{"order":false,"perm":6,"readQueueNums":4,"topicFilterType":"SINGLE_TAG",' +
  '"topicName":"T1","topicSysFlag":0,"writeQueueNums":4}}}}');

let home: string;
let namesrv: NamesrvController;
let addr: string;
const client = new RemotingClient({ logger: silentLogger });

before(async () => {
  home = makeTempDir('namesrv-e2e');
  namesrv = new NamesrvController({ config: { rocketmqHome: home, listenPort: 0, listenHost: '127.0.0.1' }, logger: silentLogger });
  await namesrv.start();
  addr = `127.0.0.1:${namesrv.port}`;
});

after(async () => {
  await client.shutdown();
  await namesrv.shutdown();
  removeTempDir(home);
});

function call(code: number, ext: Record<string, string> = {}, body?: Buffer, version?: number, via = client): Promise<RemotingCommand> {
  const request = createRequest(code, ext, body);
  if (version !== undefined) request.version = version;
  return via.invokeSync(addr, request, TIMEOUT_MS);
}

function registerExt(brokerName: string, brokerAddr: string, extra: Record<string, string> = {}): Record<string, string> {
  return { clusterName: 'DefaultCluster', brokerAddr, brokerName, brokerId: '0', haServerAddr: '127.0.0.1:10912', ...extra };
}

async function waitFor(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('register a broker, then read its route in both JSON forms', async () => {
  const broker = new RemotingClient({ logger: silentLogger });
  try {
    const crc = String(crc32(REGISTER_BODY) & 0x7fffffff);
    const reg = await call(RequestCode.REGISTER_BROKER, registerExt('broker-a', BROKER_ADDR, { bodyCrc32: crc }), REGISTER_BODY, undefined, broker);
    assert.equal(reg.code, ResponseCode.SUCCESS, reg.remark);

    const legacy = await call(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'T1' }, undefined, 121);
    assert.equal(legacy.code, ResponseCode.SUCCESS);
    assert.equal(legacy.body?.toString(), '{"brokerDatas":[{"brokerAddrs":{0:"127.0.0.1:10911"},"brokerName":"broker-a",' +
      '"cluster":"DefaultCluster","enableActingMaster":false}],"filterServerTable":{},' +
      '"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4}]}');

    const modern = await call(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'T1' });
    assert.deepEqual(JSON.parse(modern.body!.toString()).brokerDatas[0].brokerAddrs, { 0: BROKER_ADDR });

    const cluster = await call(RequestCode.GET_BROKER_CLUSTER_INFO);
    assert.equal(cluster.code, ResponseCode.SUCCESS);
    assert.match(cluster.body!.toString(), /"clusterAddrTable":\{"DefaultCluster":\["broker-a"\]\}/);

    const topics = await call(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER);
    assert.deepEqual(JSON.parse(topics.body!.toString()), { topicList: ['T1'] });

    // The broker's connection closes: its routes go at once.
    broker.closeConnection(addr);
    await waitFor(async () => (await call(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'T1' })).code === ResponseCode.TOPIC_NOT_EXIST, 'route removal');
    const info = await call(RequestCode.GET_BROKER_CLUSTER_INFO);
    assert.equal(info.body?.toString(), '{"brokerAddrTable":{},"clusterAddrTable":{}}');
  } finally {
    await broker.shutdown();
  }
});

test('unknown topic: TOPIC_NOT_EXIST with RocketMQ remark', async () => {
  const res = await call(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'NoSuchTopic' });
  assert.equal(res.code, ResponseCode.TOPIC_NOT_EXIST);
  assert.ok(res.remark?.startsWith('No topic route info in name server for the topic: NoSuchTopic'));
});

test('compressed registration, slave answer, unregister and delete topic over the wire', async () => {
  const broker = new RemotingClient({ logger: silentLogger });
  try {
    const int32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeInt32BE(n); return b; };
    const part = (s: string): Buffer => Buffer.concat([int32(Buffer.byteLength(s)), Buffer.from(s)]);
    const body = deflateSync(Buffer.concat([part('{"counter":1,"stateVersion":0,"timestamp":1}'), int32(1), part('TZ 2 2 6 SINGLE_TAG'), part('[]'), int32(0)]));
    const master = await call(RequestCode.REGISTER_BROKER, registerExt('broker-z', '127.0.0.1:30911', { compressed: 'true', haServerAddr: '127.0.0.1:30912' }), body, undefined, broker);
    assert.equal(master.code, ResponseCode.SUCCESS, master.remark);
    const slave = await call(RequestCode.REGISTER_BROKER, registerExt('broker-z', '127.0.0.1:30921', { brokerId: '1', haServerAddr: '127.0.0.1:30922' }), REGISTER_BODY, undefined, broker);
    assert.deepEqual([slave.extFields['masterAddr'], slave.extFields['haServerAddr']], ['127.0.0.1:30911', '127.0.0.1:30912']);

    const route = JSON.parse((await call(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TZ' })).body!.toString());
    assert.deepEqual(route.queueDatas, [{ brokerName: 'broker-z', perm: 6, readQueueNums: 2, topicSysFlag: 0, writeQueueNums: 2 }]);

    const unreg = await call(RequestCode.UNREGISTER_BROKER, { clusterName: 'DefaultCluster', brokerAddr: '127.0.0.1:30911', brokerName: 'broker-z', brokerId: '0' });
    assert.equal(unreg.code, ResponseCode.SUCCESS);
    const afterMaster = JSON.parse((await call(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TZ' })).body!.toString());
    assert.deepEqual(afterMaster.brokerDatas[0].brokerAddrs, { 1: '127.0.0.1:30921' });

    assert.equal((await call(RequestCode.DELETE_TOPIC_IN_NAMESRV, { topic: 'TZ' })).code, ResponseCode.SUCCESS);
    assert.equal((await call(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'TZ' })).code, ResponseCode.TOPIC_NOT_EXIST);
  } finally {
    await broker.shutdown();
  }
});

test('bad registrations are answered, not fatal: missing field, crc mismatch, broken body', async () => {
  const missing = await call(RequestCode.REGISTER_BROKER, { brokerName: 'b' }, REGISTER_BODY);
  assert.equal(missing.code, ResponseCode.SYSTEM_ERROR);
  assert.match(missing.remark ?? '', /clusterName/);
  const crc = await call(RequestCode.REGISTER_BROKER, registerExt('broker-c', '127.0.0.1:40911', { bodyCrc32: '12345' }), REGISTER_BODY);
  assert.deepEqual([crc.code, crc.remark], [ResponseCode.SYSTEM_ERROR, 'crc32 not match']);
  const broken = await call(RequestCode.REGISTER_BROKER, registerExt('broker-c', '127.0.0.1:40911'), Buffer.from('{"topicConfigSerializeWrapper":'));
  assert.equal(broken.code, ResponseCode.SYSTEM_ERROR);
  assert.equal((await call(RequestCode.GET_BROKER_CLUSTER_INFO)).body?.toString().includes('broker-c'), false);
});

test('KV config over the wire, persisted under the home dir', async () => {
  const put = await call(RequestCode.PUT_KV_CONFIG, { namespace: 'ns', key: 'k', value: 'v1' });
  assert.equal(put.code, ResponseCode.SUCCESS);
  const file = path.join(home, 'namesrv', 'kvConfig.json');
  assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { configTable: { ns: { k: 'v1' } } });
  const got = await call(RequestCode.GET_KV_CONFIG, { namespace: 'ns', key: 'k' });
  assert.deepEqual([got.code, got.extFields['value']], [ResponseCode.SUCCESS, 'v1']);
  const list = await call(RequestCode.GET_KVLIST_BY_NAMESPACE, { namespace: 'ns' });
  assert.equal(list.body?.toString(), '{"table":{"k":"v1"}}');
  assert.equal((await call(RequestCode.DELETE_KV_CONFIG, { namespace: 'ns', key: 'k' })).code, ResponseCode.SUCCESS);
  assert.equal((await call(RequestCode.GET_KV_CONFIG, { namespace: 'ns', key: 'k' })).code, ResponseCode.QUERY_NOT_FOUND);
});
