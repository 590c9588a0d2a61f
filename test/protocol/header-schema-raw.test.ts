/**
 * Header schemas decoding straight from a binary header's bytes (HeaderCodec.decodeFrom on a
 * command whose extFields were never read) against the Record decoder on the same fields: the same
 * object (values, property order) or the same error, for random headers full of edge cases.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MqError } from '../../src/common/mq-error';
import {
  PullMessageRequestHeader,
  RequestCode,
  SendMessageRequestHeaderV2,
  SendMessageResponseHeader,
  SerializeType,
  createRequest,
  type RemotingCommand,
} from '../../src/protocol';
import { decodeCommand, encodeCommand } from '../../src/remoting/command-codec';
import { SeededRandom } from '../helpers/seeded-random';

const NUMBERS = ['0', '7', '007', '-1', '+5', '2147483647', '2147483648', '-2147483648', '999999999999999', '1000000000000000',
  '9007199254740993', '9223372036854775807', '-9223372036854775808', '99999999999999999999', '', ' 1', '1e3', '0x10', '١٢', 'abc'];
const BOOLEANS = ['true', 'TRUE', 'True', 'false', 'yes', '1', '', 'tru\u00e9', 'trueish'];
const STRINGS = ['', 'PG', 'TopicTest', 'caf\u00e9', '%RETRY%group', 'x'.repeat(40), 'UNIQ_KEY\u0001ABC\u0002WAIT\u0001true\u0002'];

function pick<T>(random: SeededRandom, values: readonly T[]): T {
  return values[random.int(0, values.length - 1)]!;
}

/** Random extFields for the V2 send header's letters, with absent, repeated and unknown keys. */
function randomSendFields(random: SeededRandom): Array<[string, string]> {
  const fields: Array<[string, string]> = [];
  const letters = 'abcdefghijklmn';
  for (const key of letters) {
    if (random.int(0, 9) === 0) continue;
    const value = 'abcin'.includes(key) ? pick(random, STRINGS) : 'km'.includes(key) ? pick(random, BOOLEANS) : random.int(0, 2) === 0 ? pick(random, NUMBERS) : String(random.int(0, 1 << 30));
    fields.push([key, value]);
  }
  if (random.int(0, 4) === 0) fields.push(['zz', 'unknown']);
  if (random.int(0, 4) === 0) fields.push(['e', pick(random, NUMBERS)]); // repeated: the last one counts
  return fields;
}

/** A binary frame of `fields` in that order, decoded again: its extFields are still bytes. */
function binaryCommand(fields: Array<[string, string]>): RemotingCommand {
  const request = createRequest(RequestCode.SEND_MESSAGE_V2, Object.fromEntries(fields));
  request.serializeTypeCurrentRPC = SerializeType.ROCKETMQ;
  // Object.fromEntries keeps the last of a repeated key; write the repeats as they are instead.
  const frame = encodeCommand(request);
  const repeated = fields.length !== Object.keys(request.extFields).length ? withRepeats(frame, fields) : frame;
  const command = decodeCommand(repeated.subarray(4));
  assert.notEqual(command.rawExtFields, undefined);
  return command;
}

/** The frame with its extFields replaced by `fields` entry by entry (repeats included). */
function withRepeats(frame: Buffer, fields: ReadonlyArray<readonly [string, string | Buffer]>): Buffer {
  const headerLength = frame.readUInt32BE(4) & 0xffffff;
  const header = frame.subarray(8, 8 + headerLength);
  const remarkLength = header.readInt32BE(13);
  const fixed = header.subarray(0, 17 + remarkLength);
  const entries = Buffer.concat(fields.map(([k, v]) => {
    const key = Buffer.from(k, 'utf8');
    const value = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
    const out = Buffer.alloc(6 + key.length + value.length);
    out.writeUInt16BE(key.length, 0);
    key.copy(out, 2);
    out.writeInt32BE(value.length, 2 + key.length);
    value.copy(out, 6 + key.length);
    return out;
  }));
  const extLength = Buffer.alloc(4);
  extLength.writeInt32BE(entries.length, 0);
  const newHeader = Buffer.concat([fixed, extLength, entries]);
  const start = Buffer.alloc(8);
  start.writeInt32BE(4 + newHeader.length, 0);
  start.writeUInt32BE(((SerializeType.ROCKETMQ << 24) | newHeader.length) >>> 0, 4);
  return Buffer.concat([start, newHeader]);
}

function outcome(decode: () => unknown): unknown {
  try {
    const value = decode();
    return { value, order: Object.keys(value as object) };
  } catch (err) {
    assert.ok(err instanceof MqError, String(err));
    return { code: err.code, message: err.message };
  }
}

