/**
 * Ordered consumption across processes while the group changes under a live stream: a second
 * orderly consumer joins (the first hands its queues over after finishing the message in hand and
 * committing), then one consumer is SIGKILLed (the broker frees its locks when its connection
 * closes and the survivor takes over). Every order's steps stay in order; re-deliveries happen
 * only at the kill, as in-order replays. The hand-over times are printed, not asserted.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Producer } from '../../src/client/producer/producer';
import { Admin, pollUntil, stopCluster, type Cluster } from '../interop/cometmq-processes';
import { pickPorts, startServers, WAIT_MS } from './e2e-processes';
import { OrderStream, OrderedConsumerChild, checkOrders, type Consumed } from './ordered-stream';

const QUEUES = 4;
const TOPIC = 'OrderedHandover';
const GROUP = 'CG_ORDERED_HANDOVER';

describe('ordered consumption across processes: a consumer joins, a consumer is killed', () => {
  let root: string;
  let cluster: Cluster;
  let admin: Admin;
  let producer: Producer;
  const children: OrderedConsumerChild[] = [];

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cometmq-ordered-'));
    cluster = await startServers(path.join(root, 'servers'), await pickPorts());
    admin = new Admin(cluster);
    await admin.createTopic(TOPIC, QUEUES);
    producer = new Producer({ groupName: 'PG_ORDERED_HANDOVER', namesrvAddr: cluster.namesrvAddr, clientIP: '127.0.0.1' });
    await producer.start();
  });

  after(async () => {
    for (const child of children) await child.kill();
    await producer?.shutdown();
    await admin?.shutdown();
    if (cluster !== undefined) await stopCluster(cluster);
    fs.rmSync(root, { recursive: true, force: true });
  });

  function consumer(name: string): OrderedConsumerChild {
    const child = new OrderedConsumerChild(name, { namesrvAddr: cluster.namesrvAddr, topic: TOPIC, group: GROUP, delayMs: 2 });
    children.push(child);
    return child;
  }

  const queuesOf = (events: readonly Consumed[]): Set<number> => new Set(events.map((e) => e.queueId));

  it('keeps every order in sequence through a join and a SIGKILL, and measures the hand-overs', async () => {
    const orders = Array.from({ length: 16 }, (_, i) => `order-${i}`);
    const stream = new OrderStream(producer, TOPIC, orders, 20);
    const a = consumer('ordered-a');
    await a.ready();
    stream.start();
    await pollUntil('a consuming every queue', () => queuesOf(a.consumed()).size === QUEUES, WAIT_MS, () => a.output());

    // Join: b's queues move from a to b once a has finished and committed what it was consuming.
    const b = consumer('ordered-b');
    const bStarted = await b.ready();
    await pollUntil('b consuming', () => b.consumed().length > 0, WAIT_MS, () => b.output());
    const joinHandoverMs = b.consumed()[0]!.t - bStarted;
    await pollUntil('b consuming two queues', () => queuesOf(b.consumed()).size === QUEUES / 2, WAIT_MS, () => b.output());
    const bQueues = queuesOf(b.consumed());
    for (const queueId of bQueues) {
      const lastByA = Math.max(...a.consumed().filter((e) => e.queueId === queueId).map((e) => e.t));
      const firstByB = Math.min(...b.consumed().filter((e) => e.queueId === queueId).map((e) => e.t));
      assert.ok(lastByA < firstByB, `queue ${queueId}: a had stopped before b began (one consumer per queue)`);
    }
    const beforeKill = [...a.consumed(), ...b.consumed()];
    assert.equal(checkOrders(beforeKill, new Map(orders.map((o) => [o, Math.max(0, ...beforeKill.filter((e) => e.order === o).map((e) => e.step + 1))]))).duplicates, 0,
      'a graceful hand-over re-delivers nothing');

    // Kill: a's queues go to b as soon as the broker sees a's connection close.
    const aQueues = new Set([...Array(QUEUES).keys()].filter((q) => !bQueues.has(q)));
    const killedAt = performance.timeOrigin + performance.now();
    await a.kill();
    const takenOver = (): Consumed[] => b.consumed().filter((e) => aQueues.has(e.queueId) && e.t > killedAt);
    await pollUntil('b consuming a\'s queues', () => queuesOf(takenOver()).size === aQueues.size, WAIT_MS, () => b.output());
    const killHandoverMs = Math.max(...[...aQueues].map((q) => Math.min(...takenOver().filter((e) => e.queueId === q).map((e) => e.t)))) - killedAt;

    const total = await stream.stop();
    await pollUntil('every step consumed', () => new Set([...a.consumed(), ...b.consumed()].map((e) => e.id)).size === total, WAIT_MS, () => b.output());
    const report = checkOrders([...a.consumed(), ...b.consumed()], stream.sent);
    console.log(`ordered hand-over: join ${joinHandoverMs.toFixed(0)} ms (b's start() -> b's first message), `
      + `kill ${killHandoverMs.toFixed(0)} ms (SIGKILL -> b consuming all of a's queues); ${total} messages, ${report.duplicates} re-delivered at the kill`);
    assert.equal(await b.stop(), 0);
  });
});
