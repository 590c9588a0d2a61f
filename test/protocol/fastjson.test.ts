import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MqError } from '../../src/common';
import { createRequest, javaDouble, parseFastjson, toFastjson, wantsStandardJson } from '../../src/protocol';

const ROUTE = {
  queueDatas: [{ writeQueueNums: 4, topicSysFlag: 0, brokerName: 'broker-a', readQueueNums: 4, perm: 6 }],
  filterServerTable: new Map(),
  brokerDatas: [{
    enableActingMaster: false, cluster: 'DefaultCluster', brokerName: 'broker-a',
    brokerAddrs: new Map([[1, '127.0.0.1:10921'], [0, '127.0.0.1:10911']]),
  }],
  orderTopicConf: undefined,
};

test('route data for an old client: alphabetical bean fields, unquoted integer map keys, nulls omitted', () => {
  assert.equal(toFastjson(ROUTE),
    '{"brokerDatas":[{"brokerAddrs":{1:"127.0.0.1:10921",0:"127.0.0.1:10911"},"brokerName":"broker-a",' +
    '"cluster":"DefaultCluster","enableActingMaster":false}],"filterServerTable":{},' +
    '"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4}]}');
});

test('standard JSON (version >= 401 or acceptStandardJsonOnly): quoted sorted keys, \\u escapes', () => {
  const text = toFastjson({ ...ROUTE, note: 'zoné' }, { isStandardJson: true });
  assert.ok(text.includes('"brokerAddrs":{"0":"127.0.0.1:10911","1":"127.0.0.1:10921"}'));
  assert.ok(text.includes('"note":"zon\\u00e9"'));
  assert.doesNotThrow(() => JSON.parse(text));
  const old = createRequest(105, { topic: 'T' });
  old.version = 121;
  assert.equal(wantsStandardJson(old), false);
  old.extFields['acceptStandardJsonOnly'] = 'true';
  assert.equal(wantsStandardJson(old), true);
  const modern = createRequest(105, { topic: 'T' });
  modern.version = 401;
  assert.equal(wantsStandardJson(modern), true);
});

test('object map keys, doubles, longs, sets and enums as fastjson writes them', () => {
  const mq = { topic: 't', queueId: 0, brokerName: 'b' };
  const stats = {
    consumeTps: javaDouble(0),
    offsetTable: new Map([[mq, { pullOffset: 5, lastTimestamp: 0, consumerOffset: 5, brokerOffset: 5 }]]),
  };
  assert.equal(toFastjson(stats),
    '{"consumeTps":0.0,"offsetTable":{{"brokerName":"b","queueId":0,"topic":"t"}:' +
    '{"brokerOffset":5,"consumerOffset":5,"lastTimestamp":0,"pullOffset":5}}}');
  assert.equal(toFastjson({ big: 9223372036854775807n, tps: javaDouble(2.5), tags: new Set(['A', 'B']), model: 'CLUSTERING' }),
    '{"big":9223372036854775807,"model":"CLUSTERING","tags":["A","B"],"tps":2.5}');
});

test('parser reads what the writer writes, both modes, including object keys', () => {
  const parsed = parseFastjson(toFastjson(ROUTE)) as { brokerDatas: Array<{ brokerAddrs: Record<string, string> }> };
  assert.deepEqual(parsed.brokerDatas[0]?.brokerAddrs, { 0: '127.0.0.1:10911', 1: '127.0.0.1:10921' });
  assert.deepEqual(parseFastjson(toFastjson(ROUTE, { isStandardJson: true })), parsed);
  const stats = parseFastjson('{"consumeTps":0.0,"offsetTable":{{"brokerName":"b","queueId":0,"topic":"t"}:{"brokerOffset":5}}}') as {
    offsetTable: Map<unknown, unknown>;
  };
  assert.ok(stats.offsetTable instanceof Map);
  assert.deepEqual([...stats.offsetTable], [[{ brokerName: 'b', queueId: 0, topic: 't' }, { brokerOffset: 5 }]]);
});

test('parser: Java longs beyond 2^53 as bigint, lenient keys and quotes, __proto__ stays data', () => {
  assert.deepEqual(parseFastjson('{"a":9223372036854775807,"b":-1,"c":1.5e3}'), { a: 9223372036854775807n, b: -1, c: 1500 });
  assert.deepEqual(parseFastjson("{name:'it\\'s',\"x\":[true,false,null]}"), { name: "it's", x: [true, false, null] });
  const hostile = parseFastjson('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(hostile), Object.prototype);
  assert.deepEqual(Object.keys(hostile), ['__proto__']);
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});

test('parser: malformed bodies fail with ERR_BODY_MALFORMED, deep nesting included', () => {
  for (const bad of ['', '{', '{"a":}', '[1,]', '{"a":1}x', '"open', 'nul', '{"a" 1}', '['.repeat(10_000) + ']'.repeat(10_000)]) {
    assert.throws(() => parseFastjson(bad), (err: unknown) => err instanceof MqError && err.code === 'ERR_BODY_MALFORMED', bad.slice(0, 20));
  }
});
