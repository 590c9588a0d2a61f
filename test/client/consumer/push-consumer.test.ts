import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { MessageExt } from '../../../src/message';
import { allocateAveragelyByCircle } from '../../../src/client/rebalance/strategies';
import { PushConsumer, type PushConsumerOptions } from '../../../src/client/consumer/push-consumer';
import type { ConsumeConcurrentlyStatus } from '../../../src/client/consumer/consumer-types';
import { Producer } from '../../../src/client/producer/producer';
import { makeTempDir, removeTempDir } from '../../helpers/temp-dir';
import { startCluster, waitFor, type ClusterFixture } from './cluster-fixture';

let cluster: ClusterFixture;

before(async () => {
  // Level 3 (a first retry's default) = 1 s keeps redelivery quick.
  cluster = await startCluster({ messageDelayLevel: '1s 1s 1s' });
});

after(async () => {
  await cluster.close();
});

function consumer(groupName: string, extra: Partial<PushConsumerOptions> = {}): PushConsumer {
  return new PushConsumer({ groupName, namesrvAddr: cluster.namesrvAddr, consumeFromWhere: 'FIRST_OFFSET', persistIntervalMs: 200, ...extra });
}

function bodies(messages: readonly MessageExt[]): string[] {
  return messages.map((m) => m.body.toString()).sort();
}

test('receives everything sent, filtered by tag, and commits offsets at shutdown', async () => {
  await cluster.createTopic('PushTags', 4);
  const c = consumer('G_tags');
  const got: MessageExt[] = [];
  c.subscribe('PushTags', 'TagA || TagC');
  c.registerListener((msgs) => {
    got.push(...msgs);
    return 'CONSUME_SUCCESS';
  });
  await c.start();
  const expected: string[] = [];
  for (let i = 0; i < 24; i++) {
    const tag = ['TagA', 'TagB', 'TagC'][i % 3] as string;
    await cluster.send('PushTags', `m${i}`, i % 4, tag);
    if (tag !== 'TagB') expected.push(`m${i}`);
  }
  await waitFor(() => got.length >= expected.length, 10_000);
  await c.shutdown();
  assert.deepEqual(bodies(got), expected.sort());
  assert.ok(got.every((m) => m.tags !== 'TagB'));
  for (let q = 0; q < 4; q++) {
    // Queue q holds m(q), m(q+4), ... at offsets 0..5; everything up to its last wanted message is
    // committed (a trailing filtered-out message may or may not have been skipped yet).
    let lastWanted = -1;
    for (let offset = 0; offset < 6; offset++) if ((q + 4 * offset) % 3 !== 1) lastWanted = offset;
    const committed = await cluster.committedOffset('G_tags', 'PushTags', q);
    assert.ok(committed >= lastWanted + 1 && committed <= 6, `queue ${q}: committed ${committed}`);
  }
});

test('a listener that empties or reorders its array does not hold back the committed offsets', async () => {
  await cluster.createTopic('PushMutating', 2);
  const c = consumer('G_mutating', { consumeMessageBatchMaxSize: 4 });
  let seen = 0;
  c.subscribe('PushMutating', '*');
  c.registerListener((msgs) => {
    const list = msgs as MessageExt[];
    seen += list.length;
    list.reverse();
    list.length = 0;
    return 'CONSUME_SUCCESS';
  });
  await c.start();
  for (let i = 0; i < 12; i++) await cluster.send('PushMutating', `m${i}`, i % 2);
  await waitFor(() => seen >= 12, 10_000);
  await c.shutdown();
  for (let q = 0; q < 2; q++) assert.equal(await cluster.committedOffset('G_mutating', 'PushMutating', q), 6);
});

test('RECONSUME_LATER, a throw, a rejection or no status redelivers the message from %RETRY%<group> under its own topic', async () => {
  await cluster.createTopic('PushRetry', 1);
  const c = consumer('G_retry');
  const deliveries: MessageExt[] = [];
  c.subscribe('PushRetry', '*');
  // Plain answers are settled in the listener's turn, promised ones when they settle: both count.
  const firstAnswers: Record<string, () => ConsumeConcurrentlyStatus | Promise<ConsumeConcurrentlyStatus>> = {
    later: () => 'RECONSUME_LATER',
    throws: () => { throw new Error('listener failure'); },
    'async-later': async (): Promise<ConsumeConcurrentlyStatus> => 'RECONSUME_LATER',
    'async-rejects': async () => { throw new Error('async listener failure'); },
    'no-status': () => undefined as unknown as ConsumeConcurrentlyStatus,
    'async-ok': async (): Promise<ConsumeConcurrentlyStatus> => 'CONSUME_SUCCESS',
  };
  c.registerListener((msgs) => {
    deliveries.push(...msgs);
    const first = msgs[0] as MessageExt;
    const answer = firstAnswers[first.body.toString()];
    if (first.reconsumeTimes === 0 && answer !== undefined) return answer();
    return 'CONSUME_SUCCESS';
  });
  await c.start();
  for (const body of Object.keys(firstAnswers)) await cluster.send('PushRetry', body, 0);
  await waitFor(() => deliveries.filter((m) => m.reconsumeTimes === 1).length >= 5, 15_000);
  await c.shutdown();
  const again = deliveries.filter((m) => m.reconsumeTimes === 1);
  assert.deepEqual(bodies(again), ['async-later', 'async-rejects', 'later', 'no-status', 'throws']);
  assert.ok(again.every((m) => m.topic === 'PushRetry'), 'the retry copy is shown under the original topic');
  assert.equal(deliveries.length, 11);
  assert.equal(await cluster.committedOffset('G_retry', 'PushRetry', 0), 6);
});

