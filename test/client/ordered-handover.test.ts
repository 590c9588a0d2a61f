/**
 * Lock hand-over between two orderly consumers in this process (real broker and name server on
 * loopback): when a second consumer joins while the first is in the middle of a message on the
 * queue it is losing, the first finishes that message, commits and unlocks; the newcomer, refused
 * meanwhile, gets the queue by its retry backoff (not by a later rebalance or the 20 s renewal)
 * and starts after the finished message, so nothing is consumed twice. And a consumer whose
 * connection drops treats its locks as gone until it has them again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PushConsumer } from '../../src/client/consumer/push-consumer';
import { pollUntil } from '../interop/cometmq-processes';
import { startCluster, type ClusterFixture } from './consumer/cluster-fixture';

const WAIT_MS = 20_000;
/** Well under the 20 s lock renewal (and the 10 min rebalance interval set below): only the retry backoff can hand over in time. */
const HANDOVER_DEADLINE_MS = 10_000;

describe('orderly lock hand-over when a consumer joins', () => {
  let cluster: ClusterFixture;
  const consumers: PushConsumer[] = [];
  /** Listener gates still shut: opened before the shutdowns, so a failed test cannot hang them. */
  const gates: Array<() => void> = [];

  before(async () => {
    cluster = await startCluster();
  });

  after(async () => {
    for (const open of gates) open();
    for (const consumer of consumers) await consumer.shutdown();
    await cluster?.close();
  });

  it('the old owner finishes and commits the message in hand, the newcomer takes over after it', async () => {
    const topic = 'OrderedJoin';
    const group = 'CG_ORDERED_JOIN';
    await cluster.createTopic(topic, 2);
    const seen: Array<{ by: string; body: string; queueId: number }> = [];
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    gates.push(openGate);
    const holding = new Set<number>();
    const start = async (name: string): Promise<PushConsumer> => {
      const consumer = new PushConsumer({ groupName: group, namesrvAddr: cluster.namesrvAddr, consumeFromWhere: 'FIRST_OFFSET', rebalanceIntervalMs: 600_000 });
      consumer.subscribe(topic, '*');
      consumer.registerOrderlyListener(async (msgs) => {
        const body = msgs[0]!.body.toString('utf8');
        if (body === 'hold') {
          holding.add(msgs[0]!.queueId);
          await gate; // in the middle of a message when the other consumer joins
        }
        seen.push({ by: name, body, queueId: msgs[0]!.queueId });
        return 'SUCCESS' as const;
      });
      consumers.push(consumer);
      await consumer.start();
      return consumer;
    };
    const a = await start('a');
    for (const queueId of [0, 1]) await cluster.send(topic, 'first', queueId);
    await pollUntil('a consumed both queues', () => seen.length === 2, WAIT_MS);
    for (const queueId of [0, 1]) await cluster.send(topic, 'hold', queueId);
    await pollUntil('a in the middle of "hold" on both queues', () => holding.size === 2, WAIT_MS);

    const b = await start('b');
    await pollUntil('b assigned one queue of the topic', () => b.ownedQueues().filter((q) => q.topic === topic).length === 1, WAIT_MS);
    const lost = b.ownedQueues().find((q) => q.topic === topic)!.queueId;
    const { locks, clock } = cluster.broker.broker.context;
    const holder = (): string | undefined => locks.holder(group, { topic, brokerName: 'broker-a', queueId: lost }, clock.now());
    assert.equal(holder(), a.clientId, 'a keeps the lock while its listener is still on the message');

    openGate();
    for (const queueId of [0, 1]) await cluster.send(topic, 'next', queueId);
    await pollUntil('b consuming the queue it was given', () => seen.some((s) => s.by === 'b' && s.body === 'next'), HANDOVER_DEADLINE_MS);
    assert.equal(holder(), b.clientId);
    await pollUntil('every message consumed', () => seen.length === 6, WAIT_MS);
    const ofLost = seen.filter((s) => s.queueId === lost).map((s) => `${s.by}:${s.body}`);
    assert.deepEqual(ofLost, ['a:first', 'a:hold', 'b:next'], 'a finished "hold" and committed it; b started after it');
    const ofKept = seen.filter((s) => s.queueId !== lost).map((s) => `${s.by}:${s.body}`);
    assert.deepEqual(ofKept, ['a:first', 'a:hold', 'a:next']);
  });

  it('a consumer whose connection drops stops consuming until it holds the lock again', async () => {
    const topic = 'OrderedDrop';
    const group = 'CG_ORDERED_DROP';
    await cluster.createTopic(topic, 1);
    for (const body of ['m1', 'm2']) await cluster.send(topic, body, 0);
    const done: string[] = [];
    let entered = false;
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    gates.push(openGate);
    const consumer = new PushConsumer({ groupName: group, namesrvAddr: cluster.namesrvAddr, consumeFromWhere: 'FIRST_OFFSET', heartbeatIntervalMs: 200, pullErrorBackoffMs: 100 });
    consumers.push(consumer);
    consumer.subscribe(topic, '*');
    consumer.registerOrderlyListener(async (msgs) => {
      const body = msgs[0]!.body.toString('utf8');
      if (body === 'm1') {
        entered = true;
        await gate;
      }
      done.push(body);
      return 'SUCCESS' as const;
    });
    await consumer.start();
    await pollUntil('m1 in the listener', () => entered, WAIT_MS);

    // The link drops while m1 is in hand; the broker frees the lock and another client takes it.
    const { locks, clock, consumers: registry } = cluster.broker.broker.context;
    const queue = { topic, brokerName: 'broker-a', queueId: 0 };
    const connectionOf = () => [...registry.group(group)?.clients.values() ?? []].find((c) => c.clientId === consumer.clientId)?.connection;
    const dropped = connectionOf()!;
    locks.unlock(group, consumer.clientId, [queue]);
    assert.deepEqual(locks.tryLock(group, 'another-client', [queue], clock.now()), [queue]);
    dropped.close();
    // A heartbeat on a new connection means the consumer has seen the old one close.
    await pollUntil('the consumer back on a new connection', () => (connectionOf()?.id ?? dropped.id) !== dropped.id, WAIT_MS);

    openGate();
    await pollUntil('m1 finished', () => done.includes('m1'), WAIT_MS);
    assert.deepEqual(done, ['m1'], 'm2 waits: the lock went with the connection and another client has it');
    locks.unlock(group, 'another-client', [queue]);
    await pollUntil('m2 consumed once the lock is back', () => done.includes('m2'), WAIT_MS);
    assert.deepEqual(done, ['m1', 'm2']);
    assert.equal(locks.holder(group, queue, clock.now()), consumer.clientId);
  });
});
