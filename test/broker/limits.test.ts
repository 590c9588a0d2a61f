/**
 * The broker's message limits through a raw remoting client (no SDK checks in the way), each at the
 * limit and one byte over: body up to maxMessageSize (4 MiB; the compressed size is what counts),
 * stored properties up to 32767 bytes, a batch body up to 4 MiB, no delay or retry topic in a
 * batch, topic names, send-forbidden system topics. Refusals carry the RocketMQ code and a reason,
 * and store nothing; the broker keeps serving.
 */
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { encodeProperties } from '../../src/message';
import { RequestCode, ResponseCode, createRequest, encodeBatchBody, type RemotingCommand } from '../../src/protocol';
import { sendV2Request, startBroker, type BrokerFixture } from './broker-fixture';

const MAX = 4 * 1024 * 1024;
const PROPERTIES_MAX = 32767;

let fx: BrokerFixture;
/** What the broker adds to every stored message's properties. */
let clusterEntryBytes: number;

before(async () => {
  // Segments big enough for a 4 MiB record (the fixture's default is 1 MiB).
  fx = await startBroker(undefined, { mappedFileSizeCommitLog: 12 * 1024 * 1024 });
  clusterEntryBytes = Buffer.byteLength(`CLUSTER\u0001${fx.broker.config.brokerClusterName}\u0002`);
});

after(async () => {
  await fx.close();
});

/** Messages in queue 0 of `topic` once everything appended is dispatched. */
async function stored(topic: string): Promise<number> {
  await fx.dispatched();
  return fx.broker.context.store.getMaxOffsetInQueue(topic, 0);
}

async function send(request: RemotingCommand): Promise<RemotingCommand> {
  return fx.invoke(request, 20_000);
}

function batchRequest(topic: string, body: Buffer, properties: Record<string, string> = { WAIT: 'true' }): RemotingCommand {
  return createRequest(RequestCode.SEND_MESSAGE_V2, {
    a: 'PG', b: topic, c: 'TBW102', d: '4', e: '0', f: '0', g: String(Date.now()), h: '0', i: encodeProperties(properties), j: '0', k: 'false', m: 'true',
  }, body);
}

function assertRefused(response: RemotingCommand, code: number, remark: RegExp): void {
  assert.equal(response.code, code, response.remark);
  assert.match(response.remark ?? '', remark);
}

test('body: 4 MiB is stored, 4 MiB + 1 is MESSAGE_ILLEGAL and stores nothing', async () => {
  assert.equal((await send(sendV2Request({ topic: 'BodyLimit', body: Buffer.alloc(MAX, 7) }))).code, ResponseCode.SUCCESS);
  assertRefused(await send(sendV2Request({ topic: 'BodyLimit', body: Buffer.alloc(MAX + 1, 7) })), ResponseCode.MESSAGE_ILLEGAL, /body is 4194305 bytes, maxMessageSize is 4194304/);
  assert.equal(await stored('BodyLimit'), 1);
});

test('a compressed body counts at its compressed size: 5 MiB deflated to a few KiB is stored', async () => {
  const request = sendV2Request({ topic: 'Compressed', body: deflateSync(Buffer.alloc(5 * 1024 * 1024)) });
  request.extFields['f'] = '1'; // COMPRESSED_FLAG
  assert.equal((await send(request)).code, ResponseCode.SUCCESS);
  assert.equal(await stored('Compressed'), 1);
});

test('properties: 32767 bytes as stored (with the broker\'s CLUSTER) pass, one byte more is MESSAGE_ILLEGAL', async () => {
  // encodeProperties({ p: v }) is "p\u0001" + v + "\u0002": 3 bytes plus the value.
  const fits = PROPERTIES_MAX - clusterEntryBytes - 3;
  assert.equal((await send(sendV2Request({ topic: 'PropsLimit', body: 'x', properties: { p: 'v'.repeat(fits) } }))).code, ResponseCode.SUCCESS);
  assertRefused(await send(sendV2Request({ topic: 'PropsLimit', body: 'x', properties: { p: 'v'.repeat(fits + 1) } })), ResponseCode.MESSAGE_ILLEGAL, /properties/);
  assert.equal(await stored('PropsLimit'), 1);
});

