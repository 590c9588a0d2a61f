/**
 * RocketMQ's trace text format: records written field by field in the documented order (as the
 * Java client's TraceDataEncoder lays them out) decode; ours round-trip; older and newer record
 * lengths are read; the trace message's keys; a message's life from its records.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CONTENT_SPLITOR as C,
  FIELD_SPLITOR as F,
  decodeTraceData,
  encodeTraceRecord,
  messageLife,
  traceKeys,
  type PubRecord,
  type SubAfterRecord,
  type SubBeforeRecord,
  type TraceRecord,
} from '../../src/client/trace';

const MSG_ID = '7F0000010B6818B4AAC2740C7F930000';
const OFFSET_ID = '7F00000100002A9F0000000000000C1A';

/** Pub as RocketMQ 4.9 writes it: 14 fields. */
const JAVA_PUB = ['Pub', '1700000000000', 'DefaultRegion', 'OrderProducers', 'Orders', MSG_ID, 'TagA', 'order-1 order-2',
  '10.0.0.5:10911', '1024', '3', '0', OFFSET_ID, 'true'].join(C) + F;
const JAVA_SUB_BEFORE = ['SubBefore', '1700000000100', 'DefaultRegion', 'OrderConsumers', 'REQ1', MSG_ID, '0', 'order-1 order-2'].join(C) + F;
/** SubAfter as RocketMQ 5 writes it: 9 fields (contextCode, timestamp, group at the end). */
const JAVA_SUB_AFTER = ['SubAfter', 'REQ1', MSG_ID, '12', 'true', 'order-1 order-2', '0', '1700000000112', 'OrderConsumers'].join(C) + F;

test('records laid out in the documented RocketMQ field order decode field by field', () => {
  const { records, skipped } = decodeTraceData(JAVA_PUB + JAVA_SUB_BEFORE + JAVA_SUB_AFTER);
  assert.equal(skipped, 0);
  assert.deepEqual(records, [
    {
      type: 'Pub', timestamp: 1700000000000, regionId: 'DefaultRegion', groupName: 'OrderProducers', topic: 'Orders', msgId: MSG_ID,
      tags: 'TagA', keys: 'order-1 order-2', storeHost: '10.0.0.5:10911', bodyLength: 1024, costTime: 3, msgType: 'Normal_Msg',
      offsetMsgId: OFFSET_ID, success: true,
    },
    { type: 'SubBefore', timestamp: 1700000000100, regionId: 'DefaultRegion', groupName: 'OrderConsumers', requestId: 'REQ1', msgId: MSG_ID, retryTimes: 0, keys: 'order-1 order-2' },
    {
      type: 'SubAfter', requestId: 'REQ1', msgId: MSG_ID, costTime: 12, success: true, keys: 'order-1 order-2', contextCode: 0,
      timestamp: 1700000000112, groupName: 'OrderConsumers',
    },
  ]);
});

test('older and newer record lengths are read: 13/15-field Pub, 6/7-field SubAfter, EndTransaction', () => {
  const oldPub = ['Pub', '1', 'R', 'G', 'T', 'M', '', '', 'h:1', '5', '2', '3', 'false'].join(C) + F;
  const newPub = ['Pub', '1', 'R', 'G', 'T', 'M', 'tag', 'k', 'h:1', '5', '2', '4', 'OFF', 'true', '10.1.1.1'].join(C) + F;
  const oldAfter = ['SubAfter', 'Q', 'M', '7', 'false', 'k'].join(C) + F;
  const midAfter = ['SubAfter', 'Q', 'M', '7', 'false', 'k', '4'].join(C) + F;
  const endTx = ['EndTransaction', '9', 'R', 'G', 'T', 'M', 'tag', 'k', 'h:1', '1', 'TX1', 'COMMIT_MESSAGE', 'true'].join(C) + F;
  const { records, skipped } = decodeTraceData(oldPub + newPub + oldAfter + midAfter + endTx);
  assert.equal(skipped, 0);
  const [a, b, c, d, e] = records as [PubRecord, PubRecord, SubAfterRecord, SubAfterRecord, TraceRecord];
  assert.equal(a.msgType, 'Delay_Msg');
  assert.equal(a.offsetMsgId, '');
  assert.equal(a.success, false);
  assert.equal(b.msgType, 'Order_Msg');
  assert.equal(b.clientHost, '10.1.1.1');
  assert.equal(c.contextCode, undefined);
  assert.equal(d.contextCode, 4);
  assert.deepEqual(e, {
    type: 'EndTransaction', timestamp: 9, regionId: 'R', groupName: 'G', topic: 'T', msgId: 'M', tags: 'tag', keys: 'k', storeHost: 'h:1',
    msgType: 'Trans_Msg_Half', transactionId: 'TX1', transactionState: 'COMMIT_MESSAGE', fromTransactionCheck: true,
  });
});

