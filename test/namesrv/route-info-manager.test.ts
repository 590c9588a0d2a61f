import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock, silentLogger } from '../../src/common';
import { BrokerHousekeeping, RouteInfoManager } from '../../src/namesrv';
import { registration, SLAVE, topic } from './route-fixtures';

function setup(): { clock: ManualClock; routes: RouteInfoManager } {
  const clock = new ManualClock(1_000_000);
  return { clock, routes: new RouteInfoManager({ clock }) };
}

test('register: topics, brokers, clusters and the live entry appear', () => {
  const { routes } = setup();
  assert.deepEqual(routes.registerBroker(registration({ topicConfigs: [topic('T1'), topic('T2', 8, 7)] })), {});
  const route = routes.pickupTopicRouteData('T2');
  assert.ok(route);
  assert.deepEqual(route.queueDatas, [{ brokerName: 'broker-a', readQueueNums: 8, writeQueueNums: 8, perm: 7, topicSysFlag: 0 }]);
  assert.deepEqual([...route.brokerDatas[0]!.brokerAddrs], [[0, '127.0.0.1:10911']]);
  assert.deepEqual(routes.getAllTopicList(), ['T1', 'T2']);
  assert.deepEqual([...routes.getAllClusterInfo().clusterAddrTable], [['DefaultCluster', ['broker-a']]]);
  assert.equal(routes.brokerLiveInfo('127.0.0.1:10911')?.haServerAddr, '127.0.0.1:10912');
  assert.equal(routes.pickupTopicRouteData('nope'), undefined);
});

test('re-register with the same data version does not rewrite topics; a new version does', () => {
  const { routes, clock } = setup();
  routes.registerBroker(registration());
  clock.advance(30_000);
  routes.registerBroker(registration({ topicConfigs: [topic('T1', 2)] }));
  assert.equal(routes.pickupTopicRouteData('T1')?.queueDatas[0]?.writeQueueNums, 4, 'unchanged version keeps T1 as it was');
  assert.equal(routes.brokerLiveInfo('127.0.0.1:10911')?.lastUpdateTimestamp, 1_030_000, 'but the registration refreshes liveness');

  routes.registerBroker(registration({ topicConfigs: [topic('T1', 2)], dataVersion: { counter: 2, stateVersion: 0, timestamp: 1_700_000_000_001 } }));
  assert.equal(routes.pickupTopicRouteData('T1')?.queueDatas[0]?.writeQueueNums, 2);
});

test('same data version still adds a topic that has no queue data for the broker yet', () => {
  const { routes } = setup();
  routes.registerBroker(registration());
  routes.registerBroker(registration({ topicConfigs: [topic('T1'), topic('NEW')] }));
  assert.ok(routes.pickupTopicRouteData('NEW'));
});

test('a slave learns its master addresses; the master does not', () => {
  const { routes } = setup();
  assert.deepEqual(routes.registerBroker(registration()), {});
  assert.deepEqual(routes.registerBroker(registration(SLAVE)), { haServerAddr: '127.0.0.1:10912', masterAddr: '127.0.0.1:10911' });
});

test("unregistering the master keeps the slave's route; the last address takes the topics with it", () => {
  const { routes } = setup();
  routes.registerBroker(registration());
  routes.registerBroker(registration(SLAVE));
  routes.unregisterBroker({ clusterName: 'DefaultCluster', brokerAddr: '127.0.0.1:10911', brokerName: 'broker-a', brokerId: 0 });
  const route = routes.pickupTopicRouteData('T1');
  assert.ok(route, 'slave still serves T1');
  assert.deepEqual([...route.brokerDatas[0]!.brokerAddrs], [[1, '127.0.0.1:10921']]);
  assert.equal(routes.brokerLiveInfo('127.0.0.1:10911'), undefined);

  routes.unregisterBroker({ clusterName: 'DefaultCluster', brokerAddr: '127.0.0.1:10921', brokerName: 'broker-a', brokerId: 1 });
  assert.equal(routes.pickupTopicRouteData('T1'), undefined);
  assert.deepEqual(routes.getAllTopicList(), []);
  assert.equal(routes.getAllClusterInfo().clusterAddrTable.size, 0);
});

test('a topic hosted by two broker groups loses only the departed group', () => {
  const { routes } = setup();
  routes.registerBroker(registration());
  routes.registerBroker(registration({ brokerName: 'broker-b', brokerAddr: '127.0.0.1:20911', channel: 'conn-b' }));
  assert.equal(routes.pickupTopicRouteData('T1')?.queueDatas.length, 2);
  assert.equal(routes.onChannelClosed('conn-b').length, 1);
  assert.deepEqual(routes.pickupTopicRouteData('T1')?.queueDatas.map((q) => q.brokerName), ['broker-a']);
});

test('connection close drops exactly the broker registered on it', () => {
  const { routes } = setup();
  routes.registerBroker(registration());
  routes.registerBroker(registration(SLAVE));
  assert.deepEqual(routes.onChannelClosed('unknown'), []);
  assert.deepEqual(routes.onChannelClosed('conn-slave'), [{ clusterName: 'DefaultCluster', brokerAddr: '127.0.0.1:10921', brokerName: 'broker-a', brokerId: 1 }]);
  assert.deepEqual([...routes.pickupTopicRouteData('T1')!.brokerDatas[0]!.brokerAddrs.keys()], [0]);
});

