/**
 * Commands whose custom header writes itself (FastExtFields, here the broker's send response): the
 * binary frame is byte for byte the frame of the same fields as strings, the JSON form carries the
 * same fields, and reading or replacing `extFields` makes the command an ordinary one.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SendResponseFields, type SendResponseValues } from '../../src/broker/handlers/send-response';
import {
  PullMessageRequestHeader,
  PullMessageResponseHeader,
  RequestCode,
  SendMessageRequestHeaderV2,
  SerializeType,
  copyCommand,
  createFastRequest,
  createFastResponse,
  createRequest,
  createResponse,
  type RemotingCommand,
} from '../../src/protocol';
import { decodeCommand, encodeCommand } from '../../src/remoting/command-codec';
import { SeededRandom } from '../helpers/seeded-random';

function sendValues(random: SeededRandom): SendResponseValues {
  const isBatch = random.int(0, 3) === 0;
  return {
    msgIdPrefix: random.int(0, 1) === 0 ? '7F00000100002A9F' : 'FE800000000000000000000000000001000027D1',
    physicalOffset: [0, 9, 4095, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 12345, Number.MAX_SAFE_INTEGER][random.int(0, 6)]!,
    batchMsgIds: isBatch ? 'AAAA0000000000000001,AAAA0000000000000002' : undefined,
    queueId: random.int(0, 1023),
    queueOffset: [0, 7, 10, 99, 100, 123456789, 2 ** 53 - 1][random.int(0, 6)]!,
    region: random.int(0, 1) === 0 ? 'DefaultRegion' : 'r\u00e9gion',
    traceOn: random.int(0, 1) === 0,
    transactionId: random.int(0, 1) === 0 ? undefined : 'AC110002000018B4AAC2' + String(random.int(0, 99999)).padStart(12, '0'),
  };
}

function asBinary(command: RemotingCommand): RemotingCommand {
  command.opaque = 77;
  command.serializeTypeCurrentRPC = SerializeType.ROCKETMQ;
  return command;
}

test('fast send-response fields: the same binary frame as their fields as strings, for ids, offsets and optional fields', () => {
  const random = new SeededRandom(20261121);
  for (let i = 0; i < 500; i++) {
    const values = sendValues(random);
    const fields = new SendResponseFields(values);
    const fast = asBinary(createFastResponse(0, undefined, fields));
    const plain = asBinary(createResponse(0, undefined, fields.toExtFields()));
    assert.deepEqual(encodeCommand(fast), encodeCommand(plain), JSON.stringify(values));
    const decoded = decodeCommand(encodeCommand(fast).subarray(4));
    assert.deepEqual(decoded.extFields, fields.toExtFields());
    if (values.batchMsgIds === undefined) assert.match(decoded.extFields['msgId'] ?? '', /^([0-9A-F]{32}|[0-9A-F]{56})$/);
  }
});

test('fast send-response fields: the JSON form carries the same fields', () => {
  const fields = new SendResponseFields(sendValues(new SeededRandom(7)));
  const fast = createFastResponse(0, 'ok', fields);
  fast.opaque = 5;
  const decoded = decodeCommand(encodeCommand(fast).subarray(4));
  assert.equal(decoded.serializeTypeCurrentRPC, SerializeType.JSON);
  assert.deepEqual(decoded.extFields, fields.toExtFields());
  assert.equal(decoded.remark, 'ok');
});

test('a fast response read or changed through extFields is encoded as changed', () => {
  const fields = new SendResponseFields(sendValues(new SeededRandom(11)));
  const edited = asBinary(createFastResponse(0, undefined, fields));
  edited.extFields['queueId'] = '999';
  assert.equal(edited.fastExtFields, undefined, 'reading extFields turns the command into an ordinary one');
  assert.equal(decodeCommand(encodeCommand(edited).subarray(4)).extFields['queueId'], '999');

  const replaced = asBinary(createFastResponse(0, undefined, fields));
  replaced.extFields = { only: 'this' };
  assert.deepEqual(decodeCommand(encodeCommand(replaced).subarray(4)).extFields, { only: 'this' });
  assert.deepEqual(JSON.parse(JSON.stringify(replaced)).extFields, { only: 'this' });
});

test('schema fields (HeaderCodec.fields): the same binary frame as the encoded header, negatives, sentinels and booleans included', () => {
  const random = new SeededRandom(99);
  const numbers = [0, 1, 9, 10, 255, -1, -2147483648, 2147483647, 2 ** 40, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
  const n = (): number => numbers[random.int(0, numbers.length - 1)]!;
  for (let i = 0; i < 300; i++) {
    const pull = {
      consumerGroup: 'CG', topic: random.int(0, 1) === 0 ? 'T' : 'caf\u00e9', queueId: n(), queueOffset: n(), maxMsgNums: n(), sysFlag: n(),
      commitOffset: n(), suspendTimeoutMillis: n(), subVersion: n(),
      ...(random.int(0, 1) === 0 ? { subscription: 'TagA || TagB', expressionType: 'TAG' } : {}),
    };
    const send = {
      producerGroup: 'PG', topic: 'T', defaultTopic: 'TBW102', defaultTopicQueueNums: 4, queueId: n(), sysFlag: n(), bornTimestamp: n(), flag: n(),
      properties: 'WAIT\u0001true\u0002', reconsumeTimes: n(), unitMode: random.int(0, 1) === 0, batch: random.int(0, 1) === 0,
    };
    const answer = { suggestWhichBrokerId: n(), nextBeginOffset: n(), minOffset: n(), maxOffset: n() };
    const cases: Array<[RemotingCommand, Record<string, string>]> = [
      [createFastRequest(RequestCode.PULL_MESSAGE, PullMessageRequestHeader.fields(pull)), PullMessageRequestHeader.encode(pull)],
      [createFastRequest(RequestCode.SEND_MESSAGE_V2, SendMessageRequestHeaderV2.fields(send), Buffer.from('body')), SendMessageRequestHeaderV2.encode(send)],
      [createFastResponse(0, undefined, PullMessageResponseHeader.fields(answer), Buffer.from('records')), PullMessageResponseHeader.encode(answer)],
    ];
    for (const [fast, extFields] of cases) {
      const plain: RemotingCommand = { code: fast.code, language: fast.language, version: fast.version, opaque: 0, flag: fast.flag, remark: undefined, extFields, body: fast.body, serializeTypeCurrentRPC: SerializeType.ROCKETMQ };
      assert.notEqual(fast.fastExtFields, undefined);
      assert.deepEqual(encodeCommand(asBinary(fast)), encodeCommand(asBinary(plain)), JSON.stringify(extFields));
    }
  }
});

test('copyCommand gives a plain command with the deferred fields of a decoded binary header', () => {
  const request = asBinary(createRequest(RequestCode.PULL_MESSAGE, { topic: 'T', queueId: '2' }, Buffer.from('x')));
  const decoded = decodeCommand(encodeCommand(request).subarray(4));
  const copy = copyCommand(decoded);
  assert.equal(Object.getPrototypeOf(copy), Object.prototype);
  assert.deepEqual(copy.extFields, { topic: 'T', queueId: '2' });
  assert.deepEqual(encodeCommand(copy), encodeCommand(request));
});
