import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeOffsetMessageId } from '../../src/message';
import { RequestCode, ResponseCode, createRequest } from '../../src/protocol';
import { makeTempDir } from '../helpers/temp-dir';
import { pullRequest, sendV2Request, startBroker } from './broker-fixture';

test('subscription groups: auto-creation off, admin create/update/delete, consumeEnable, retryMaxTimes, persistence', async () => {
  const dir = makeTempDir('broker-groups');
  let fx = await startBroker(dir, { autoCreateSubscriptionGroup: false });
  try {
    const sent = await fx.invoke(sendV2Request({ topic: 'GroupT', body: 'x' }));
    await fx.dispatched();
    assert.equal((await fx.invoke(pullRequest({ topic: 'GroupT', queueOffset: 0, group: 'SG' }))).code, ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST);

    const update = (config: Record<string, unknown>) => fx.invoke(createRequest(RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, {}, Buffer.from(JSON.stringify(config))));
    assert.equal((await update({ groupName: 'SG', retryMaxTimes: 0 })).code, ResponseCode.SUCCESS);
    assert.equal((await update({ groupName: 'bad group' })).code, ResponseCode.INVALID_PARAMETER);
    assert.equal((await update({ groupName: 'SG2', retryQueueNums: 'many' })).code, ResponseCode.SYSTEM_ERROR);
    assert.equal((await fx.invoke(pullRequest({ topic: 'GroupT', queueOffset: 0, group: 'SG' }))).code, ResponseCode.SUCCESS);

    // retryMaxTimes 0: the first send-back already goes to the DLQ.
    const physicalOffset = decodeOffsetMessageId(sent.extFields['msgId'] ?? '').physicalOffset;
    const back = await fx.invoke(createRequest(RequestCode.CONSUMER_SEND_MSG_BACK, { offset: String(physicalOffset), group: 'SG', delayLevel: '0' }));
    assert.equal(back.code, ResponseCode.SUCCESS);
    await fx.dispatched();
    assert.equal(fx.broker.context.store.getMaxOffsetInQueue('%DLQ%SG', 0), 1);

    assert.equal((await update({ groupName: 'SG', consumeEnable: false })).code, ResponseCode.SUCCESS);
    assert.equal((await fx.invoke(pullRequest({ topic: 'GroupT', queueOffset: 0, group: 'SG' }))).code, ResponseCode.NO_PERMISSION);

    await fx.close(false);
    fx = await startBroker(dir, { autoCreateSubscriptionGroup: false });
    const all = JSON.parse((await fx.invoke(createRequest(RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG))).body?.toString() ?? '') as {
      subscriptionGroupTable: Record<string, { consumeEnable: boolean; retryMaxTimes: number }>;
    };
    assert.deepEqual(all.subscriptionGroupTable['SG'] && [all.subscriptionGroupTable['SG'].consumeEnable, all.subscriptionGroupTable['SG'].retryMaxTimes], [false, 16],
      'the last update (consumeEnable=false, other fields default) survived the restart');
    assert.equal((await fx.invoke(createRequest(RequestCode.DELETE_SUBSCRIPTIONGROUP, { groupName: 'SG' }))).code, ResponseCode.SUCCESS);
    assert.equal((await fx.invoke(pullRequest({ topic: 'GroupT', queueOffset: 0, group: 'SG' }))).code, ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST);
  } finally {
    await fx.close();
  }
});