test('expiry: a broker silent for 120 s is dropped by the 10 s scan, one that re-registers survives', () => {
  const { routes, clock } = setup();
  const housekeeping = new BrokerHousekeeping(routes, clock, 10_000, silentLogger);
  routes.registerBroker(registration());
  routes.registerBroker(registration({ brokerName: 'broker-b', brokerAddr: '127.0.0.1:20911', channel: 'conn-b' }));
  housekeeping.start();
  for (let t = 0; t < 4; t++) {
    clock.advance(30_000);
    routes.registerBroker(registration()); // broker-a keeps registering every 30 s
  }
  assert.ok(routes.brokerLiveInfo('127.0.0.1:20911'), 'exactly 120 s silent is not yet expired');
  clock.advance(10_000);
  assert.equal(routes.brokerLiveInfo('127.0.0.1:20911'), undefined, 'broker-b dropped at the first scan past 120 s');
  assert.ok(routes.brokerLiveInfo('127.0.0.1:10911'));
  assert.deepEqual(routes.pickupTopicRouteData('T1')?.queueDatas.map((q) => q.brokerName), ['broker-a']);
  housekeeping.shutdown();
  assert.equal(clock.pendingTimers, 0);
});

test("a broker's own heartbeatTimeoutMillis overrides the default expiry", () => {
  const { routes, clock } = setup();
  routes.registerBroker(registration({ heartbeatTimeoutMs: 5000 }));
  clock.advance(5001);
  assert.equal(routes.scanNotActiveBrokers().length, 1);
  assert.equal(routes.pickupTopicRouteData('T1'), undefined);
});

test('delete topic: everywhere, or only from one cluster', () => {
  const { routes } = setup();
  routes.registerBroker(registration({ topicConfigs: [topic('T1'), topic('T2')] }));
  routes.registerBroker(registration({ clusterName: 'Other', brokerName: 'broker-x', brokerAddr: '127.0.0.1:30911', channel: 'x', topicConfigs: [topic('T1'), topic('T2')] }));
  routes.deleteTopic('T1', 'Other');
  assert.deepEqual(routes.pickupTopicRouteData('T1')?.queueDatas.map((q) => q.brokerName), ['broker-a']);
  assert.deepEqual(routes.getTopicsByCluster('Other'), ['T2']);
  routes.deleteTopic('T2');
  assert.deepEqual(routes.getAllTopicList(), ['T1']);
});

test('query data version: changed flag and liveness refresh', () => {
  const { routes, clock } = setup();
  const v1 = { counter: 1, stateVersion: 0, timestamp: 1_700_000_000_000 };
  routes.registerBroker(registration({ dataVersion: v1 }));
  clock.advance(1000);
  assert.deepEqual(routes.queryDataVersion('127.0.0.1:10911', v1), { changed: false, nameServerVersion: v1 });
  assert.equal(routes.brokerLiveInfo('127.0.0.1:10911')?.lastUpdateTimestamp, 1_001_000);
  assert.equal(routes.queryDataVersion('127.0.0.1:10911', { ...v1, counter: 2 }).changed, true);
  assert.equal(routes.queryDataVersion('10.0.0.9:1', v1).changed, true);
});

test('a slave promoted to master on the same address replaces its old id', () => {
  const { routes } = setup();
  routes.registerBroker(registration(SLAVE));
  routes.registerBroker(registration({ ...SLAVE, brokerId: 0 }));
  assert.deepEqual([...routes.pickupTopicRouteData('T1')!.brokerDatas[0]!.brokerAddrs], [[0, '127.0.0.1:10921']]);
});

test('a slave alone: pre-5.0 brokers publish no topics; with enableActingMaster the slave serves reads only', () => {
  const old = setup().routes;
  const { enableActingMaster: _omit, ...oldSlave } = registration(SLAVE);
  old.registerBroker(oldSlave);
  assert.equal(old.pickupTopicRouteData('T1'), undefined);

  const acting = setup().routes;
  acting.registerBroker(registration({ ...SLAVE, enableActingMaster: true }));
  assert.equal(acting.pickupTopicRouteData('T1')?.queueDatas[0]?.perm, 4);
});

test('wipe and add write permission of a broker group; heartbeat refreshes liveness', () => {
  const { routes, clock } = setup();
  routes.registerBroker(registration({ topicConfigs: [topic('T1'), topic('T2', 4, 7)] }));
  assert.equal(routes.setWritePermOfBroker('broker-a', false), 2);
  assert.deepEqual(['T1', 'T2'].map((t) => routes.pickupTopicRouteData(t)?.queueDatas[0]?.perm), [4, 5]);
  assert.equal(routes.setWritePermOfBroker('broker-a', true), 2);
  assert.equal(routes.pickupTopicRouteData('T1')?.queueDatas[0]?.perm, 6);
  assert.equal(routes.setWritePermOfBroker('nobody', false), 0);

  clock.advance(100_000);
  assert.equal(routes.touchBroker('127.0.0.1:10911'), true);
  assert.equal(routes.touchBroker('10.9.9.9:1'), false);
  clock.advance(100_000);
  assert.equal(routes.scanNotActiveBrokers().length, 0, 'the heartbeat 100 s ago keeps the broker alive');
});

test('every broker registered on a closed connection is dropped', () => {
  const { routes } = setup();
  routes.registerBroker(registration({ channel: 'shared' }));
  routes.registerBroker(registration({ ...SLAVE, channel: 'shared' }));
  assert.equal(routes.onChannelClosed('shared').length, 2);
  assert.equal(routes.pickupTopicRouteData('T1'), undefined);
});
