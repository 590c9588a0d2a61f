/** Pure pieces of the client: config validation, UNIQ_KEY, route decoding, fault avoidance, queue selection, message checks. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/common';
import {
  LatencyFaultTolerance,
  MessageClientIdGenerator,
  Producer,
  TopicPublishQueues,
  buildTopicRouteInfo,
  createClientConfig,
  decodeClientMessageId,
  decodeTopicRouteData,
  notAvailableDurationFor,
  type MessageQueue,
} from '../../src/client';
import { checkMessage } from '../../src/client/producer/message';
import { prepareMessage } from '../../src/client/producer/send-request';
import { decodeProperties, MessageSysFlag } from '../../src/message';
import { inflateSync } from 'node:zlib';

test('client options are validated at construction with errors naming the option', () => {
  const bad: Array<[Record<string, unknown>, RegExp]> = [
    [{}, /namesrvAddr is required/],
    [{ namesrvAddr: '' }, /names no address/],
    [{ namesrvAddr: 'localhost' }, /not a host:port/],
    [{ namesrvAddr: ['127.0.0.1:9876', 5] }, /must be strings/],
    [{ namesrvAddr: '127.0.0.1:9876', requestTimeoutMs: 0 }, /requestTimeoutMs must be a positive integer/],
    [{ namesrvAddr: '127.0.0.1:9876', heartbeatIntervalMs: 1.5 }, /heartbeatIntervalMs/],
    [{ namesrvAddr: '127.0.0.1:9876', instanceName: 'a b' }, /instanceName/],
    [{ namesrvAddr: '127.0.0.1:9876', clientIP: 'x@y' }, /clientIP/],
  ];
  for (const [options, message] of bad) {
    assert.throws(() => createClientConfig(options as never), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'ERR_INVALID_ARGUMENT');
      assert.match(err.message, message);
      return true;
    });
  }
  const config = createClientConfig({ namesrvAddr: '127.0.0.1:9876; 127.0.0.1:9877', clientIP: '10.1.2.3', instanceName: 'inst' });
  assert.deepEqual(config.namesrvAddrs, ['127.0.0.1:9876', '127.0.0.1:9877']);
  assert.equal(config.clientId, '10.1.2.3@inst');
  assert.equal(config.heartbeatIntervalMs, 30_000);
  assert.notEqual(createClientConfig({ namesrvAddr: '127.0.0.1:1' }).instanceName, createClientConfig({ namesrvAddr: '127.0.0.1:1' }).instanceName);
});

test('producer options: group name rules, numeric ranges', () => {
  assert.throws(() => new Producer({ namesrvAddr: '127.0.0.1:9876' } as never), /groupName/);
  assert.throws(() => new Producer({ groupName: 'bad group', namesrvAddr: '127.0.0.1:9876' }), /groupName/);
  assert.throws(() => new Producer({ groupName: 'DEFAULT_PRODUCER', namesrvAddr: '127.0.0.1:9876' }), /reserved/);
  assert.throws(() => new Producer({ groupName: 'PG', namesrvAddr: '127.0.0.1:9876', retryTimesWhenSendFailed: -1 }), /retryTimesWhenSendFailed/);
  assert.throws(() => new Producer({ groupName: 'PG', namesrvAddr: '127.0.0.1:9876', compressLevel: 10 }), /compressLevel/);
  assert.throws(() => new Producer({ groupName: 'PG', namesrvAddr: '127.0.0.1:9876', sendLatencyFaultEnable: 'yes' as never }), /boolean/);
});

test('UNIQ_KEY: 32 upper-case hex, ip and pid in front, month delta and a counter behind', () => {
  let now = new Date(2026, 10, 21, 7, 30, 0).getTime();
  const ids = new MessageClientIdGenerator('10.20.30.40', 0x12345, () => now);
  const first = ids.next();
  const second = ids.next();
  assert.match(first, /^[0-9A-F]{32}$/);
  assert.equal(first.slice(0, 20), second.slice(0, 20), 'fixed prefix');
  assert.equal(first.slice(0, 12), '0A141E282345', 'ip bytes then the low 16 bits of the pid');
  const decoded = decodeClientMessageId(first, now);
  assert.equal(decoded.ip, '10.20.30.40');
  assert.equal(decoded.pid, 0x2345);
  assert.equal(decoded.approximateTime, now);
  assert.equal(decodeClientMessageId(second, now).counter, (decoded.counter + 1) & 0xffff);
  now = new Date(2026, 11, 1, 0, 0, 5).getTime();
  assert.equal(decodeClientMessageId(ids.next(), now).approximateTime, now, 'the delta restarts in a new month');
  assert.throws(() => decodeClientMessageId('XYZ'), TypeError);
});

test('route decoding: fastjson integer keys, publish queues only on writable brokers with a master', () => {
  const body = Buffer.from('{"brokerDatas":[{"brokerAddrs":{0:"127.0.0.1:10911",1:"127.0.0.1:10921"},"brokerName":"b","cluster":"C"},' +
    '{"brokerAddrs":{1:"127.0.0.1:10931"},"brokerName":"c","cluster":"C"},{"brokerAddrs":{"0":"127.0.0.1:10941"},"brokerName":"a","cluster":"C"}],' +
    '"queueDatas":[{"brokerName":"b","perm":6,"readQueueNums":2,"topicSysFlag":0,"writeQueueNums":3},' +
    '{"brokerName":"c","perm":6,"readQueueNums":1,"topicSysFlag":0,"writeQueueNums":1},' +
    '{"brokerName":"a","perm":4,"readQueueNums":1,"topicSysFlag":0,"writeQueueNums":1}]}');
  const route = decodeTopicRouteData(body);
  assert.equal(route.brokerDatas[0]!.brokerAddrs.get(1), '127.0.0.1:10921');
  const info = buildTopicRouteInfo('T', route);
  assert.deepEqual(info.publishQueues.map((q) => `${q.brokerName}${q.queueId}`), ['b0', 'b1', 'b2'], 'a is read-only, c has no master');
  assert.deepEqual(info.subscribeQueues.map((q) => `${q.brokerName}${q.queueId}`), ['a0', 'b0', 'b1', 'c0']);
  const ordered = buildTopicRouteInfo('T', { ...route, orderTopicConf: 'b:2;c:1' });
  assert.equal(ordered.isOrderTopic, true);
  assert.deepEqual(ordered.publishQueues.map((q) => `${q.brokerName}${q.queueId}`), ['b0', 'b1', 'c0']);
  assert.throws(() => decodeTopicRouteData(Buffer.from('{"queueDatas":{}}')), { code: 'ERR_BODY_MALFORMED' });
  assert.throws(() => decodeTopicRouteData(Buffer.from('not json')), { code: 'ERR_BODY_MALFORMED' });
});

test('fault avoidance on a fake clock: latency -> not-available duration by RocketMQ\'s table', () => {
  assert.equal(notAvailableDurationFor(10), 0);
  assert.equal(notAvailableDurationFor(100), 0);
  assert.equal(notAvailableDurationFor(550), 30_000);
  assert.equal(notAvailableDurationFor(1000), 60_000);
  assert.equal(notAvailableDurationFor(2999), 120_000);
  assert.equal(notAvailableDurationFor(15_000), 600_000);

  const clock = new ManualClock(1_000_000);
  const faults = new LatencyFaultTolerance(clock);
  faults.update('fast', 20, false);
  assert.equal(faults.isAvailable('fast'), true);
  faults.update('slow', 600, false);
  assert.equal(faults.isAvailable('slow'), false);
  clock.advance(29_999);
  assert.equal(faults.isAvailable('slow'), false);
  clock.advance(1);
  assert.equal(faults.isAvailable('slow'), true, 'back after 30 s');
  faults.update('dead', 5, true);
  clock.advance(599_999);
  assert.equal(faults.isAvailable('dead'), false, 'a failed send isolates for 10 minutes');
  clock.advance(1);
  assert.equal(faults.isAvailable('dead'), true);
  assert.equal(faults.isAvailable('never-seen'), true);
});

test('queue selection: round robin, skips the failed broker and unavailable brokers, least bad when all are', () => {
  const clock = new ManualClock(0);
  const faults = new LatencyFaultTolerance(clock);
  const queues: MessageQueue[] = ['a', 'b'].flatMap((brokerName) => [0, 1].map((queueId) => ({ topic: 'T', brokerName, queueId })));
  const publish = new TopicPublishQueues(queues, 0);
  assert.deepEqual([0, 1, 2, 3, 4].map(() => publish.select(undefined, undefined)).map((q) => `${q.brokerName}${q.queueId}`), ['a0', 'a1', 'b0', 'b1', 'a0']);
  for (let i = 0; i < 8; i++) assert.equal(publish.select('a', undefined).brokerName, 'b', 'a retry avoids the broker that failed');
  faults.update('b', 0, true);
  for (let i = 0; i < 8; i++) assert.equal(publish.select(undefined, faults).brokerName, 'a', 'b is isolated');
  clock.advance(1);
  faults.update('a', 2000, false); // a: 120 s, b: 600 s from t=0 -> a is the least bad
  for (let i = 0; i < 4; i++) assert.equal(publish.select(undefined, faults).brokerName, 'a');
  clock.advance(600_000);
  const seen = new Set([0, 1, 2, 3].map(() => publish.select(undefined, faults).brokerName));
  assert.deepEqual([...seen].sort(), ['a', 'b'], 'both back in rotation');
});

test('message validation: clear errors at the call, nothing prepared', () => {
  const max = 1024;
  const bad: Array<[unknown, RegExp]> = [
    [{ topic: '', body: 'x' }, /topic is empty/],
    [{ topic: 'a b', body: 'x' }, /characters outside/],
    [{ topic: 'T'.repeat(128), body: 'x' }, /limit is 127/],
    [{ topic: 'SCHEDULE_TOPIC_XXXX', body: 'x' }, /system topic/],
    [{ topic: 'T', body: '' }, /body is empty/],
    [{ topic: 'T', body: 42 }, /Buffer or a string/],
    [{ topic: 'T', body: Buffer.alloc(max + 1) }, /limit is 1024/],
    [{ topic: 'T', body: 'x', delayTimeLevel: 19 }, /delayTimeLevel/],
    [{ topic: 'T', body: 'x', tags: 'a\u0001b' }, /tags/],
    [{ topic: 'T', body: 'x', keys: ['ok', ''] }, /each key/],
    [{ topic: 'T', body: 'x', properties: { UNIQ_KEY: 'mine' } }, /reserved/],
    [{ topic: 'T', body: 'x', properties: { a: 5 } }, /not a string/],
    [{ topic: 'T', body: 'x', flag: 2 ** 31 }, /int32/],
  ];
  for (const [msg, message] of bad) {
    assert.throws(() => checkMessage(msg as never, max), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'ERR_MESSAGE_ILLEGAL');
      assert.match(err.message, message);
      return true;
    });
  }
});

test('prepared message: properties carry tags, keys, delay, WAIT and UNIQ_KEY; big compressible bodies are deflated', () => {
  const body = Buffer.from('abc'.repeat(3000));
  const prepared = prepareMessage({ topic: 'T', body, tags: 'TagA', keys: ['k1', 'k2'], delayTimeLevel: 2, properties: { color: 'red' } },
    body, 'ID', { overBytes: 4096, level: 5 });
  assert.deepEqual(decodeProperties(prepared.properties), { color: 'red', TAGS: 'TagA', KEYS: 'k1 k2', DELAY: '2', WAIT: 'true', UNIQ_KEY: 'ID' });
  assert.equal(prepared.sysFlag & MessageSysFlag.COMPRESSED_FLAG, MessageSysFlag.COMPRESSED_FLAG);
  assert.ok(prepared.body.length < body.length);
  assert.deepEqual(inflateSync(prepared.body), body);
  const small = prepareMessage({ topic: 'T', body: 'tiny' }, Buffer.from('tiny'), 'ID', { overBytes: 4096, level: 5 });
  assert.equal(small.sysFlag, 0);
});