test('unknown types and unreadable numbers are skipped and counted, the rest still decodes', () => {
  const broken = ['Pub', 'not-a-time', 'R', 'G', 'T', 'M', '', '', 'h', '1', '1', '0', 'O', 'true'].join(C) + F;
  const unknown = ['Recall', '1', 'x'].join(C) + F;
  const short = ['SubBefore', '1', 'R'].join(C) + F;
  const { records, skipped } = decodeTraceData(broken + unknown + short + JAVA_SUB_BEFORE);
  assert.equal(skipped, 3);
  assert.equal(records.length, 1);
  assert.equal(records[0]!.type, 'SubBefore');
});

test('our records are exactly the documented layout and round-trip; separators inside values cannot shift fields', () => {
  const pub = decodeTraceData(JAVA_PUB).records[0]!;
  assert.equal(encodeTraceRecord(pub), JAVA_PUB);
  const after = decodeTraceData(JAVA_SUB_AFTER).records[0]!;
  assert.equal(encodeTraceRecord(after), JAVA_SUB_AFTER);
  const before: SubBeforeRecord = {
    type: 'SubBefore', timestamp: 5, regionId: 'R', groupName: 'G', requestId: 'Q', msgId: 'M', retryTimes: 2, keys: `a${C}b${F}c`,
  };
  const decoded = decodeTraceData(encodeTraceRecord(before)).records;
  assert.deepEqual(decoded, [{ ...before, keys: 'a b c' }]);
});

test('trace keys: every traced id and business key once, so a key query finds the records', () => {
  const { records } = decodeTraceData(JAVA_PUB + JAVA_SUB_BEFORE + JAVA_SUB_AFTER);
  assert.deepEqual(traceKeys(records), [MSG_ID, 'order-1', 'order-2']);
});

test('messageLife: the send, then per group each attempt paired with its result by request id', () => {
  const retryBefore = ['SubBefore', '1700000000500', 'DefaultRegion', 'OrderConsumers', 'REQ2', MSG_ID, '1', ''].join(C) + F;
  const retryAfter = ['SubAfter', 'REQ2', MSG_ID, '4', 'true', '', '0', '1700000000504', 'OrderConsumers'].join(C) + F;
  const failedAfter = JAVA_SUB_AFTER.replace(`${C}true${C}`, `${C}false${C}`).replace(`${C}0${C}1700000000112`, `${C}4${C}1700000000112`);
  const otherGroup = ['SubBefore', '1700000000200', 'DefaultRegion', 'Audit', 'REQ3', MSG_ID, '0', ''].join(C) + F;
  const otherMessage = JAVA_PUB.replace(MSG_ID, 'FFFF').replace(OFFSET_ID, 'EEEE');
  const { records } = decodeTraceData(JAVA_PUB + JAVA_PUB + otherMessage + JAVA_SUB_BEFORE + failedAfter + retryBefore + retryAfter + otherGroup);
  const life = messageLife(MSG_ID, records);
  assert.equal(life.published.length, 1, 'the same Pub record twice counts once');
  assert.equal(life.published[0]!.groupName, 'OrderProducers');
  assert.deepEqual(life.consumption.map((g) => [g.group, g.consumed, g.attempts.length]), [['Audit', false, 1], ['OrderConsumers', true, 2]]);
  const attempts = life.consumption[1]!.attempts;
  assert.deepEqual(attempts.map((a) => [a.retryTimes, a.success, a.result, a.costMs]), [[0, false, 'FAILED', 12], [1, true, 'SUCCESS', 4]]);
  assert.equal(life.consumption[0]!.attempts[0]!.success, undefined, 'no SubAfter yet');
  assert.equal(messageLife(OFFSET_ID, records).published.length, 1, 'a Pub record is also found by its offset id');
});