test('two consumers split the queues, each message once; a leaver\'s queues go to the survivor', async () => {
  await cluster.createTopic('PushShare', 4);
  const seen = new Map<string, string[]>();
  const make = (name: string) => {
    const c = consumer('G_share', { allocateStrategy: allocateAveragelyByCircle });
    c.subscribe('PushShare', '*');
    c.registerListener((msgs) => {
      for (const m of msgs) seen.set(m.body.toString(), [...(seen.get(m.body.toString()) ?? []), name]);
      return 'CONSUME_SUCCESS';
    });
    return c;
  };
  const a = make('a');
  const b = make('b');
  await a.start();
  await b.start();
  const isSplit = () => {
    const qa = a.ownedQueues().filter((q) => q.topic === 'PushShare').map((q) => q.queueId);
    const qb = b.ownedQueues().filter((q) => q.topic === 'PushShare').map((q) => q.queueId);
    return qa.length === 2 && qb.length === 2 && new Set([...qa, ...qb]).size === 4;
  };
  await waitFor(isSplit, 10_000);
  for (let i = 0; i < 40; i++) await cluster.send('PushShare', `s${i}`, i % 4);
  await waitFor(() => seen.size >= 40, 10_000);
  assert.ok([...seen.values()].every((who) => who.length === 1), 'each message delivered once');
  assert.ok([...seen.values()].some((who) => who[0] === 'a') && [...seen.values()].some((who) => who[0] === 'b'));

  await a.shutdown();
  await waitFor(() => b.ownedQueues().filter((q) => q.topic === 'PushShare').length === 4, 10_000);
  for (let i = 40; i < 60; i++) await cluster.send('PushShare', `s${i}`, i % 4);
  await waitFor(() => seen.size >= 60, 10_000);
  await b.shutdown();
  assert.ok([...seen.entries()].filter(([body]) => Number(body.slice(1)) >= 40).every(([, who]) => who.join() === 'b'));
  assert.ok([...seen.values()].every((who) => who.length === 1), 'a committed at shutdown, so b repeats nothing');
});

test('a consumer killed mid-stream: the survivor re-consumes everything it had not committed', async () => {
  await cluster.createTopic('PushKill', 2);
  let releaseStuck = (): void => undefined;
  const stuck = new Promise<void>((resolve) => {
    releaseStuck = resolve;
  });
  const victimGot: string[] = [];
  const survivorGot: string[] = [];
  // The victim never finishes a listener call and never commits on a timer.
  const victim = consumer('G_kill', { persistIntervalMs: 3_600_000 });
  victim.subscribe('PushKill', '*');
  victim.registerListener(async (msgs) => {
    victimGot.push(...msgs.map((m) => m.body.toString()));
    await stuck;
    return 'CONSUME_SUCCESS' as const;
  });
  const survivor = consumer('G_kill');
  survivor.subscribe('PushKill', '*');
  survivor.registerListener((msgs) => {
    survivorGot.push(...msgs.map((m) => m.body.toString()));
    return 'CONSUME_SUCCESS';
  });
  await victim.start();
  await survivor.start();
  await waitFor(() => victim.ownedQueues().filter((q) => q.topic === 'PushKill').length === 1
    && survivor.ownedQueues().filter((q) => q.topic === 'PushKill').length === 1, 10_000);
  const victimQueue = victim.ownedQueues().find((q) => q.topic === 'PushKill')?.queueId ?? -1;
  for (let i = 0; i < 6; i++) await cluster.send('PushKill', `k${victimQueue}-${i}`, victimQueue);
  await waitFor(() => victimGot.length >= 6, 10_000);
  await victim.destroy();
  await waitFor(() => survivorGot.length >= 6, 10_000);
  releaseStuck();
  await survivor.shutdown();
  assert.deepEqual([...survivorGot].sort(), [...victimGot].sort());
  assert.equal(await cluster.committedOffset('G_kill', 'PushKill', victimQueue), 6);
});