test('decodeFrom on binary bytes: the same header or the same error as decoding the Record, over random send headers', () => {
  const random = new SeededRandom(31337);
  let decoded = 0;
  for (let i = 0; i < 3000; i++) {
    const fields = randomSendFields(random);
    const fromBytes = outcome(() => SendMessageRequestHeaderV2.decodeFrom(binaryCommand(fields)));
    const fromRecord = outcome(() => SendMessageRequestHeaderV2.decode(binaryCommand(fields).extFields));
    assert.deepEqual(fromBytes, fromRecord, JSON.stringify(fields));
    if ((fromBytes as { value?: unknown }).value !== undefined) decoded++;
  }
  assert.ok(decoded > 100, `only ${decoded} of the random headers decoded: the cases do not exercise the success path`);
});

test('decodeFrom on binary bytes: keys sharing first bytes and lengths (the pull header) resolve to their own fields', () => {
  const random = new SeededRandom(4242);
  let decoded = 0;
  const keys = ['consumerGroup', 'topic', 'queueId', 'queueOffset', 'maxMsgNums', 'sysFlag', 'commitOffset', 'suspendTimeoutMillis', 'subscription', 'subVersion', 'expressionType', 'queue', 'queueIds', 's', ''];
  for (let i = 0; i < 1000; i++) {
    const fields: Array<[string, string]> = [];
    for (const key of keys) {
      if (random.int(0, 5) === 0) continue;
      fields.push([key, key === 'consumerGroup' || key === 'topic' || key === 'subscription' || key === 'expressionType' ? pick(random, STRINGS) : random.int(0, 3) === 0 ? pick(random, NUMBERS) : String(random.int(0, 1 << 20))]);
    }
    const fromBytes = outcome(() => PullMessageRequestHeader.decodeFrom(binaryCommand(fields)));
    const fromRecord = outcome(() => PullMessageRequestHeader.decode(binaryCommand(fields).extFields));
    assert.deepEqual(fromBytes, fromRecord, JSON.stringify(fields));
    if ((fromBytes as { value?: unknown }).value !== undefined) decoded++;
  }
  assert.ok(decoded > 20, `only ${decoded} of the random pull headers decoded`);
});

test('decodeFrom: a send response read from bytes, and fields changed through extFields win over the bytes', () => {
  const fields: Array<[string, string]> = [['msgId', '7F00000100002A9F0000000000012C00'], ['queueId', '3'], ['queueOffset', '123456789012'], ['MSG_REGION', 'DefaultRegion'], ['TRACE_ON', 'true']];
  assert.deepEqual(SendMessageResponseHeader.decodeFrom(binaryCommand(fields)), {
    msgId: '7F00000100002A9F0000000000012C00', queueId: 3, queueOffset: 123456789012, transactionId: undefined, batchUniqId: undefined,
    msgRegion: 'DefaultRegion', traceOn: true,
  });
  const edited = binaryCommand(fields);
  edited.extFields['queueId'] = '5';
  assert.equal(edited.rawExtFields, undefined);
  assert.equal(SendMessageResponseHeader.decodeFrom(edited).queueId, 5);
});

test('decodeFrom reuses a field\'s previous string only when the bytes spell it in ASCII', () => {
  const base: Array<[string, string]> = [['a', 'PG'], ['c', 'TBW102'], ['d', '4'], ['e', '0'], ['f', '0'], ['g', '1'], ['h', '0']];
  const topicOf = (topic: string | Buffer): string => {
    const frame = encodeCommand({ ...createRequest(RequestCode.SEND_MESSAGE_V2, {}), serializeTypeCurrentRPC: SerializeType.ROCKETMQ });
    return SendMessageRequestHeaderV2.decodeFrom(decodeCommand(withRepeats(frame, [...base, ['b', topic]]).subarray(4))).topic;
  };
  for (const topic of ['T1', 'T1', 'T2', 'T1', 'caf\u00e9', 'caf\u00e9', 'TopicA', 'TopicB']) assert.equal(topicOf(topic), topic);
  // After "café" (4 characters), the 4 bytes "caf" + 0xE9 are not that string but invalid UTF-8.
  assert.equal(topicOf('caf\u00e9'), 'caf\u00e9');
  assert.equal(topicOf(Buffer.from([0x63, 0x61, 0x66, 0xe9])), 'caf\ufffd');
});

test('a binary header with a malformed extFields entry is refused when decoded, not when read later', () => {
  const frame = encodeCommand({ ...createRequest(RequestCode.SEND_MESSAGE_V2, { a: 'PG' }), serializeTypeCurrentRPC: SerializeType.ROCKETMQ });
  const broken = Buffer.from(frame);
  // The value length of the only entry (after code..flag, remark length, ext length, key length, key).
  broken.writeInt32BE(1000, 8 + 17 + 4 + 2 + 1);
  assert.throws(() => decodeCommand(broken.subarray(4)), (err: unknown) => err instanceof MqError && err.code === 'ERR_HEADER_MALFORMED');
});
