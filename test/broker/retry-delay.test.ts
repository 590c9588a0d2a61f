import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { decodeOffsetMessageId, decodeRecords } from '../../src/message';
import { RequestCode, ResponseCode, createRequest } from '../../src/protocol';
import { pullRequest, sendV2Request, startBroker, type BrokerFixture } from './broker-fixture';

let fx: BrokerFixture;

before(async () => {
  // Level 1 = 1 s keeps the due-time waits short; level 3 (the first retry's default) = 3 s.
  fx = await startBroker(undefined, { messageDelayLevel: '1s 2s 3s' });
});

after(async () => {
  await fx.close();
});

/** Pulls with long polling until the queue has a message at `queueOffset` (deadline = suspend time). */
async function pullOne(topic: string, queueOffset: number, queueId = 0) {
  const response = await fx.invoke(pullRequest({ topic, queueId, queueOffset, suspend: true, suspendTimeoutMillis: 10_000 }), 15_000);
  assert.equal(response.code, ResponseCode.SUCCESS, `${topic}@${queueOffset}: ${response.remark}`);
  return decodeRecords(response.body ?? null)[0];
}

test('a delayed send is delivered to its real topic and queue once its level is due', async () => {
  const sent = await fx.invoke(sendV2Request({ topic: 'DelayReal', body: 'd1', queueId: 1, tags: 'T', properties: { DELAY: '1' } }));
  assert.equal(sent.code, ResponseCode.SUCCESS);
  const delivered = await pullOne('DelayReal', 0, 1);
  assert.equal(delivered?.body.toString(), 'd1');
  assert.equal(delivered?.queueId, 1);
  assert.equal(delivered?.properties['DELAY'], undefined);
  assert.ok((delivered?.storeTimestamp ?? 0) - (delivered?.bornTimestamp ?? 0) >= 900, 'not delivered before the level delay');
});

test('CONSUMER_SEND_MSG_BACK: retry copy in %RETRY%<group> after the delay, DLQ past maxReconsumeTimes', async () => {
  const sent = await fx.invoke(sendV2Request({ topic: 'Failing', body: 'boom', tags: 'X', properties: { UNIQ_KEY: 'U1' } }));
  const physicalOffset = decodeOffsetMessageId(sent.extFields['msgId'] ?? '').physicalOffset;
  const back = await fx.invoke(createRequest(RequestCode.CONSUMER_SEND_MSG_BACK, {
    offset: String(physicalOffset), group: 'RG', delayLevel: '1', originMsgId: sent.extFields['msgId'] ?? '', maxReconsumeTimes: '16',
  }));
  assert.equal(back.code, ResponseCode.SUCCESS, back.remark);
  assert.ok(fx.broker.context.topics.get('%RETRY%RG'));
  const retried = await pullOne('%RETRY%RG', 0);
  assert.equal(retried?.body.toString(), 'boom');
  assert.equal(retried?.reconsumeTimes, 1);
  assert.equal(retried?.properties['RETRY_TOPIC'], 'Failing');
  assert.equal(retried?.properties['ORIGIN_MESSAGE_ID'], sent.extFields['msgId']);
  assert.equal(retried?.properties['UNIQ_KEY'], 'U1');

  const toDlq = await fx.invoke(createRequest(RequestCode.CONSUMER_SEND_MSG_BACK, {
    offset: String(retried?.commitLogOffset), group: 'RG', delayLevel: '0', maxReconsumeTimes: '1',
  }));
  assert.equal(toDlq.code, ResponseCode.SUCCESS);
  const dead = await pullOne('%DLQ%RG', 0);
  assert.equal(dead?.body.toString(), 'boom');
  assert.equal(dead?.reconsumeTimes, 2);

  const missing = await fx.invoke(createRequest(RequestCode.CONSUMER_SEND_MSG_BACK, { offset: '999999999', group: 'RG', delayLevel: '0' }));
  assert.equal(missing.code, ResponseCode.SYSTEM_ERROR);
});

test('delay cursors are persisted at shutdown and nothing is delivered twice after a restart', async () => {
  const dir = fx.dir;
  await fx.close(false);
  fx = await startBroker(dir, { messageDelayLevel: '1s 2s 3s' });
  const max = await fx.invoke(createRequest(RequestCode.GET_MAX_OFFSET, { topic: 'DelayReal', queueId: '1' }));
  assert.equal(max.extFields['offset'], '1');
  await fx.invoke(sendV2Request({ topic: 'DelayReal', body: 'd2', queueId: 1, properties: { DELAY: '1' } }));
  const second = await pullOne('DelayReal', 1, 1);
  assert.equal(second?.body.toString(), 'd2', 'the next delivery is the new message, not a repeat of d1');
});
