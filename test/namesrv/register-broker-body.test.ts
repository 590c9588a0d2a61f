import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deflateSync } from 'node:zlib';
import { errorCode } from '../../src/common';
import { decodeDataVersion, decodeRegisterBrokerBody } from '../../src/namesrv';
import { SeededRandom } from '../helpers/seeded-random';

const PLAIN = '{"filterServerList":[],"topicConfigSerializeWrapper":{' +
  '"dataVersion":{"counter":12,"stateVersion":0,"timestamp":1700000000000},' +
  '"topicConfigTable":{"T1":{"attributes":{},"order":false,"perm":6,"readQueueNums":4,' +
  '"topicFilterType":"SINGLE_TAG","topicName":"T1","topicSysFlag":0,"writeQueueNums":4}}}}';

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

function part(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([int32(bytes.length), bytes]);
}

/** The layout Java's RegisterBrokerBody.encode(true) writes, built by hand. */
function compressedBody(topics: string[], filterServers = '[]', mappings: string[] = []): Buffer {
  return deflateSync(Buffer.concat([
    part('{"counter":3,"stateVersion":1,"timestamp":1700000000123}'),
    int32(topics.length), ...topics.map(part),
    part(filterServers),
    int32(mappings.length), ...mappings.map(part),
  ]), { level: 9 });
}

test('plain JSON body as a Java broker sends it', () => {
  const body = decodeRegisterBrokerBody(Buffer.from(PLAIN), false);
  assert.deepEqual(body.dataVersion, { counter: 12, stateVersion: 0, timestamp: 1_700_000_000_000 });
  assert.deepEqual(body.topicConfigs, [{ topicName: 'T1', readQueueNums: 4, writeQueueNums: 4, perm: 6, topicSysFlag: 0, topicFilterType: 'SINGLE_TAG', order: false }]);
  assert.deepEqual(body.filterServerList, []);
});

test('plain body with fastjson unquoted integer keys in a static-topic mapping still parses', () => {
  const text = PLAIN.replace('"filterServerList":[]', '"filterServerList":["10.0.0.1:1"],"topicQueueMappingInfoMap":{"T1":{"currIdMap":{0:0, -1:2}}}');
  assert.deepEqual(decodeRegisterBrokerBody(Buffer.from(text), false).filterServerList, ['10.0.0.1:1']);
});

test("compressed body: Java's space-separated TopicConfig text, with and without attributes", () => {
  const body = decodeRegisterBrokerBody(compressedBody(['T1 4 4 6 SINGLE_TAG', 'T2 8 2 7 MULTI_TAG {"+a":"b"}'], '["f:1"]', ['{"topic":"T1"}']), true);
  assert.deepEqual(body.dataVersion, { counter: 3, stateVersion: 1, timestamp: 1_700_000_000_123 });
  assert.deepEqual(body.topicConfigs.map((t) => [t.topicName, t.readQueueNums, t.writeQueueNums, t.perm, t.topicFilterType]),
    [['T1', 4, 4, 6, 'SINGLE_TAG'], ['T2', 8, 2, 7, 'MULTI_TAG']]);
  assert.deepEqual(body.filterServerList, ['f:1']);
});

test('a missing body is an empty table with version 0 (as Java)', () => {
  const body = decodeRegisterBrokerBody(undefined, false);
  assert.deepEqual(body.topicConfigs, []);
  assert.equal(body.dataVersion.counter, 0);
});

test('bad bodies fail with ERR_BODY_MALFORMED', () => {
  const bad: Array<[Buffer, boolean]> = [
    [Buffer.from('{not json'), false],
    [Buffer.from('[1,2]'), false],
    [Buffer.from(PLAIN.replace('"readQueueNums":4', '"readQueueNums":"4"')), false],
    [Buffer.from(PLAIN.replace('"perm":6', '"perm":99')), false],
    [Buffer.from(PLAIN.replace('"readQueueNums":4', '"readQueueNums":-1')), false],
    [Buffer.from(PLAIN.replace('"filterServerList":[]', '"filterServerList":[1]')), false],
    [Buffer.from('not zlib'), true],
    [compressedBody(['T1 4 4']), true],
    [compressedBody(['T1 x 4 6 SINGLE_TAG']), true],
    [deflateSync(Buffer.concat([int32(100), Buffer.from('{}')])), true],
    [deflateSync(int32(-5)), true],
  ];
  for (const [body, compressed] of bad) {
    assert.throws(() => decodeRegisterBrokerBody(body, compressed), (err) => errorCode(err) === 'ERR_BODY_MALFORMED', body.toString('latin1').slice(0, 60));
  }
});

test('DataVersion body of QUERY_DATA_VERSION', () => {
  assert.deepEqual(decodeDataVersion(Buffer.from('{"counter":5,"stateVersion":0,"timestamp":7}')), { counter: 5, stateVersion: 0, timestamp: 7 });
  assert.throws(() => decodeDataVersion(undefined), (err) => errorCode(err) === 'ERR_BODY_MALFORMED');
});

test('seeded fuzz: truncated, bit-flipped and random bodies decode or fail with ERR_BODY_MALFORMED only', () => {
  const seed = 20261121;
  const random = new SeededRandom(seed);
  const plain = Buffer.from(PLAIN);
  const compressed = compressedBody(['T1 4 4 6 SINGLE_TAG', 'T2 8 8 6 SINGLE_TAG'], '["a:1"]');
  for (let round = 0; round < 2000; round++) {
    const isCompressed = round % 2 === 1;
    const source = isCompressed ? compressed : plain;
    let body: Buffer;
    switch (round % 3) {
      case 0: body = source.subarray(0, random.int(0, source.length - 1)); break;
      case 1: {
        body = Buffer.from(source);
        const at = random.int(0, body.length - 1);
        body[at] = (body[at] ?? 0) ^ (1 << random.int(0, 7));
        break;
      }
      default: body = random.fill(Buffer.alloc(random.int(1, 200)));
    }
    try {
      decodeRegisterBrokerBody(body, isCompressed);
    } catch (err) {
      assert.equal(errorCode(err), 'ERR_BODY_MALFORMED', `seed ${seed} round ${round}: ${String(err)}`);
    }
  }
});
