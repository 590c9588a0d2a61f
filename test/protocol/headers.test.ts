import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MqError } from '../../src/common';
import {
  GetRouteInfoRequestHeader,
  OffsetResponseHeader,
  PullMessageRequestHeader,
  PullMessageResponseHeader,
  QueryConsumerOffsetRequestHeader,
  QueryMessageRequestHeader,
  RegisterBrokerRequestHeader,
  RegisterBrokerResponseHeader,
  RequestCode,
  ResponseCode,
  SendMessageRequestHeaderV1,
  SendMessageRequestHeaderV2,
  SendMessageResponseHeader,
  UpdateConsumerOffsetRequestHeader,
  createRequest,
  decodeSendMessageRequestHeader,
  type SendMessageRequestHeader,
} from '../../src/protocol';
import { decodeCommand, encodeCommand } from '../../src/remoting';

const SEND: SendMessageRequestHeader = {
  producerGroup: 'PG', topic: 'T', defaultTopic: 'TBW102', defaultTopicQueueNums: 4, queueId: 1, sysFlag: 0,
  bornTimestamp: 1_700_000_000_123, flag: 0, properties: 'TAGS\u0001A\u0002', reconsumeTimes: 0, unitMode: false,
};

/** The fields a decoded header carries a value for (absent optional ones are present as undefined). */
function given(header: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(header).filter(([, value]) => value !== undefined));
}

function rejectsWith(fn: () => unknown, code: string, field: string): void {
  assert.throws(fn, (err: unknown) =>
    err instanceof MqError && err.code === code && err.responseCode === ResponseCode.SYSTEM_ERROR &&
    err.message.includes(`<${field}>`));
}

test('SendMessageRequestHeader: V1 long names and V2 letters carry the same header', () => {
  const v1 = SendMessageRequestHeaderV1.encode(SEND);
  assert.equal(v1['producerGroup'], 'PG');
  assert.equal(v1['bornTimestamp'], '1700000000123');
  const v2 = SendMessageRequestHeaderV2.encode(SEND);
  assert.deepEqual(v2, {
    a: 'PG', b: 'T', c: 'TBW102', d: '4', e: '1', f: '0', g: '1700000000123', h: '0',
    i: 'TAGS\u0001A\u0002', j: '0', k: 'false',
  });
  assert.deepEqual(given(decodeSendMessageRequestHeader(createRequest(RequestCode.SEND_MESSAGE_V2, v2))), SEND);
  assert.deepEqual(given(decodeSendMessageRequestHeader(createRequest(RequestCode.SEND_MESSAGE, v1))), SEND);
  // A batch code always means a batch, in V2 letters.
  assert.equal(decodeSendMessageRequestHeader(createRequest(RequestCode.SEND_BATCH_MESSAGE, v2)).batch, true);
});

test('ali-ons style V2 header with raw JSON numbers and booleans decodes through the codec', () => {
  const header = '{"code":310,"language":"JAVA","opaque":1,"flag":0,"version":121,"extFields":' +
    '{"a":"PG","b":"T","c":"TBW102","d":4,"e":2,"f":0,"g":1700000000000,"h":0,"i":"","j":0,"k":false,"l":17}}';
  const frame = Buffer.alloc(4 + header.length);
  frame.writeUInt32BE(header.length, 0);
  frame.write(header, 4);
  const decoded = decodeSendMessageRequestHeader(decodeCommand(frame));
  assert.equal(decoded.queueId, 2);
  assert.equal(decoded.bornTimestamp, 1_700_000_000_000);
  assert.equal(decoded.unitMode, false);
  assert.equal(decoded.maxReconsumeTimes, 17);
  assert.equal(decoded.properties, '');
});

test('missing mandatory fields fail with ERR_HEADER_FIELD_MISSING naming the field (SYSTEM_ERROR)', () => {
  const v2 = SendMessageRequestHeaderV2.encode(SEND);
  delete v2['b'];
  rejectsWith(() => SendMessageRequestHeaderV2.decode(v2), 'ERR_HEADER_FIELD_MISSING', 'b');
  rejectsWith(() => PullMessageRequestHeader.decode({ consumerGroup: 'G' }), 'ERR_HEADER_FIELD_MISSING', 'topic');
  rejectsWith(() => GetRouteInfoRequestHeader.decode({}), 'ERR_HEADER_FIELD_MISSING', 'topic');
  // Optional fields may be absent: present as undefined, so every header of a schema has one shape.
  const route = GetRouteInfoRequestHeader.decode({ topic: 'T' });
  assert.deepEqual(route, { topic: 'T', acceptStandardJsonOnly: undefined });
  assert.deepEqual(Object.keys(route), Object.keys(GetRouteInfoRequestHeader.schema));
});

