import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MqError } from '../../src/common';
import {
  RequestCode,
  copyCommand,
  ResponseCode,
  SerializeType,
  createRequest,
  createResponseFor,
  type RemotingCommand,
} from '../../src/protocol';
import { FrameDecoder, decodeCommand, encodeCommand } from '../../src/remoting';
import { SeededRandom, testSeed } from '../helpers/seeded-random';
import { FEEDINGS, decodeAll } from './frame-feeding';

/** A SEND_MESSAGE_V2 request as a Java client writes it: alphabetical keys, string extFields. */
const SEND_V2_HEADER =
  '{"code":310,"extFields":{"a":"PG","b":"T","c":"TBW102","d":"4","e":"0","f":"0","g":"1700000000000","h":"0",' +
  '"i":"TAGS\\u0001A\\u0002","j":"0","k":"false"},"flag":0,"language":"JAVA","opaque":7,' +
  '"serializeTypeCurrentRPC":"JSON","version":479}';
/** Length field 0xf6 = 4 + 237-byte header + 5-byte body; header-length word 0x000000ed (JSON). */
const SEND_V2_FRAME = Buffer.concat([
  Buffer.from('000000f6000000ed', 'hex'),
  Buffer.from(SEND_V2_HEADER, 'latin1'),
  Buffer.from('hello'),
]);

function sendV2Request(): RemotingCommand {
  const request = createRequest(RequestCode.SEND_MESSAGE_V2, {
    a: 'PG', b: 'T', c: 'TBW102', d: '4', e: '0', f: '0', g: '1700000000000', h: '0',
    i: 'TAGS\u0001A\u0002', j: '0', k: 'false',
  }, Buffer.from('hello'));
  request.opaque = 7;
  return request;
}

/** A send response with extFields, as the reference shows Java's (version 479) answer. */
const RESPONSE_HEADER =
  '{"code":0,"extFields":{"msgId":"7F00000100002A9F0000000000000000","queueId":"1","queueOffset":"0"},' +
  '"flag":1,"language":"JAVA","opaque":27,"serializeTypeCurrentRPC":"JSON","version":479}';
const RESPONSE_FRAME = Buffer.concat([Buffer.from('000000bd000000b9', 'hex'), Buffer.from(RESPONSE_HEADER, 'latin1')]);

/** ROCKETMQ binary header: code 11, JAVA, version 479, opaque 5, flag 0, no remark, {k: v}. */
const BINARY_FRAME = Buffer.from(
  '00000021' + '0100001d' + '000b' + '00' + '01df' + '00000005' + '00000000' + '00000000' +
    '00000008' + '0001' + '6b' + '00000001' + '76',
  'hex',
);

test('golden: SEND_MESSAGE_V2 request encodes to the hand-built bytes and decodes back', () => {
  assert.equal(Buffer.byteLength(SEND_V2_HEADER), 0xed);
  assert.deepEqual(encodeCommand(sendV2Request()), SEND_V2_FRAME);
  for (const feeding of FEEDINGS) {
    for (const chunks of feeding.chunks(SEND_V2_FRAME)) {
      const [frame, ...rest] = decodeAll(chunks);
      assert.equal(rest.length, 0);
      const decoded = decodeCommand(frame!);
      assert.deepEqual(decoded, { ...sendV2Request(), body: Buffer.from('hello') });
    }
  }
});

test('golden: a response with extFields encodes to the hand-built bytes', () => {
  const request = createRequest(RequestCode.SEND_MESSAGE_V2);
  request.opaque = 27;
  const response = createResponseFor(request, ResponseCode.SUCCESS, undefined, {
    msgId: '7F00000100002A9F0000000000000000', queueId: '1', queueOffset: '0',
  });
  assert.deepEqual(encodeCommand(response), RESPONSE_FRAME);
  const decoded = decodeCommand(RESPONSE_FRAME.subarray(4));
  assert.equal(decoded.flag, 1);
  assert.equal(decoded.opaque, 27);
  assert.deepEqual(decoded.extFields, { msgId: '7F00000100002A9F0000000000000000', queueId: '1', queueOffset: '0' });
  assert.equal(decoded.body, undefined);
});

test('golden: ROCKETMQ binary header decodes and re-encodes byte for byte', () => {
  const decoded = decodeCommand(BINARY_FRAME.subarray(4));
  assert.equal(decoded.code, 11);
  assert.equal(decoded.language, 'JAVA');
  assert.equal(decoded.version, 479);
  assert.equal(decoded.opaque, 5);
  assert.equal(decoded.remark, undefined);
  assert.deepEqual(decoded.extFields, { k: 'v' });
  assert.equal(decoded.serializeTypeCurrentRPC, SerializeType.ROCKETMQ);
  assert.deepEqual(encodeCommand(decoded), BINARY_FRAME);
});

