/** The client instance's periodic work, driven by a fake clock against a real name server + broker. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/common';
import { ClientInstance } from '../../src/client';
import { RequestCode, ResponseCode, createRequest } from '../../src/protocol';
import { startProducerCluster, waitFor } from './producer-cluster';

test('every period the routes are refreshed and heartbeats sent; shutdown unregisters the group', async () => {
  const cluster = await startProducerCluster(1);
  const clock = new ManualClock(Date.now());
  const instance = new ClientInstance({ namesrvAddr: cluster.namesrvAddr, clock, heartbeatIntervalMs: 30_000, pollNameServerIntervalMs: 30_000 });
  const broker = cluster.brokers[0]!;
  const members = async (): Promise<string[]> => {
    const response = await broker.invoke(createRequest(RequestCode.GET_CONSUMER_LIST_BY_GROUP, { consumerGroup: 'CG_TIMER' }));
    return response.code === ResponseCode.SUCCESS ? JSON.parse(response.body!.toString()).consumerIdList : [];
  };
  try {
    await cluster.createTopic('Growing', 2);
    await instance.start();
    assert.equal((await instance.topicRoute('Growing')).publishQueues.length, 2);
    instance.registerConsumer('CG_TIMER', () => ({
      groupName: 'CG_TIMER', consumeType: 'CONSUME_ACTIVELY', messageModel: 'CLUSTERING', consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
      subscriptionDataSet: [{ topic: 'Growing', subString: '*', tagsSet: [], codeSet: [], subVersion: 1, expressionType: 'TAG', classFilterMode: false }],
    }));
    assert.deepEqual(await members(), [], 'no heartbeat before the period');

    await cluster.createTopic('Growing', 5);
    await waitFor(() => cluster.namesrv.routes.pickupTopicRouteData('Growing')?.queueDatas[0]?.writeQueueNums === 5, 5000);
    assert.equal(instance.cachedTopicRoute('Growing')?.publishQueues.length, 2, 'nothing refreshes before the period');

    clock.advance(30_000);
    await waitFor(() => instance.cachedTopicRoute('Growing')?.publishQueues.length === 5, 5000);
    const deadline = Date.now() + 5000;
    let seen: string[] = [];
    while (seen.length === 0 && Date.now() < deadline) seen = await members();
    assert.deepEqual(seen, [instance.clientId], 'the timer heartbeat registered the consumer group');

    await instance.shutdown();
    assert.deepEqual(await members(), [], 'UNREGISTER_CLIENT at shutdown');
  } finally {
    await instance.shutdown();
    await cluster.close();
  }
});