test('malformed numbers fail with ERR_HEADER_FIELD_MALFORMED naming the field', () => {
  const base = { consumerGroup: 'G', topic: 'T', queueId: '0' };
  for (const bad of ['', 'x', '1.5', '1e3', '2147483648', ' 1']) {
    rejectsWith(() => QueryConsumerOffsetRequestHeader.decode({ ...base, queueId: bad }), 'ERR_HEADER_FIELD_MALFORMED', 'queueId');
  }
  for (const bad of ['', '0x10', '12345678901234567890123']) {
    rejectsWith(() => UpdateConsumerOffsetRequestHeader.decode({ ...base, commitOffset: bad }), 'ERR_HEADER_FIELD_MALFORMED', 'commitOffset');
  }
  assert.equal(QueryConsumerOffsetRequestHeader.decode({ ...base, queueId: '-2147483648' }).queueId, -2147483648);
  assert.equal(QueryConsumerOffsetRequestHeader.decode({ ...base, queueId: '+7' }).queueId, 7);
});

test('booleans parse like Boolean.parseBoolean; Long.MAX_VALUE sentinels keep their meaning', () => {
  const base = { consumerGroup: 'G', topic: 'T', queueId: '0' };
  assert.equal(QueryConsumerOffsetRequestHeader.decode({ ...base, setZeroIfNotFound: 'TRUE' }).setZeroIfNotFound, true);
  assert.equal(QueryConsumerOffsetRequestHeader.decode({ ...base, setZeroIfNotFound: 'yes' }).setZeroIfNotFound, false);
  const query = QueryMessageRequestHeader.decode({
    topic: 'T', key: 'k', maxNum: '32', beginTimestamp: '0', endTimestamp: '9223372036854775807', _UNIQUE_KEY_QUERY: 'true',
  });
  assert.equal(query.endTimestamp, Number.MAX_SAFE_INTEGER);
  assert.equal(query.isUniqueKeyQuery, true);
});

test('response headers encode to strings and round-trip', () => {
  const send = { msgId: '7F00000100002A9F0000000000000000', queueId: 1, queueOffset: 42, transactionId: 'U', msgRegion: 'DefaultRegion', traceOn: true };
  const ext = SendMessageResponseHeader.encode(send);
  assert.deepEqual(ext, {
    msgId: '7F00000100002A9F0000000000000000', queueId: '1', queueOffset: '42', transactionId: 'U',
    MSG_REGION: 'DefaultRegion', TRACE_ON: 'true',
  });
  assert.deepEqual(given(SendMessageResponseHeader.decode(ext)), send);
  const pull = { suggestWhichBrokerId: 0, nextBeginOffset: 10, minOffset: 0, maxOffset: 10 };
  assert.deepEqual(given(PullMessageResponseHeader.decode(PullMessageResponseHeader.encode(pull))), pull);
  assert.deepEqual(OffsetResponseHeader.encode({ offset: -1 }), { offset: '-1' });
  assert.deepEqual(RegisterBrokerResponseHeader.encode({ haServerAddr: 'h:1' }), { haServerAddr: 'h:1' });
});

test('headers survive a full frame round trip in both header forms', () => {
  const register = {
    brokerName: 'broker-a', brokerAddr: '127.0.0.1:10911', clusterName: 'DefaultCluster',
    haServerAddr: '127.0.0.1:10912', brokerId: 0, compressed: false, bodyCrc32: 0,
  };
  for (const type of [0, 1] as const) {
    const request = createRequest(RequestCode.REGISTER_BROKER, RegisterBrokerRequestHeader.encode(register));
    request.serializeTypeCurrentRPC = type;
    const decoded = decodeCommand(encodeCommand(request).subarray(4));
    assert.deepEqual(given(RegisterBrokerRequestHeader.decode(decoded.extFields)), register);
  }
});

test('encoding a header without a mandatory field is a programmer error (TypeError)', () => {
  assert.throws(() => OffsetResponseHeader.encode({} as never), TypeError);
});
