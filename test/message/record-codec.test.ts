import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  RecordEncoder,
  decodeRecord,
  decodeRecords,
  encodeRecord,
  forEachRecord,
  recordSize,
  BLANK_MAGIC_CODE,
  MESSAGE_MAGIC_CODE,
  MESSAGE_MAGIC_CODE_V2,
  MessageSysFlag,
  type MessageToStore,
  type SocketAddress,
} from '../../src/message';

const storeV4: SocketAddress = { address: '10.1.2.3', port: 10911 };
const storeV6: SocketAddress = { address: '2001:db8::8:800:200c:417a', port: 10911 };

function fullMessage(overrides: Partial<MessageToStore> = {}): MessageToStore {
  return {
    topic: 'TopicTest',
    queueId: 3,
    body: Buffer.from('hello, stored world \u00e9\u4e16'),
    flag: -7,
    properties: { TAGS: 'TagA', KEYS: 'k1 k2', UNIQ_KEY: 'ABCDEF0123', custom: 'v\u00e9\u4e16' },
    bornTimestamp: 1_700_000_000_123,
    bornHost: { address: '192.168.0.9', port: 50123 },
    sysFlag: MessageSysFlag.MULTI_TAGS_FLAG | MessageSysFlag.TRANSACTION_COMMIT_TYPE,
    reconsumeTimes: 4,
    preparedTransactionOffset: 2 ** 40 + 17,
    ...overrides,
  };
}

const nativeFields = { bodyCRC: 0x1234567, queueOffset: 2 ** 33 + 5, physicalOffset: 2 ** 45 + 99, storeTimestamp: 1_700_000_000_999 };

for (const [name, storeHost, bornHost] of [
  ['IPv4 hosts', storeV4, { address: '192.168.0.9', port: 50123 }],
  ['IPv6 born host', storeV4, { address: 'fe80::1', port: 1 }],
  ['IPv6 store host', storeV6, { address: '127.0.0.1', port: 0 }],
  ['IPv6 both hosts', storeV6, { address: '::ffff:c000:280', port: 65535 }],
] as const) {
  test(`every field round-trips encode -> decode (${name})`, () => {
    const msg = fullMessage({ bornHost });
    const size = recordSize(msg, storeHost);
    const buf = Buffer.alloc(size + 10);
    const written = encodeRecord(buf, 5, msg, storeHost, nativeFields);
    assert.equal(written, size);
    const ext = decodeRecord(buf, 5);
    assert.equal(ext.storeSize, size);
    assert.equal(ext.topic, msg.topic);
    assert.equal(ext.queueId, msg.queueId);
    assert.equal(ext.flag, msg.flag);
    assert.deepEqual(ext.body, msg.body);
    assert.deepEqual(ext.properties, msg.properties);
    assert.equal(ext.tags, 'TagA');
    assert.equal(ext.keys, 'k1 k2');
    assert.equal(ext.queueOffset, nativeFields.queueOffset);
    assert.equal(ext.commitLogOffset, nativeFields.physicalOffset);
    assert.equal(ext.bodyCRC, nativeFields.bodyCRC);
    assert.equal(ext.storeTimestamp, nativeFields.storeTimestamp);
    assert.equal(ext.bornTimestamp, msg.bornTimestamp);
    assert.deepEqual(ext.bornHost, bornHost);
    assert.deepEqual(ext.storeHost, storeHost);
    assert.equal(ext.reconsumeTimes, 4);
    assert.equal(ext.preparedTransactionOffset, msg.preparedTransactionOffset);
    const v6Bits = (bornHost.address.includes(':') ? 0x10 : 0) | (storeHost.address.includes(':') ? 0x20 : 0);
    assert.equal(ext.sysFlag, (msg.sysFlag as number) | v6Bits);
    assert.equal(ext.msgId.length, storeHost.address.includes(':') ? 56 : 32);
  });
}

test('the layout matches RocketMQ: 91 fixed bytes, fixed-position fields, V1 magic', () => {
  const msg: MessageToStore = { topic: 'T', queueId: 1, body: Buffer.from('ab'), bornTimestamp: 5 };
  const buf = Buffer.alloc(200);
  const size = encodeRecord(buf, 0, msg, storeV4);
  assert.equal(size, 91 + 2 + 1);
  assert.equal(buf.readInt32BE(0), size);
  assert.equal(buf.readInt32BE(4), MESSAGE_MAGIC_CODE);
  assert.equal(buf.readInt32BE(12), 1);
  assert.equal(buf.readInt32BE(36), 0);
  assert.equal(buf.readInt32BE(44), 5);
  assert.equal(buf.readInt32BE(84), 2); // BODYLENGTH
  assert.equal(buf.toString('latin1', 88, 90), 'ab');
  assert.equal(buf[90], 1); // TOPICLENGTH
  assert.equal(buf.readUInt16BE(92), 0); // PROPERTIESLENGTH
});

