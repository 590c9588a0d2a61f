import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/common';
import {
  RouteInfoManager, encodeClusterInfo, encodeTopicList, encodeTopicRouteData, wantsStandardJson,
} from '../../src/namesrv';
import { registration, SLAVE } from './route-fixtures';

// Golden strings from remoting-protocol.md §4.1 and §4.2 (what Apache sends a version-121 client).
const ROUTE_LEGACY = '{"brokerDatas":[{"brokerAddrs":{0:"127.0.0.1:10911",1:"127.0.0.1:10921"},' +
  '"brokerName":"broker-a","cluster":"DefaultCluster","enableActingMaster":false}],"filterServerTable":{},' +
  '"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4}]}';
const CLUSTER_INFO = '{"brokerAddrTable":{"broker-a":{"brokerAddrs":{0:"127.0.0.1:10911"},"brokerName":"broker-a",' +
  '"cluster":"DefaultCluster","enableActingMaster":false}},"clusterAddrTable":{"DefaultCluster":["broker-a"]}}';

function masterAndSlave(): RouteInfoManager {
  const routes = new RouteInfoManager({ clock: new ManualClock(1000) });
  routes.registerBroker(registration());
  routes.registerBroker(registration(SLAVE));
  return routes;
}

test('route of a master/slave group is byte-identical to the reference (unquoted ids for old clients)', () => {
  const route = masterAndSlave().pickupTopicRouteData('T1');
  assert.ok(route);
  assert.equal(encodeTopicRouteData(route, false).toString('utf8'), ROUTE_LEGACY);
});

test('standard JSON form quotes the broker ids and is valid JSON', () => {
  const route = masterAndSlave().pickupTopicRouteData('T1');
  assert.ok(route);
  const text = encodeTopicRouteData(route, true).toString('utf8');
  assert.equal(text, ROUTE_LEGACY.replace('{0:', '{"0":').replace(',1:', ',"1":'));
  assert.deepEqual(JSON.parse(text).brokerDatas[0].brokerAddrs, { 0: '127.0.0.1:10911', 1: '127.0.0.1:10921' });
});

test('version gating: V4_9_4 (401) and later, or acceptStandardJsonOnly, get standard JSON', () => {
  assert.equal(wantsStandardJson(121, false), false);
  assert.equal(wantsStandardJson(400, false), false);
  assert.equal(wantsStandardJson(401, false), true);
  assert.equal(wantsStandardJson(121, true), true);
});

test('orderTopicConf is written when present', () => {
  const route = masterAndSlave().pickupTopicRouteData('T1');
  assert.ok(route);
  const text = encodeTopicRouteData({ ...route, orderTopicConf: 'broker-a:4' }, false).toString('utf8');
  assert.match(text, /"filterServerTable":\{\},"orderTopicConf":"broker-a:4","queueDatas":/);
});

test('cluster info is byte-identical to the reference', () => {
  const routes = new RouteInfoManager({ clock: new ManualClock(1000) });
  routes.registerBroker(registration());
  assert.equal(encodeClusterInfo(routes.getAllClusterInfo()).toString('utf8'), CLUSTER_INFO);
});

test('topic list shape', () => {
  assert.equal(encodeTopicList(['T1', 'T2']).toString('utf8'), '{"topicList":["T1","T2"]}');
});