test('batch: a 4 MiB batch body is stored whole, 4 MiB + 1 is MESSAGE_ILLEGAL and stores none of it', async () => {
  const sized = (total: number): Buffer => {
    const overhead = encodeBatchBody([{ body: Buffer.alloc(1024), properties: 'a\u0001b\u0002' }, { body: Buffer.alloc(0), properties: 'a\u0001c\u0002' }]).length;
    const body = encodeBatchBody([{ body: Buffer.alloc(1024, 1), properties: 'a\u0001b\u0002' }, { body: Buffer.alloc(total - overhead, 2), properties: 'a\u0001c\u0002' }]);
    assert.equal(body.length, total);
    return body;
  };
  assert.equal((await send(batchRequest('BatchLimit', sized(MAX)))).code, ResponseCode.SUCCESS);
  assertRefused(await send(batchRequest('BatchLimit', sized(MAX + 1))), ResponseCode.MESSAGE_ILLEGAL, /the batch body is 4194305 bytes; maxMessageSize is 4194304/);
  assert.equal(await stored('BatchLimit'), 2);
});

test('batch: a delay level (on the batch or an inner message) or a retry topic is MESSAGE_ILLEGAL', async () => {
  const plain = encodeBatchBody([{ body: Buffer.from('a') }, { body: Buffer.from('b') }]);
  const innerDelay = encodeBatchBody([{ body: Buffer.from('a') }, { body: Buffer.from('b'), properties: 'DELAY\u00013\u0002' }]);
  assertRefused(await send(batchRequest('BatchRules', innerDelay)), ResponseCode.MESSAGE_ILLEGAL, /message 1 of the batch has a delay level/);
  assertRefused(await send(batchRequest('BatchRules', plain, { WAIT: 'true', DELAY: '2' })), ResponseCode.MESSAGE_ILLEGAL, /a batch cannot have a delay level/);
  assertRefused(await send(batchRequest('%RETRY%SomeGroup', plain)), ResponseCode.MESSAGE_ILLEGAL, /batch request does not support retry group/);
  assert.equal((await send(batchRequest('BatchRules', plain))).code, ResponseCode.SUCCESS);
  assert.equal(await stored('BatchRules'), 2, 'only the plain batch was stored');
});

test('topic names: 127 characters pass, 128 or characters outside [%|a-zA-Z0-9_-] are INVALID_PARAMETER', async () => {
  assert.equal((await send(sendV2Request({ topic: 'T'.repeat(127), body: 'x' }))).code, ResponseCode.SUCCESS);
  assertRefused(await send(sendV2Request({ topic: 'T'.repeat(128), body: 'x' })), ResponseCode.INVALID_PARAMETER, /127/);
  assertRefused(await send(sendV2Request({ topic: 'dots.are.illegal', body: 'x' })), ResponseCode.INVALID_PARAMETER, /illegal/);
});

test('system topics producers may not write are NO_PERMISSION; the trace topic is writable', async () => {
  for (const topic of ['SCHEDULE_TOPIC_XXXX', 'SCHEDULE_TOPIC_XXXX_V2', 'RMQ_SYS_TRANS_HALF_TOPIC', 'RMQ_SYS_TRANS_OP_HALF_TOPIC',
    'TRANS_CHECK_MAX_TIME_TOPIC', 'SELF_TEST_TOPIC', 'OFFSET_MOVED_EVENT', 'rmq_sys_anything']) {
    assertRefused(await send(sendV2Request({ topic, body: 'x' })), ResponseCode.NO_PERMISSION, new RegExp(`Sending message to topic\\[${topic}\\] is forbidden`));
  }
  assert.equal((await send(sendV2Request({ topic: 'RMQ_SYS_TRACE_TOPIC', body: 'Pub\u00011' }))).code, ResponseCode.SUCCESS);
});

test('after every refusal the broker still serves and lost nothing it had accepted', async () => {
  assert.equal((await send(sendV2Request({ topic: 'BodyLimit', body: 'after' }))).code, ResponseCode.SUCCESS);
  assert.equal(await stored('BodyLimit'), 2);
  const first = fx.broker.context.store.getMessage('BodyLimit', 0, 0, 1).messages()[0];
  assert.equal(first?.body.length, MAX);
});
