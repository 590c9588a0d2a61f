/**
 * Ordered messages through the SDK against a real name server and broker in this process: sends
 * through a selector by order id land in one queue in order; an orderly PushConsumer consumes each
 * queue one message at a time in queue order; a failing message is retried in place while the
 * other queues go on; past maxReconsumeTimes it goes to the DLQ; a worker-thread listener keeps
 * the order too.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Producer, selectQueueByHash } from '../../src/client/producer/producer';
import { PushConsumer } from '../../src/client/consumer/push-consumer';
import type { MessageExt } from '../../src/message';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir';
import { pollUntil } from '../interop/cometmq-processes';
import { startCluster, type ClusterFixture } from './consumer/cluster-fixture';

const WAIT_MS = 20_000;

interface Seen { readonly order: string; readonly step: number; readonly queueId: number; readonly queueOffset: number; readonly reconsumeTimes: number }

function parse(message: MessageExt): Seen {
  const [order, step] = message.body.toString('utf8').split(':');
  return { order: order!, step: Number(step), queueId: message.queueId, queueOffset: message.queueOffset, reconsumeTimes: message.reconsumeTimes };
}

/** Every order's steps, as seen, equal 0..steps-1 in order, each once. */
function assertStepsInOrder(seen: readonly Seen[], orders: readonly string[], steps: number): void {
  for (const order of orders) {
    assert.deepEqual(seen.filter((s) => s.order === order).map((s) => s.step), Array.from({ length: steps }, (_, i) => i), `steps of ${order}`);
  }
}

