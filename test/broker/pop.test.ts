/**
 * POP on a real in-process broker over real sockets: pop/ack round trips shared by two consumers,
 * the 32-message batch limit, redelivery after invisibleTime (through %RETRY%<group>_<topic>),
 * change of invisible time both ways, long polling woken by a send, the DLQ after retryMaxTimes,
 * tag filters, offsets, bad input, and a graceful restart keeping in-flight state.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { popServiceOf } from '../../src/broker/pop/pop-service';
import { decodeRecords } from '../../src/message';
import { buildBatchAckBody } from '../../src/protocol/headers/pop-batch-ack';
import { createRequest, RequestCode, ResponseCode } from '../../src/protocol';
import { startBroker, pullRequest, sendV2Request, type BrokerFixture } from './broker-fixture';
import { ackRequest, changedHandle, changeRequest, poppedOf, popRequest, type Popped } from './pop-fixture';
import { waitFor } from './wait-for';

const QUEUES = 4;

describe('POP consumption on one broker', () => {
  let fx: BrokerFixture;
  let topicSeq = 0;

  before(async () => {
    fx = await startBroker(undefined, { reviveInterval: 50 });
  });
  after(async () => {
    await fx?.close();
  });

  /** A fresh topic with `count` messages spread over its queues. */
  async function topicWith(count: number, tags?: (i: number) => string): Promise<string> {
    const topic = `PopT${++topicSeq}`;
    fx.broker.context.topics.update({ topicName: topic, readQueueNums: QUEUES, writeQueueNums: QUEUES, perm: 6, topicFilterType: 'SINGLE_TAG', topicSysFlag: 0, order: false });
    for (let i = 0; i < count; i++) {
      const sent = await fx.invoke(sendV2Request({ topic, body: `m${i}`, queueId: i % QUEUES, ...(tags === undefined ? {} : { tags: tags(i) }) }));
      assert.equal(sent.code, ResponseCode.SUCCESS);
    }
    await fx.dispatched();
    return topic;
  }

  async function popAll(topic: string, group: string, invisibleTime = 60_000): Promise<Popped[]> {
    const response = await fx.invoke(popRequest({ topic, group, invisibleTime, max: 32 }));
    return response.code === ResponseCode.SUCCESS ? poppedOf(response) : [];
  }

  /** Waits until every checkpoint popped before `now` is past its deadline, then runs one revive pass. */
  async function reviveAfter(invisibleTime: number): Promise<void> {
    const due = Date.now() + invisibleTime;
    await waitFor(() => Date.now() > due, invisibleTime + 5000);
    await popServiceOf(fx.broker.context).reviveExpired();
  }

  it('delivers each message to exactly one of two consumers while they ack in time, and never again', async () => {
    const topic = await topicWith(40);
    const seen = new Map<string, number>();
    for (let round = 0; round < 10 && [...seen.keys()].length < 40; round++) {
      for (const consumer of ['c1', 'c2']) {
        const response = await fx.invoke(popRequest({ topic, group: 'PopShared', max: 7, invisibleTime: 1500 }));
        if (response.code !== ResponseCode.SUCCESS) continue;
        for (const p of poppedOf(response)) {
          const body = p.message.body.toString();
          seen.set(body, (seen.get(body) ?? 0) + 1);
          const acked = await fx.invoke(ackRequest(topic, p, 'PopShared'));
          assert.equal(acked.code, ResponseCode.SUCCESS, `${consumer} ack: ${acked.remark ?? ''}`);
        }
      }
    }
    assert.equal(seen.size, 40);
    assert.ok([...seen.values()].every((n) => n === 1), 'no message delivered twice');
    await reviveAfter(1500);
    const again = await fx.invoke(popRequest({ topic, group: 'PopShared' }));
    assert.equal(again.code, ResponseCode.POLLING_TIMEOUT);
    // The pop offset is the group's consumer offset.
    let committed = 0;
    for (let q = 0; q < QUEUES; q++) committed += fx.broker.context.offsets.queryOffset('PopShared', topic, q);
    assert.equal(committed, 40);
    const stats = await fx.invoke(createRequest(RequestCode.GET_CONSUME_STATS, { consumerGroup: 'PopShared', topic }));
    assert.equal(stats.code, ResponseCode.SUCCESS);
    const consumed = [...(stats.body?.toString() ?? '').matchAll(/"consumerOffset":(\d+)/g)].map((m) => Number(m[1]));
    assert.deepEqual(consumed, [10, 10, 10, 10], 'GET_CONSUME_STATS shows every queue popped to its end');
  });

  it('returns at most 32 messages and refuses maxMsgNums 33 with INVALID_PARAMETER', async () => {
    const topic = await topicWith(40);
    const refused = await fx.invoke(popRequest({ topic, group: 'PopBatch', max: 33 }));
    assert.equal(refused.code, ResponseCode.INVALID_PARAMETER);
    assert.match(refused.remark ?? '', /greater than 32/);
    const first = await popAll(topic, 'PopBatch');
    assert.equal(first.length, 32);
    const second = await popAll(topic, 'PopBatch');
    assert.equal(second.length, 8);
  });

  it('redelivers an unacked message after invisibleTime with reconsumeTimes 1 under its own topic, acked then gone', async () => {
    const topic = await topicWith(1);
    const [first] = await popAll(topic, 'PopRedeliver', 200);
    assert.ok(first !== undefined);
    assert.equal(first.message.reconsumeTimes, 0);
    // A long poll is woken by the revived copy landing in the retry topic.
    const response = await fx.invoke(popRequest({ topic, group: 'PopRedeliver', pollTime: 10_000, invisibleTime: 60_000 }), 15_000);
    assert.equal(response.code, ResponseCode.SUCCESS);
    const [again] = poppedOf(response);
    assert.ok(again !== undefined);
    assert.equal(again.message.body.toString(), 'm0');
    assert.equal(again.message.reconsumeTimes, 1);
    assert.equal(again.message.topic, topic);
    assert.equal(again.message.properties['UNIQ_KEY'], first.message.properties['UNIQ_KEY']);
    assert.match(again.handle, / 1 broker-a 0 /, 'the handle names the pop retry topic (retry type 1)');
    assert.ok(fx.broker.context.topics.get(`%RETRY%PopRedeliver_${topic}`) !== undefined);
    assert.equal((await fx.invoke(ackRequest(topic, again, 'PopRedeliver'))).code, ResponseCode.SUCCESS);
    await reviveAfter(200);
    assert.equal((await fx.invoke(popRequest({ topic, group: 'PopRedeliver' }))).code, ResponseCode.POLLING_TIMEOUT);
  });

  it('change invisible time extends (no redelivery at the old deadline) and shortens (redelivered early)', async () => {
    const topic = await topicWith(2);
    const popped = await popAll(topic, 'PopChange', 1000);
    assert.equal(popped.length, 2);
    const [a, b] = popped as [Popped, Popped];
    const extended = await fx.invoke(changeRequest(topic, a, 60_000, 'PopChange'));
    assert.equal(extended.code, ResponseCode.SUCCESS, extended.remark);
    const aNew = changedHandle(a, extended);
    await reviveAfter(1000);
    // b (not extended) came back, a did not.
    const back = poppedOf(await fx.invoke(popRequest({ topic, group: 'PopChange', pollTime: 5000 }), 10_000));
    assert.deepEqual(back.map((p) => p.message.body.toString()), [b.message.body.toString()]);
    // The old handle is no longer valid for a change; the new one acks.
    assert.equal((await fx.invoke(changeRequest(topic, a, 1000, 'PopChange'))).code, ResponseCode.NO_MESSAGE);
    // Shorten the new handle: back well before its 60 s.
    const shortened = await fx.invoke(changeRequest(topic, aNew, 100, 'PopChange'));
    assert.equal(shortened.code, ResponseCode.SUCCESS, shortened.remark);
    const early = poppedOf(await fx.invoke(popRequest({ topic, group: 'PopChange', pollTime: 10_000 }), 15_000));
    assert.deepEqual(early.map((p) => [p.message.body.toString(), p.message.reconsumeTimes]), [[a.message.body.toString(), 1]]);
  });

  it('a long-polling pop is answered by the next send', async () => {
    const topic = await topicWith(0);
    const pending = fx.invoke(popRequest({ topic, group: 'PopPoll', pollTime: 20_000 }), 25_000);
    await waitFor(() => popServiceOf(fx.broker.context).hold.heldCount > 0, 5000);
    assert.equal((await fx.invoke(sendV2Request({ topic, body: 'wake', queueId: 2 }))).code, ResponseCode.SUCCESS);
    const response = await pending;
    assert.equal(response.code, ResponseCode.SUCCESS);
    assert.deepEqual(poppedOf(response).map((p) => p.message.body.toString()), ['wake']);
  });

  it('a pop with pollTime 0 on an empty topic answers POLLING_TIMEOUT at once', async () => {
    const topic = await topicWith(0);
    const response = await fx.invoke(popRequest({ topic, group: 'PopEmpty' }));
    assert.equal(response.code, ResponseCode.POLLING_TIMEOUT);
  });

  it('moves a message to %DLQ%<group> once reconsumeTimes reaches the group retryMaxTimes', async () => {
    const topic = await topicWith(1);
    const groups = fx.broker.context.groups;
    groups.update({ ...groups.findOrCreate('PopDlq')!, retryMaxTimes: 1 });
    assert.equal((await popAll(topic, 'PopDlq', 100)).length, 1);
    const second = poppedOf(await fx.invoke(popRequest({ topic, group: 'PopDlq', pollTime: 10_000, invisibleTime: 100 }), 15_000));
    assert.equal(second[0]?.message.reconsumeTimes, 1);
    await waitFor(() => fx.broker.context.store.getMaxOffsetInQueue('%DLQ%PopDlq', 0) > 0, 10_000);
    const pulled = await fx.invoke(pullRequest({ topic: '%DLQ%PopDlq', queueOffset: 0, group: 'DlqReader' }));
    assert.equal(pulled.code, ResponseCode.SUCCESS);
    const [dead] = poppedOfPull(pulled.body);
    assert.equal(dead?.body.toString(), 'm0');
    assert.equal(dead?.properties['RETRY_TOPIC'], topic);
    // Nothing left to pop for the group.
    assert.equal((await fx.invoke(popRequest({ topic, group: 'PopDlq' }))).code, ResponseCode.POLLING_TIMEOUT);
  });

  it('applies tag expressions: only matching messages are popped and the rest are skipped', async () => {
    const topic = await topicWith(12, (i) => (i % 3 === 0 ? 'TagA' : 'TagB'));
    const response = await fx.invoke(popRequest({ topic, group: 'PopTags', exp: 'TagA', expType: 'TAG' }));
    const bodies = poppedOf(response).map((p) => p.message.body.toString()).sort();
    assert.deepEqual(bodies, ['m0', 'm3', 'm6', 'm9']);
    assert.equal((await fx.invoke(popRequest({ topic, group: 'PopTags', exp: 'TagA' }))).code, ResponseCode.POLLING_TIMEOUT);
  });

  it('applies SQL92 expressions on user properties', async () => {
    const topic = `PopT${++topicSeq}`;
    fx.broker.context.topics.update({ topicName: topic, readQueueNums: 1, writeQueueNums: 1, perm: 6, topicFilterType: 'SINGLE_TAG', topicSysFlag: 0, order: false });
    for (let i = 0; i < 6; i++) {
      assert.equal((await fx.invoke(sendV2Request({ topic, body: `q${i}`, properties: { n: String(i) } }))).code, ResponseCode.SUCCESS);
    }
    await fx.dispatched();
    const response = await fx.invoke(popRequest({ topic, group: 'PopSql', exp: 'n >= 4', expType: 'SQL92' }));
    assert.deepEqual(poppedOf(response).map((p) => p.message.body.toString()), ['q4', 'q5']);
  });

  it('follows an admin reset of the group offset (UPDATE_CONSUMER_OFFSET) on the next pop', async () => {
    const topic = await topicWith(4);
    for (const p of await popAll(topic, 'PopReset')) assert.equal((await fx.invoke(ackRequest(topic, p, 'PopReset'))).code, ResponseCode.SUCCESS);
    assert.deepEqual(await popAll(topic, 'PopReset'), []);
    const reset = await fx.invoke(createRequest(RequestCode.UPDATE_CONSUMER_OFFSET, { consumerGroup: 'PopReset', topic, queueId: '1', commitOffset: '0' }));
    assert.equal(reset.code, ResponseCode.SUCCESS);
    assert.deepEqual((await popAll(topic, 'PopReset')).map((p) => p.message.body.toString()), ['m1']);
  });

  it('BATCH_ACK_MESSAGE acks many messages at once; only the one left out comes back', async () => {
    const topic = await topicWith(10);
    const popped = await popAll(topic, 'PopBatchAck');
    assert.equal(popped.length, 10);
    const [left, ...acked] = popped as [Popped, ...Popped[]];
    assert.equal((await fx.invoke(changeRequest(topic, left, 50, 'PopBatchAck'))).code, ResponseCode.SUCCESS);
    const body = buildBatchAckBody('broker-a', 'PopBatchAck', topic, acked.map((p) => p.handle));
    const response = await fx.invoke(createRequest(RequestCode.BATCH_ACK_MESSAGE, {}, body));
    assert.equal(response.code, ResponseCode.SUCCESS, response.remark);
    const junk = await fx.invoke(createRequest(RequestCode.BATCH_ACK_MESSAGE, {}, Buffer.from('{"acks":[{"c":1}]}')));
    assert.equal(junk.code, ResponseCode.INVALID_PARAMETER);
    const back = poppedOf(await fx.invoke(popRequest({ topic, group: 'PopBatchAck', pollTime: 10_000 }), 15_000));
    assert.deepEqual(back.map((p) => p.message.body.toString()), [left.message.body.toString()]);
  });

  it('answers bad headers and receipt handles with clear codes and keeps serving', async () => {
    const topic = await topicWith(1);
    const [p] = await popAll(topic, 'PopBad');
    assert.ok(p !== undefined);
    const malformed = await fx.invoke(ackRequest(topic, { ...p, handle: 'not a receipt handle' }, 'PopBad'));
    assert.equal(malformed.code, ResponseCode.INVALID_PARAMETER);
    assert.match(malformed.remark ?? '', /extraInfo/);
    const badNumber = await fx.invoke(ackRequest(topic, { ...p, handle: p.handle.replace(/^\d+/, 'x1') }, 'PopBad'));
    assert.equal(badNumber.code, ResponseCode.INVALID_PARAMETER);
    const badRetry = await fx.invoke(ackRequest(topic, { ...p, handle: p.handle.split(' ').map((v, i) => (i === 4 ? '7' : v)).join(' ') }, 'PopBad'));
    assert.equal(badRetry.code, ResponseCode.INVALID_PARAMETER);
    const beyond = await fx.invoke(createRequest(RequestCode.ACK_MESSAGE, {
      consumerGroup: 'PopBad', topic, queueId: String(p.message.queueId), extraInfo: p.handle, offset: '999',
    }));
    assert.equal(beyond.code, ResponseCode.NO_MESSAGE);
    const missing = await fx.invoke(createRequest(RequestCode.POP_MESSAGE, { consumerGroup: 'PopBad', topic }));
    assert.equal(missing.code, ResponseCode.SYSTEM_ERROR);
    assert.match(missing.remark ?? '', /queueId/);
    const noTopic = await fx.invoke(popRequest({ topic: 'NoSuchPopTopic', group: 'PopBad' }));
    assert.equal(noTopic.code, ResponseCode.TOPIC_NOT_EXIST);
    const badQueue = await fx.invoke(popRequest({ topic, group: 'PopBad', queueId: QUEUES }));
    assert.equal(badQueue.code, ResponseCode.INVALID_PARAMETER);
    const badSql = await fx.invoke(popRequest({ topic, group: 'PopBad', exp: 'a >', expType: 'SQL92' }));
    assert.equal(badSql.code, ResponseCode.SUBSCRIPTION_PARSE_FAILED);
    // Still serving: the real ack works and acking twice is harmless.
    assert.equal((await fx.invoke(ackRequest(topic, p, 'PopBad'))).code, ResponseCode.SUCCESS);
    assert.equal((await fx.invoke(ackRequest(topic, p, 'PopBad'))).code, ResponseCode.SUCCESS);
  });
});

function poppedOfPull(body: Buffer | undefined) {
  return decodeRecords(body ?? null);
}

describe('POP long polling limits', () => {
  it('answers POLLING_FULL once popPollingSize pops already wait on the topic', async () => {
    const fx = await startBroker(undefined, { popPollingSize: 1 });
    try {
      const topic = 'PopFull';
      fx.broker.context.topics.update({ topicName: topic, readQueueNums: 1, writeQueueNums: 1, perm: 6, topicFilterType: 'SINGLE_TAG', order: false, topicSysFlag: 0 });
      const waiting = fx.invoke(popRequest({ topic, group: 'PopFullG', pollTime: 20_000 }), 25_000);
      await waitFor(() => popServiceOf(fx.broker.context).hold.heldCount === 1, 5000);
      const refused = await fx.invoke(popRequest({ topic, group: 'PopFullG', pollTime: 20_000 }));
      assert.equal(refused.code, ResponseCode.POLLING_FULL);
      assert.equal((await fx.invoke(sendV2Request({ topic, body: 'release' }))).code, ResponseCode.SUCCESS);
      assert.deepEqual(poppedOf(await waiting).map((p) => p.message.body.toString()), ['release']);
    } finally {
      await fx.close();
    }
  });
});