test('broadcasting delivers everything to both consumers, offsets in a local file', async () => {
  await cluster.createTopic('PushBroadcast', 2);
  const dir = makeTempDir('broadcast-offsets');
  const got = new Map<string, string[]>();
  const make = (name: string) => {
    const c = consumer('G_bcast', { messageModel: 'BROADCASTING', offsetStoreDir: dir, instanceName: name });
    c.subscribe('PushBroadcast', '*');
    got.set(name, []);
    c.registerListener((msgs) => {
      got.get(name)?.push(...msgs.map((m) => m.body.toString()));
      return 'CONSUME_SUCCESS';
    });
    return c;
  };
  const a = make('a');
  const b = make('b');
  await a.start();
  await b.start();
  for (let i = 0; i < 10; i++) await cluster.send('PushBroadcast', `b${i}`, i % 2);
  await waitFor(() => (got.get('a')?.length ?? 0) >= 10 && (got.get('b')?.length ?? 0) >= 10, 10_000);
  await a.shutdown();
  await b.shutdown();
  const expected = Array.from({ length: 10 }, (_, i) => `b${i}`).sort();
  assert.deepEqual([...(got.get('a') ?? [])].sort(), expected);
  assert.deepEqual([...(got.get('b') ?? [])].sort(), expected);
  assert.equal(await cluster.committedOffset('G_bcast', 'PushBroadcast', 0), -1, 'nothing committed to the broker');

  // A restarted broadcasting consumer resumes from its file.
  const again = make('a');
  await again.start();
  await cluster.send('PushBroadcast', 'b10', 0);
  await waitFor(() => (got.get('a')?.length ?? 0) >= 1, 10_000);
  await again.shutdown();
  removeTempDir(dir);
  assert.deepEqual(got.get('a'), ['b10']);
});

test('offsets persist across a consumer restart (no repeats, nothing lost)', async () => {
  await cluster.createTopic('PushRestart', 2);
  const got: string[] = [];
  const make = () => {
    const c = consumer('G_restart', { consumeFromWhere: 'LAST_OFFSET' });
    c.subscribe('PushRestart', '*');
    c.registerListener((msgs) => {
      got.push(...msgs.map((m) => m.body.toString()));
      return 'CONSUME_SUCCESS';
    });
    return c;
  };
  const first = make();
  await first.start();
  for (let i = 0; i < 6; i++) await cluster.send('PushRestart', `r${i}`, i % 2);
  await waitFor(() => got.length >= 6, 10_000);
  await first.shutdown();
  for (let i = 6; i < 10; i++) await cluster.send('PushRestart', `r${i}`, i % 2);
  const second = make();
  await second.start();
  await waitFor(() => got.length >= 10, 10_000);
  await second.shutdown();
  assert.deepEqual([...got].sort(), Array.from({ length: 10 }, (_, i) => `r${i}`).sort());
});

test('messages from the SDK producer, compressed bodies included, arrive as sent', async () => {
  await cluster.createTopic('PushFromProducer', 2);
  const producer = new Producer({ groupName: 'PG_push', namesrvAddr: cluster.namesrvAddr });
  await producer.start();
  const big = 'x'.repeat(64 * 1024); // over the 4 KiB compression threshold
  const c = consumer('G_producer');
  const got: MessageExt[] = [];
  c.subscribe('PushFromProducer', 'Big || Small');
  c.registerListener((msgs) => {
    got.push(...msgs);
    return 'CONSUME_SUCCESS';
  });
  await c.start();
  try {
    await producer.send({ topic: 'PushFromProducer', body: big, tags: 'Big', keys: 'k1' });
    await producer.send({ topic: 'PushFromProducer', body: 'small', tags: 'Small', properties: { color: 'red' } });
    await producer.send({ topic: 'PushFromProducer', body: 'other', tags: 'Other' });
    await waitFor(() => got.length >= 2, 10_000);
  } finally {
    await c.shutdown();
    await producer.shutdown();
  }
  const byTag = new Map(got.map((m) => [m.tags, m]));
  assert.equal(byTag.get('Big')?.body.toString(), big, 'inflated');
  assert.equal(byTag.get('Big')?.keys, 'k1');
  assert.equal(byTag.get('Small')?.properties['color'], 'red');
  assert.equal(got.length, 2);
});

test('options are validated at construction', () => {
  assert.throws(() => new PushConsumer({ groupName: '', namesrvAddr: '127.0.0.1:1' }), { code: 'ERR_INVALID_ARGUMENT' });
  assert.throws(() => new PushConsumer({ groupName: 'G', namesrvAddr: '127.0.0.1:1', consumeThreadMax: 0 }), { code: 'ERR_INVALID_ARGUMENT' });
  assert.throws(() => new PushConsumer({ groupName: 'G', namesrvAddr: '127.0.0.1:1', messageModel: 'X' as 'CLUSTERING' }), { code: 'ERR_INVALID_ARGUMENT' });
});
