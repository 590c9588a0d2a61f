/**
 * Issue 3's end-to-end flows across real processes on loopback, driven by OUR SDK: the name server
 * and the broker are `cometmq` child processes, consumers are PushConsumers in their own child
 * processes (test/e2e/children), and the producer runs in the test process.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Producer } from '../../src/client/producer/producer';
import { Admin, pollUntil, stopCluster, type Cluster } from '../interop/cometmq-processes';
import { RemotingClient } from '../../src/remoting';
import { ConsumerChild, pickPorts, pullHeldCount, startServers, WAIT_MS, type ConsumerChildConfig, type ServerPorts } from './e2e-processes';

const QUEUES = 4;

describe('SDK end to end across processes (name server, broker, consumers as children)', () => {
  let root: string;
  let ports: ServerPorts;
  let cluster: Cluster;
  let admin: Admin;
  let producer: Producer;
  const rpc = new RemotingClient();
  const children: ConsumerChild[] = [];

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cometmq-e2e-'));
    ports = await pickPorts();
    cluster = await startServers(path.join(root, 'servers'), ports);
    admin = new Admin(cluster);
    producer = new Producer({ groupName: 'PG_E2E', namesrvAddr: cluster.namesrvAddr, clientIP: '127.0.0.1' });
    await producer.start();
  });

  after(async () => {
    // Whatever a test left behind is killed; nothing outlives the file.
    for (const child of children) await child.kill();
    await producer?.shutdown();
    await admin?.shutdown();
    await rpc.shutdown();
    if (cluster !== undefined) await stopCluster(cluster);
    fs.rmSync(root, { recursive: true, force: true });
  });

  function consumer(overrides: Partial<ConsumerChildConfig> & Pick<ConsumerChildConfig, 'topic' | 'group' | 'instanceName'>): ConsumerChild {
    const child = new ConsumerChild({
      namesrvAddr: cluster.namesrvAddr, messageModel: 'CLUSTERING', hold: false,
      offsetStoreDir: path.join(root, 'offsets'), ...overrides,
    });
    children.push(child);
    return child;
  }

  async function sendIds(topic: string, ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      const result = await producer.send({ topic, body: id });
      assert.equal(result.sendStatus, 'SEND_OK');
    }
  }

  async function waitGroupSize(group: string, size: number): Promise<void> {
    await pollUntil(`${size} consumers in ${group}`, async () => (await admin.consumerIds(group)).length === size, WAIT_MS);
  }

  // First in the suite, so no other consumer's pulls are held by the broker while it counts.
  it('a held long poll answers as soon as a message arrives', async () => {
    const topic = 'E2ELongPoll';
    const group = 'CG_E2E_LONGPOLL';
    await admin.createTopic(topic, 1);
    assert.equal(await pullHeldCount(rpc, cluster.brokerAddr), 0, 'no pull held before the consumer starts');
    // Broadcasting: the one queue of the topic is the consumer's only pull (no retry topic). The
    // broker is asked to hold each pull for 60 s, longer than any wait below, so a delivery within
    // the wait can only come from the held pull being woken by the arrival.
    const child = consumer({ topic, group, instanceName: 'longpoll', messageModel: 'BROADCASTING', suspendMs: 60_000 });
    await child.ready();
    await sendIds(topic, ['longpoll-warmup']);
    await pollUntil('the warm-up consumed', () => child.ids().includes('longpoll-warmup'), WAIT_MS, () => child.output());
    // The pull that delivered the warm-up has been answered; the next one is held on the empty queue.
    await pollUntil('the next pull held by the broker', async () => (await pullHeldCount(rpc, cluster.brokerAddr)) === 1, WAIT_MS);

    // Ordering: pull held -> send acknowledged -> probe delivered (well before the 60 s hold ends).
    await sendIds(topic, ['longpoll-probe']);
    await pollUntil('the probe delivered by the held pull', () => child.ids().includes('longpoll-probe'), WAIT_MS, () => child.output());
    assert.deepEqual(child.ids(), ['longpoll-warmup', 'longpoll-probe']);
    // Killed, not stopped: a graceful shutdown would not wait out the 60 s hold here. (As in
    // RocketMQ, the broker keeps a dead connection's held pull until its hold ends.)
    await child.kill();
  });

  it('clustering: two consumer processes of one group consume every message exactly once', async () => {
    const topic = 'E2EClustering';
    const group = 'CG_E2E_CLUSTER';
    await admin.createTopic(topic, QUEUES);
    const a = consumer({ topic, group, instanceName: 'cluster-a' });
    const b = consumer({ topic, group, instanceName: 'cluster-b' });
    await Promise.all([a.ready(), b.ready()]);
    await waitGroupSize(group, 2);

    // Steady state: probe every queue until each probe is consumed once and the queues are split
    // 2/2 (averagely over 2 consumers), i.e. both have rebalanced and dropped what they gave up.
    const queues = await producer.publishQueues(topic);
    assert.equal(queues.length, QUEUES);
    let round = 0;
    await pollUntil('a clean 2/2 split of the queues', async () => {
      round++;
      const probes: string[] = [];
      for (const queue of queues) {
        const id = `probe-${round}-${queue.queueId}`;
        probes.push(id);
        const result = await producer.send({ topic, body: id }, { queue });
        assert.equal(result.sendStatus, 'SEND_OK');
      }
      await pollUntil(`probes of round ${round}`, () => probes.every((id) => a.ids().includes(id) || b.ids().includes(id)), WAIT_MS);
      const byA = probes.filter((id) => a.ids().includes(id));
      const byB = probes.filter((id) => b.ids().includes(id));
      return byA.length === 2 && byB.length === 2;
    }, WAIT_MS);
    const beforeA = a.ids().length;
    const beforeB = b.ids().length;

    const ids = Array.from({ length: 200 }, (_, i) => `cluster-${i}`);
    await sendIds(topic, ids);
    const steady = (): string[] => [...a.ids().slice(beforeA), ...b.ids().slice(beforeB)];
    await pollUntil('every message consumed', () => new Set(steady()).size === ids.length, WAIT_MS, () => `${a.output()}\n${b.output()}`);
    await pollUntil('the group committed every queue', () => admin.hasCommittedAll(group, topic, QUEUES), WAIT_MS);

    const consumed = steady();
    assert.deepEqual([...consumed].sort(), [...ids].sort(), 'each message exactly once across the two consumers');
    assert.ok(a.ids().length > beforeA && b.ids().length > beforeB, 'both consumers took a share');
    assert.equal(await a.stop(), 0);
    assert.equal(await b.stop(), 0);
  });

  it('broadcasting: both consumer processes get every message', async () => {
    const topic = 'E2EBroadcast';
    const group = 'CG_E2E_BROADCAST';
    await admin.createTopic(topic, QUEUES);
    const a = consumer({ topic, group, instanceName: 'broadcast-a', messageModel: 'BROADCASTING' });
    const b = consumer({ topic, group, instanceName: 'broadcast-b', messageModel: 'BROADCASTING' });
    await Promise.all([a.ready(), b.ready()]);

    const ids = Array.from({ length: 100 }, (_, i) => `broadcast-${i}`);
    await sendIds(topic, ids);
    for (const child of [a, b]) {
      await pollUntil(`${child.config.instanceName} got everything`, () => new Set(child.ids()).size === ids.length, WAIT_MS, () => child.output());
      assert.deepEqual([...new Set(child.ids())].sort(), [...ids].sort());
    }
    assert.equal(await a.stop(), 0);
    assert.equal(await b.stop(), 0);
  });

  it('a consumer killed with SIGKILL mid-stream has its unacknowledged messages redelivered to the survivor', async () => {
    const topic = 'E2EKilled';
    const group = 'CG_E2E_KILLED';
    await admin.createTopic(topic, QUEUES);
    const stuck = consumer({ topic, group, instanceName: 'killed-stuck', hold: true });
    await stuck.ready();
    await waitGroupSize(group, 1);

    // The stuck consumer owns every queue and holds every message without finishing it.
    const ids = Array.from({ length: 12 }, (_, i) => `killed-${i}`);
    await sendIds(topic, ids);
    await pollUntil('every message held', () => new Set(stuck.ids('held')).size === ids.length, WAIT_MS, () => stuck.output());

    const survivor = consumer({ topic, group, instanceName: 'killed-survivor' });
    await survivor.ready();
    await waitGroupSize(group, 2);
    await stuck.kill();
    await pollUntil('every held message redelivered to the survivor', () => ids.every((id) => survivor.ids().includes(id)), WAIT_MS, () => survivor.output());

    assert.deepEqual(stuck.ids('consumed'), [], 'the stuck consumer acknowledged nothing');
    assert.deepEqual([...new Set(survivor.ids())].sort(), [...ids].sort());
    await pollUntil('the survivor committed every queue', () => admin.hasCommittedAll(group, topic, QUEUES), WAIT_MS);
    assert.equal(await survivor.stop(), 0);
  });

});

describe('SDK end to end: committed offsets survive a broker restart', () => {
  it('a consumer of the same group continues after SIGTERM and restart without redelivery', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cometmq-e2e-restart-'));
    const ports = await pickPorts();
    const dataDir = path.join(root, 'servers');
    const topic = 'E2ERestart';
    const group = 'CG_E2E_RESTART';
    const children: ConsumerChild[] = [];
    let cluster: Cluster | undefined;
    try {
      cluster = await startServers(dataDir, ports);
      const admin = new Admin(cluster);
      await admin.createTopic(topic, QUEUES);
      const config = { namesrvAddr: cluster.namesrvAddr, topic, group, messageModel: 'CLUSTERING' as const, hold: false, offsetStoreDir: path.join(root, 'offsets') };
      const first = new ConsumerChild({ ...config, instanceName: 'restart-first' });
      children.push(first);
      await first.ready();

      const producer = new Producer({ groupName: 'PG_E2E_RESTART', namesrvAddr: cluster.namesrvAddr, clientIP: '127.0.0.1' });
      await producer.start();
      const before = Array.from({ length: 40 }, (_, i) => `before-${i}`);
      for (const id of before) assert.equal((await producer.send({ topic, body: id })).sendStatus, 'SEND_OK');
      await producer.shutdown();
      await pollUntil('the first consumer got everything', () => new Set(first.ids()).size === before.length, WAIT_MS, () => first.output());
      await pollUntil('the group committed every queue', () => admin.hasCommittedAll(group, topic, QUEUES), WAIT_MS);
      assert.equal(await first.stop(), 0);
      await admin.shutdown();

      assert.deepEqual(await stopCluster(cluster), [0, 0], 'both servers shut down cleanly on SIGTERM');
      cluster = await startServers(dataDir, ports);
      const adminAfter = new Admin(cluster);
      try {
        assert.ok(await adminAfter.hasCommittedAll(group, topic, QUEUES), 'committed offsets read back after the restart');
        const producerAfter = new Producer({ groupName: 'PG_E2E_RESTART', namesrvAddr: cluster.namesrvAddr, clientIP: '127.0.0.1' });
        await producerAfter.start();
        const afterIds = Array.from({ length: 40 }, (_, i) => `after-${i}`);
        for (const id of afterIds) assert.equal((await producerAfter.send({ topic, body: id })).sendStatus, 'SEND_OK');
        await producerAfter.shutdown();

        // FIRST_OFFSET would replay `before` if the group's offsets had been lost.
        const second = new ConsumerChild({ ...config, instanceName: 'restart-second' });
        children.push(second);
        await second.ready();
        await pollUntil('the second consumer got the new messages', () => afterIds.every((id) => second.ids().includes(id)), WAIT_MS, () => second.output());
        await pollUntil('the group committed every queue again', () => adminAfter.hasCommittedAll(group, topic, QUEUES), WAIT_MS);
        assert.deepEqual(second.ids().filter((id) => id.startsWith('before-')), [], 'no committed message redelivered');
        assert.deepEqual([...second.ids()].sort(), [...afterIds].sort());
        assert.equal(await second.stop(), 0);
      } finally {
        await adminAfter.shutdown();
      }
    } finally {
      for (const child of children) await child.kill();
      if (cluster !== undefined) await stopCluster(cluster);
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
