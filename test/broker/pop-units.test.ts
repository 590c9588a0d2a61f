/** Receipt handles and offset-info headers in RocketMQ's ExtraInfoUtil formats; revive records. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkpointMessage, parseReviveRecord, ackMessage } from '../../src/broker/pop/pop-records';
import { buildBatchAckBody, decodeBitSet, encodeBitSet, parseBatchAckBody } from '../../src/protocol/headers/pop-batch-ack';
import { decodeRecord, encodeRecord, recordSize, type MessageToStore } from '../../src/message';
import {
  buildMsgOffsetInfo, buildReceiptHandle, buildStartOffsetInfo, parseReceiptHandle, parseStartOffsetInfo, realTopicOf, retryTypeOf,
} from '../../src/protocol/headers/pop-extra-info';

test('receipt handle: build and parse are inverse; malformed ones are ERR_INVALID_PARAMETER', () => {
  const h = { ckQueueOffset: 5, popTime: 1_700_000_000_123, invisibleTime: 30_000, reviveQid: 3, retryType: '1', brokerName: 'broker-a', queueId: 2, msgQueueOffset: 7 };
  const text = buildReceiptHandle(h);
  assert.equal(text, '5 1700000000123 30000 3 1 broker-a 2 7');
  assert.deepEqual(parseReceiptHandle(text), h);
  assert.deepEqual(parseReceiptHandle(`${text} `), h, 'trailing empty fields are dropped, as Java split does');
  for (const bad of ['', '1 2 3', '5 x 30000 3 1 b 2 7', '5 1 30000 3 9 b 2 7', '5 1 30000 3 1 b 2 99999999999999999']) {
    assert.throws(() => parseReceiptHandle(bad), (err: Error & { code?: string }) => err.code === 'ERR_INVALID_PARAMETER', bad);
  }
});

test('retry types and real topics follow KeyBuilder: v1 %RETRY%<group>_<topic>, v2 with +', () => {
  assert.equal(retryTypeOf('Orders'), '0');
  assert.equal(retryTypeOf('%RETRY%G_Orders'), '1');
  assert.equal(retryTypeOf('%RETRY%G+Orders'), '2');
  assert.equal(realTopicOf('0', 'G', 'Orders'), 'Orders');
  assert.equal(realTopicOf('1', 'G', 'Orders'), '%RETRY%G_Orders');
  assert.equal(realTopicOf('2', 'G', 'Orders'), '%RETRY%G+Orders');
});

test('startOffsetInfo and msgOffsetInfo: ";"-joined "<retry> <queueId> <offsets>"', () => {
  const queues = [{ retryType: '0', queueId: 1, startOffset: 10, offsets: [10, 12] }, { retryType: '1', queueId: 0, startOffset: 3, offsets: [3] }];
  assert.equal(buildStartOffsetInfo(queues), '0 1 10;1 0 3');
  assert.equal(buildMsgOffsetInfo(queues), '0 1 10,12;1 0 3');
  assert.deepEqual([...parseStartOffsetInfo('0 1 10;1 0 3')], [['0@1', 10], ['1@0', 3]]);
  assert.throws(() => parseStartOffsetInfo('0 1'), (err: Error & { code?: string }) => err.code === 'ERR_INVALID_PARAMETER');
});

test('checkpoint and ack records read back from stored records; junk is "unknown"', () => {
  const host = { address: '127.0.0.1', port: 10911 };
  const stored = (m: MessageToStore) => {
    const buf = Buffer.alloc(recordSize(m, host));
    encodeRecord(buf, 0, m, host, { bodyCRC: 0, queueOffset: 4, physicalOffset: 0, storeTimestamp: 1 });
    return decodeRecord(buf);
  };
  const ck = { group: 'G', topic: 'T', queueId: 1, startOffset: 10, popTime: 99, invisibleTime: 500, reviveQid: 2, offsets: [10, 13], brokerName: 'b' };
  assert.deepEqual(parseReviveRecord(stored(checkpointMessage(ck, 'rmq_sys_REVIVE_LOG_C', host)), 2), { kind: 'ck', ck });
  const ack = { group: 'G', topic: 'T', queueId: 1, startOffset: 10, popTime: 99, ackOffsets: [13], brokerName: 'b' };
  assert.deepEqual(parseReviveRecord(stored(ackMessage(ack, 'rmq_sys_REVIVE_LOG_C', 2, host)), 2), { kind: 'ack', ack });
  const batch = { ...ack, ackOffsets: [10, 13] };
  assert.deepEqual(parseReviveRecord(stored(ackMessage(batch, 'rmq_sys_REVIVE_LOG_C', 2, host)), 2), { kind: 'ack', ack: batch });
  assert.deepEqual(parseReviveRecord(stored({ topic: 'x', queueId: 0, body: Buffer.from('{'), properties: { TAGS: 'ck' } }), 0), { kind: 'unknown' });
});

test('batch ack body: java.util.BitSet as base64 of its little-endian bytes, one entry per checkpoint', () => {
  assert.equal(encodeBitSet([0, 9]), 'AQI=');
  assert.deepEqual(decodeBitSet('AQI='), [0, 9]);
  const handles = ['10 99 500 2 0 b 1 10', '10 99 500 2 0 b 1 13', '4 99 500 2 1 b 0 6'];
  const acks = parseBatchAckBody(buildBatchAckBody('b', 'G', 'T', handles));
  assert.deepEqual(acks, [
    { group: 'G', topic: 'T', retryType: '0', startOffset: 10, queueId: 1, reviveQid: 2, popTime: 99, invisibleTime: 500, offsets: [10, 13] },
    { group: 'G', topic: 'T', retryType: '1', startOffset: 4, queueId: 0, reviveQid: 2, popTime: 99, invisibleTime: 500, offsets: [6] },
  ]);
  assert.throws(() => parseBatchAckBody(Buffer.from('nope')), (err: Error & { code?: string }) => err.code === 'ERR_INVALID_PARAMETER');
  assert.throws(() => parseBatchAckBody(Buffer.from('{"acks":{}}')), (err: Error & { code?: string }) => err.code === 'ERR_INVALID_PARAMETER');
});