test('JSON and binary forms round-trip every field, remark and body included', () => {
  for (const type of [SerializeType.JSON, SerializeType.ROCKETMQ]) {
    const command: RemotingCommand = {
      code: 105, language: 'GO', version: 401, opaque: 0x7fffffff, flag: 2,
      remark: 'ünïcode "quoted" \\ \n remark', extFields: { topic: 'T', 'k\u00e9y': 'v\u0001\u0002', empty: '' },
      body: Buffer.from([0, 1, 2, 255]), serializeTypeCurrentRPC: type,
    };
    const frames = decodeAll([encodeCommand(command)]);
    assert.equal(frames.length, 1);
    // A binary-decoded command defers its extFields behind a getter: compare its fields.
    assert.deepEqual(copyCommand(decodeCommand(frames[0]!)), command);
  }
});

test('extFields of any JSON scalar type are read as strings (ali-ons sends numbers and booleans)', () => {
  const header = '{"code":11,"language":"JAVA","opaque":3,"flag":0,"version":121,' +
    '"extFields":{"queueId":0,"k":false,"commitOffset":-1,"subscription":"*","n":null,"o":{"x":1}}}';
  const frame = Buffer.alloc(4 + Buffer.byteLength(header));
  frame.writeUInt32BE(Buffer.byteLength(header), 0);
  frame.write(header, 4);
  const command = decodeCommand(frame);
  assert.deepEqual(command.extFields, { queueId: '0', k: 'false', commitOffset: '-1', subscription: '*', o: '{"x":1}' });
  assert.equal(command.version, 121);
  assert.equal(command.remark, undefined);
});

function jsonFrame(header: string): Buffer {
  const frame = Buffer.alloc(4 + Buffer.byteLength(header));
  frame.writeUInt32BE(Buffer.byteLength(header), 0);
  frame.write(header, 4);
  return frame;
}

test('malformed headers fail with ERR_HEADER_MALFORMED or ERR_FRAME_MALFORMED', () => {
  const cases: Array<[Buffer, string]> = [
    [jsonFrame('{"code":'), 'ERR_HEADER_MALFORMED'],
    [jsonFrame('[1,2]'), 'ERR_HEADER_MALFORMED'],
    [jsonFrame('{"opaque":1}'), 'ERR_HEADER_MALFORMED'],
    [jsonFrame('{"code":1.5}'), 'ERR_HEADER_MALFORMED'],
    [jsonFrame('{"code":1,"extFields":"x"}'), 'ERR_HEADER_MALFORMED'],
    [jsonFrame('['.repeat(100_000)), 'ERR_HEADER_MALFORMED'],
    [jsonFrame(`{"code":1,"extFields":{"deep":${'['.repeat(200_000)}${']'.repeat(200_000)}}}`), 'ERR_HEADER_MALFORMED'],
    [Buffer.from('000000ff', 'hex'), 'ERR_FRAME_MALFORMED'],
    [Buffer.from('05000000', 'hex'), 'ERR_HEADER_MALFORMED'],
    [Buffer.from('01000004' + '00000000', 'hex'), 'ERR_HEADER_MALFORMED'],
  ];
  // Binary header whose remark length points past the header.
  const badRemark = Buffer.from(BINARY_FRAME.subarray(4));
  badRemark.writeInt32BE(1000, 4 + 13);
  cases.push([badRemark, 'ERR_HEADER_MALFORMED']);
  const badExt = Buffer.from(BINARY_FRAME.subarray(4));
  badExt.writeUInt16BE(50, 4 + 21);
  cases.push([badExt, 'ERR_HEADER_MALFORMED']);
  for (const [frame, code] of cases) {
    assert.throws(() => decodeCommand(frame), (err: unknown) => err instanceof MqError && err.code === code,
      `${frame.subarray(0, 24).toString('hex')} should fail with ${code}`);
  }
});

test('encoding refuses a frame over 16 MiB', () => {
  const command = createRequest(RequestCode.SEND_MESSAGE, {}, Buffer.alloc(16 * 1024 * 1024));
  assert.throws(() => encodeCommand(command), { code: 'ERR_FRAME_TOO_LARGE' });
});

test('command fuzz: random frame contents only ever fail with codec errors', () => {
  const seed = testSeed();
  const random = new SeededRandom(seed);
  const valid = SEND_V2_FRAME;
  const allowed = new Set(['ERR_FRAME_TOO_LARGE', 'ERR_FRAME_MALFORMED', 'ERR_HEADER_MALFORMED']);
  for (let round = 0; round < 3000; round++) {
    const bytes = Buffer.from(round % 2 === 0 ? valid : BINARY_FRAME);
    // Damage a few bytes after the length field (the decoder's own tests cover lengths).
    for (let i = random.int(1, 6); i > 0; i--) bytes[random.int(4, bytes.length - 1)] = random.int(0, 255);
    if (round % 7 === 0) bytes.writeUInt32BE(random.int(0, 0xffffffff), 4);
    const decoder = new FrameDecoder({ onFrame: (frame) => decodeCommand(frame) });
    try {
      decoder.push(bytes);
    } catch (err) {
      assert.ok(err instanceof MqError, `seed ${seed}: unexpected ${String(err)}`);
      assert.ok(allowed.has(err.code), `seed ${seed}: ${err.code}`);
    }
  }
});