describe('ordered messages (in-process broker)', () => {
  let cluster: ClusterFixture;
  let producer: Producer;
  let dir: string;
  const consumers: PushConsumer[] = [];

  before(async () => {
    cluster = await startCluster();
    producer = new Producer({ groupName: 'PG_ORDERED', namesrvAddr: cluster.namesrvAddr, clientIP: '127.0.0.1' });
    await producer.start();
    dir = makeTempDir('ordered');
  });

  after(async () => {
    for (const consumer of consumers) await consumer.shutdown();
    await producer?.shutdown();
    await cluster?.close();
    removeTempDir(dir);
  });

  /** Sends `steps` steps of each order, step by step, through the hash selector (order id as the arg). */
  async function sendOrders(topic: string, orders: readonly string[], steps: number): Promise<Map<string, number>> {
    const queueOf = new Map<string, number>();
    for (let step = 0; step < steps; step++) {
      for (const order of orders) {
        const result = await producer.send({ topic, body: `${order}:${step}` }, { selector: selectQueueByHash, selectorArg: order });
        assert.equal(result.sendStatus, 'SEND_OK');
        if (step === 0) queueOf.set(order, result.messageQueue.queueId);
        else assert.equal(result.messageQueue.queueId, queueOf.get(order), `every step of ${order} in one queue`);
      }
    }
    return queueOf;
  }

  function orderly(group: string, topic: string, extra: Partial<ConstructorParameters<typeof PushConsumer>[0]> = {}): PushConsumer {
    const consumer = new PushConsumer({ groupName: group, namesrvAddr: cluster.namesrvAddr, consumeFromWhere: 'FIRST_OFFSET', persistIntervalMs: 200, ...extra });
    consumer.subscribe(topic, '*');
    consumers.push(consumer);
    return consumer;
  }

  it('refuses bad orderly listeners and options with a clear code', async () => {
    const base = { groupName: 'CG_ORDERED_BAD', namesrvAddr: cluster.namesrvAddr };
    const consumer = new PushConsumer(base);
    assert.throws(() => consumer.registerOrderlyListener(42 as unknown as string), { code: 'ERR_INVALID_ARGUMENT' });
    assert.throws(() => consumer.registerOrderlyListener('relative/listener.js'), { code: 'ERR_INVALID_ARGUMENT' });
    for (const suspendCurrentQueueTimeMillis of [0, 30_001, 1.5]) {
      assert.throws(() => new PushConsumer({ ...base, suspendCurrentQueueTimeMillis }), { code: 'ERR_INVALID_ARGUMENT' });
    }
    assert.throws(() => new PushConsumer({ ...base, maxReconsumeTimes: -2 }), { code: 'ERR_INVALID_ARGUMENT' });
    const started = orderly('CG_ORDERED_STARTED', 'OrderedBadInput');
    await cluster.createTopic('OrderedBadInput', 1);
    started.registerOrderlyListener(() => 'SUCCESS');
    await started.start();
    assert.throws(() => started.registerOrderlyListener(() => 'SUCCESS'), { code: 'ERR_ILLEGAL_OPERATION' });
  });

  it('sends through a selector by order id land in one queue in step order', async () => {
    const topic = 'OrderedSend';
    await cluster.createTopic(topic, 4);
    const orders = Array.from({ length: 12 }, (_, i) => `order-${i}`);
    const queueOf = await sendOrders(topic, orders, 5);
    assert.ok(new Set(queueOf.values()).size > 1, 'the orders spread over several queues');
    // Read every queue back with a concurrent consumer: queue offsets follow the step order.
    const seen: Seen[] = [];
    const reader = orderly('CG_ORDERED_READ', topic);
    reader.registerListener((msgs) => {
      seen.push(...msgs.map(parse));
      return 'CONSUME_SUCCESS';
    });
    await reader.start();
    await pollUntil('every message read', () => seen.length >= orders.length * 5, WAIT_MS);
    for (const order of orders) {
      const mine = seen.filter((s) => s.order === order).sort((a, b) => a.queueOffset - b.queueOffset);
      assert.ok(mine.every((s) => s.queueId === queueOf.get(order)));
      assert.deepEqual(mine.map((s) => s.step), [0, 1, 2, 3, 4], `${order} stored in step order`);
    }
  });

  it('an orderly listener sees each queue one message at a time, in queue order, each once', async () => {
    const topic = 'OrderedConsume';
    const group = 'CG_ORDERED_CONSUME';
    await cluster.createTopic(topic, 4);
    const orders = Array.from({ length: 20 }, (_, i) => `o${i}`);
    const steps = 10;
    const seen: Seen[] = [];
    const inFlight = new Map<number, number>();
    let maxInFlightPerQueue = 0;
    let queuesAtOnce = 0;
    // Calls wait until a second queue has a call running: consuming queues one after another would never finish.
    const entered = new Set<number>();
    let releaseFirstQueue!: () => void;
    const secondQueueEntered = new Promise<void>((resolve) => (releaseFirstQueue = resolve));
    const consumer = orderly(group, topic);
    consumer.registerOrderlyListener(async (msgs, context) => {
      assert.equal(msgs.length, 1, 'consumeMessageBatchMaxSize defaults to 1');
      const n = (inFlight.get(context.queue.queueId) ?? 0) + 1;
      inFlight.set(context.queue.queueId, n);
      maxInFlightPerQueue = Math.max(maxInFlightPerQueue, n);
      queuesAtOnce = Math.max(queuesAtOnce, [...inFlight.values()].filter((v) => v > 0).length);
      entered.add(context.queue.queueId);
      if (entered.size >= 2) releaseFirstQueue();
      else await secondQueueEntered;
      await new Promise((resolve) => setImmediate(resolve)); // give another call on this queue a chance to overlap
      seen.push(...msgs.map(parse));
      inFlight.set(context.queue.queueId, n - 1);
      return 'SUCCESS' as const;
    });
    await sendOrders(topic, orders, steps); // a backlog in every queue before the consumer starts
    await consumer.start();
    await pollUntil('every step consumed', () => seen.length >= orders.length * steps, WAIT_MS);
    assert.equal(seen.length, orders.length * steps, 'no duplicates');
    assertStepsInOrder(seen, orders, steps);
    assert.equal(maxInFlightPerQueue, 1, 'never two calls on one queue at once');
    assert.ok(queuesAtOnce > 1, 'different queues are consumed side by side');
    for (const queueId of [0, 1, 2, 3]) {
      const offsets = seen.filter((s) => s.queueId === queueId).map((s) => s.queueOffset);
      assert.deepEqual(offsets, [...offsets].sort((a, b) => a - b), `queue ${queueId} in offset order`);
    }
    await pollUntil('offsets committed to the end', async () => {
      for (const queueId of [0, 1, 2, 3]) {
        const count = seen.filter((s) => s.queueId === queueId).length;
        if ((await cluster.committedOffset(group, topic, queueId)) !== count) return false;
      }
      return true;
    }, WAIT_MS);
  });

  it('holds the broker lock of every queue it consumes and gives them back at shutdown', async () => {
    const topic = 'OrderedLocks';
    const group = 'CG_ORDERED_LOCKS';
    await cluster.createTopic(topic, 4);
    const consumer = orderly(group, topic);
    consumer.registerOrderlyListener(() => 'SUCCESS');
    await consumer.start();
    const { locks, clock } = cluster.broker.broker.context;
    const holders = (): Array<string | undefined> => [0, 1, 2, 3].map((queueId) => locks.holder(group, { topic, brokerName: 'broker-a', queueId }, clock.now()));
    await pollUntil('every queue locked', () => holders().every((h) => h === consumer.clientId), WAIT_MS);
    await consumer.shutdown();
    assert.deepEqual(holders(), [undefined, undefined, undefined, undefined]);
    assert.equal(locks.hasLiveLocks(group, clock.now()), false, 'the retry topic\'s queue was unlocked too');
  });

  it('a failing message is retried in place: its count rises, its queue waits, other queues go on', async () => {
    const topic = 'OrderedSuspend';
    await cluster.createTopic(topic, 2);
    const events: Array<Seen & { readonly outcome: string }> = [];
    const consumer = orderly('CG_ORDERED_SUSPEND', topic, { suspendCurrentQueueTimeMillis: 100 });
    consumer.registerOrderlyListener((msgs) => {
      const s = parse(msgs[0]!);
      // bad:1 in queue 0 fails (suspended, once thrown) at least three times and until queue 1 is
      // fully consumed: the test can only finish if the other queue progresses meanwhile.
      const isGoodDone = events.some((e) => e.order === 'good' && e.step === 2);
      let outcome = 'SUCCESS';
      if (s.order === 'bad' && s.step === 1 && (s.reconsumeTimes < 3 || !isGoodDone)) outcome = s.reconsumeTimes === 2 ? 'THROW' : 'SUSPEND_CURRENT_QUEUE_A_MOMENT';
      events.push({ ...s, outcome });
      if (outcome === 'THROW') throw new Error('listener failure');
      return outcome as 'SUCCESS' | 'SUSPEND_CURRENT_QUEUE_A_MOMENT';
    });
    for (let step = 0; step < 4; step++) await cluster.send(topic, `bad:${step}`, 0);
    await consumer.start();
    // Queue 1 gets messages only after bad:1 first failed, so their consumption overlaps its suspension.
    await pollUntil('the first failure', () => events.some((e) => e.order === 'bad' && e.outcome !== 'SUCCESS'), WAIT_MS);
    for (let step = 0; step < 3; step++) await cluster.send(topic, `good:${step}`, 1);
    await pollUntil('everything consumed', () => events.filter((e) => e.outcome === 'SUCCESS').length === 7, WAIT_MS);

    const bad1 = events.filter((e) => e.order === 'bad' && e.step === 1);
    assert.ok(bad1.length >= 4);
    assert.deepEqual(bad1.map((e) => e.reconsumeTimes), bad1.map((_, i) => i), 'the reconsume count rises with each retry');
    assert.equal(bad1[2]!.outcome, 'THROW');
    assert.deepEqual(bad1.map((e) => e.outcome === 'SUCCESS'), bad1.map((_, i) => i === bad1.length - 1), 'failed until its last delivery');
    const queue0 = events.filter((e) => e.order === 'bad');
    assert.deepEqual(queue0.map((e) => e.step), [0, ...bad1.map(() => 1), 2, 3], 'later messages of its queue waited');
    const badSucceeded = events.findIndex((e) => e.order === 'bad' && e.step === 1 && e.outcome === 'SUCCESS');
    const goodDone = events.findIndex((e) => e.order === 'good' && e.step === 2);
    assert.ok(goodDone < badSucceeded, 'the other queue was consumed while bad:1 was suspended');
    await pollUntil('queue 0 committed to its end', async () => (await cluster.committedOffset('CG_ORDERED_SUSPEND', topic, 0)) === 4, WAIT_MS);
  });

  it('past maxReconsumeTimes the message goes to %DLQ%<group> and its queue moves on', async () => {
    const topic = 'OrderedDlq';
    const group = 'CG_ORDERED_DLQ';
    await cluster.createTopic(topic, 1);
    const events: Seen[] = [];
    const consumer = orderly(group, topic, { suspendCurrentQueueTimeMillis: 10, maxReconsumeTimes: 2 });
    consumer.registerOrderlyListener((msgs) => {
      const s = parse(msgs[0]!);
      events.push(s);
      return s.order === 'poison' ? 'SUSPEND_CURRENT_QUEUE_A_MOMENT' : 'SUCCESS';
    });
    for (const body of ['a:0', 'poison:0', 'a:1']) await cluster.send(topic, body, 0);
    await consumer.start();
    await pollUntil('a:1 consumed', () => events.some((e) => e.order === 'a' && e.step === 1), WAIT_MS);
    assert.deepEqual(events.map((e) => `${e.order}:${e.step}/${e.reconsumeTimes}`), ['a:0/0', 'poison:0/0', 'poison:0/1', 'poison:0/2', 'a:1/0']);
    // The DLQ holds the poison message; read it with a concurrent consumer of another group.
    const dead: string[] = [];
    const dlqReader = orderly('CG_ORDERED_DLQ_READER', `%DLQ%${group}`);
    dlqReader.registerListener((msgs) => {
      dead.push(...msgs.map((m) => m.body.toString('utf8')));
      return 'CONSUME_SUCCESS';
    });
    await dlqReader.start();
    await pollUntil('the poison message in the DLQ', () => dead.length > 0, WAIT_MS);
    assert.deepEqual(dead, ['poison:0']);
    await pollUntil('the queue committed past the poison message', async () => (await cluster.committedOffset(group, topic, 0)) === 3, WAIT_MS);
  });

  it('a worker-thread (module) orderly listener keeps each queue in order', async () => {
    const topic = 'OrderedWorkers';
    await cluster.createTopic(topic, 4);
    const out = join(dir, 'worker-consumed.txt');
    const modulePath = join(dir, 'orderly-listener.js');
    // Sleeps a little per message (Atomics.wait blocks only its worker), so calls on several queues overlap.
    writeFileSync(modulePath, `
      const { appendFileSync } = require('node:fs');
      const { threadId } = require('node:worker_threads');
      exports.consume = async (messages, context) => {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
        for (const m of messages) appendFileSync(${JSON.stringify(out)}, [threadId, m.queueId, m.queueOffset, m.body.toString()].join(' ') + '\\n');
        return 'SUCCESS';
      };
    `);
    const consumer = orderly('CG_ORDERED_WORKERS', topic, { consumeThreadMin: 2, consumeThreadMax: 4, consumeMessageBatchMaxSize: 3 });
    consumer.registerOrderlyListener(modulePath);
    const orders = Array.from({ length: 8 }, (_, i) => `w${i}`);
    await sendOrders(topic, orders, 6); // a backlog, so several queues call the pool at once
    await consumer.start();
    const lines = (): string[][] => {
      try {
        return readFileSync(out, 'utf8').split('\n').filter((l) => l !== '').map((l) => l.split(' '));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
    };
    await pollUntil('every step consumed on the workers', () => lines().length >= orders.length * 6, WAIT_MS);
    const seen = lines().map(([, queueId, queueOffset, body]) => {
      const [order, step] = body!.split(':');
      return { order: order!, step: Number(step), queueId: Number(queueId), queueOffset: Number(queueOffset), reconsumeTimes: 0 };
    });
    assert.equal(seen.length, orders.length * 6);
    assertStepsInOrder(seen, orders, 6);
    assert.ok(new Set(lines().map(([thread]) => thread)).size > 1, 'more than one worker thread took part');
  });
});