test('the store-path encoder leaves the four native-owned fields untouched', () => {
  const encoder = new RecordEncoder(storeV4);
  const buf = Buffer.alloc(400, 0xee);
  const size = encoder.encode(buf, 0, fullMessage(), '', 42);
  assert.ok(size > 0);
  const untouched = (start: number, length: number) => buf.subarray(start, start + length).every((b) => b === 0xee);
  assert.ok(untouched(8, 4), 'BODYCRC');
  assert.ok(untouched(20, 8), 'QUEUEOFFSET');
  assert.ok(untouched(28, 8), 'PHYSICALOFFSET');
  assert.ok(untouched(56, 8), 'STORETIMESTAMP');
  assert.equal(buf.readInt32BE(12), 3, 'QUEUEID written');
  assert.equal(buf.readBigInt64BE(40), 42n, 'BORNTIMESTAMP written');
});

test('a topic longer than 127 bytes uses the V2 magic with a 2-byte topic length', () => {
  const topic = 'x'.repeat(200);
  const msg: MessageToStore = { topic, queueId: 0, body: Buffer.alloc(0), bornTimestamp: 1 };
  const buf = Buffer.alloc(recordSize(msg, storeV4));
  encodeRecord(buf, 0, msg, storeV4);
  assert.equal(buf.readInt32BE(4), MESSAGE_MAGIC_CODE_V2);
  assert.equal(buf.length, 91 + 1 + 200);
  assert.equal(decodeRecord(buf).topic, topic);
});

test('oversize properties are refused by the encoder', () => {
  const msg: MessageToStore = { topic: 'T', queueId: 0, body: Buffer.alloc(0), properties: { big: 'x'.repeat(40_000) } };
  assert.throws(() => encodeRecord(Buffer.alloc(50_000), 0, msg, storeV4), { code: 'ERR_PROPERTIES_SIZE_EXCEEDED' });
});

test('forEachRecord walks records, skips blank filler and stops at unwritten space', () => {
  const a = fullMessage({ topic: 'A' });
  const b = fullMessage({ topic: 'B', properties: {} });
  const segment = Buffer.alloc(4096);
  let pos = encodeRecord(segment, 0, a, storeV4, { ...nativeFields, physicalOffset: 0 });
  segment.writeInt32BE(100, pos);
  segment.writeInt32BE(BLANK_MAGIC_CODE, pos + 4);
  pos += 100;
  const bStart = pos;
  pos += encodeRecord(segment, pos, b, storeV4, { ...nativeFields, physicalOffset: bStart });
  const seen: Array<[string, number]> = [];
  const end = forEachRecord(segment, (m, offset) => seen.push([m.topic, offset]));
  assert.deepEqual(seen, [['A', 0], ['B', bStart]]);
  assert.equal(end, pos);
  assert.deepEqual(decodeRecords(segment.subarray(bStart, pos)).map((m) => m.topic), ['B']);
  assert.deepEqual(decodeRecords(null), []);
});

test('corrupt records give ERR_RECORD_CORRUPT, not garbage', () => {
  const buf = Buffer.alloc(300);
  const size = encodeRecord(buf, 0, fullMessage(), storeV4);
  const badMagic = Buffer.from(buf);
  badMagic.writeInt32BE(0x11223344, 4);
  assert.throws(() => decodeRecord(badMagic), { code: 'ERR_RECORD_CORRUPT' });
  const badSize = Buffer.from(buf);
  badSize.writeInt32BE(size + 1000, 0);
  assert.throws(() => decodeRecord(badSize), { code: 'ERR_RECORD_CORRUPT' });
  const badBodyLength = Buffer.from(buf);
  badBodyLength.writeInt32BE(5000, 84);
  assert.throws(() => decodeRecord(badBodyLength), { code: 'ERR_RECORD_CORRUPT' });
  assert.throws(() => decodeRecord(buf.subarray(0, 50)), { code: 'ERR_RECORD_CORRUPT' });
});
