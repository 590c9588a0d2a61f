/**
 * Commands whose custom header writes itself (FastExtFields, here the broker's send response): the
 * binary frame is byte for byte the frame of the same fields as strings, the JSON form carries the
 * same fields, and reading or replacing `extFields` makes the command an ordinary one.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SendResponseFields, type SendResponseValues } from '../../src/broker/handlers/send-response';
import { createFastResponse, createResponse, SerializeType, type RemotingCommand } from '../../src/protocol';
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
