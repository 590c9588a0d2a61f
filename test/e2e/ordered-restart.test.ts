/**
 * A broker restart in the middle of ordered consumption: two orderly consumer processes hold the
 * queue locks and a producer streams order steps; the broker process is stopped and started again
 * on the same address and data. The broker's lock table is gone after the restart, so the
 * consumers take their locks again before going on; every order stays in sequence (re-deliveries
 * only as in-order replays) and nothing is lost. How long consumption paused is printed.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Producer } from '../../src/client/producer/producer';
import { Admin, CometmqProcess, pollUntil, stopCluster, type Cluster } from '../interop/cometmq-processes';
import { pickPorts, startServers, WAIT_MS } from './e2e-processes';
import { OrderStream, OrderedConsumerChild, checkOrders } from './ordered-stream';

const QUEUES = 4;
const TOPIC = 'OrderedRestart';
const GROUP = 'CG_ORDERED_RESTART';

describe('ordered consumption across a broker restart', () => {
  let root: string;
  let cluster: Cluster;
  let admin: Admin;
  let producer: Producer;
  let restarted: CometmqProcess | undefined;
  const children: OrderedConsumerChild[] = [];

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cometmq-ordered-restart-'));
    cluster = await startServers(path.join(root, 'servers'), await pickPorts());
    admin = new Admin(cluster);
    await admin.createTopic(TOPIC, QUEUES);
    producer = new Producer({ groupName: 'PG_ORDERED_RESTART', namesrvAddr: cluster.namesrvAddr, clientIP: '127.0.0.1' });
    await producer.start();
  });

  after(async () => {
    for (const child of children) await child.kill();
    await producer?.shutdown();
    await admin?.shutdown();
    await restarted?.stop();
    if (cluster !== undefined) await stopCluster(cluster);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('keeps every order in sequence and loses nothing when the broker restarts with queues locked', async () => {
    const orders = Array.from({ length: 16 }, (_, i) => `order-${i}`);
    const a = new OrderedConsumerChild('restart-a', { namesrvAddr: cluster.namesrvAddr, topic: TOPIC, group: GROUP, delayMs: 3 });
    const b = new OrderedConsumerChild('restart-b', { namesrvAddr: cluster.namesrvAddr, topic: TOPIC, group: GROUP, delayMs: 3 });
    children.push(a, b);
    await Promise.all([a.ready(), b.ready()]);
    const all = () => [...a.consumed(), ...b.consumed()];
    const stream = new OrderStream(producer, TOPIC, orders, 20);
    stream.start();
    await pollUntil('both consuming', () => a.consumed().length > 0 && b.consumed().length > 0, WAIT_MS, () => `${a.output()}\n${b.output()}`);
    await pollUntil('every queue consumed', () => new Set(all().map((e) => e.queueId)).size === QUEUES, WAIT_MS);

    // Restart: SIGTERM (a clean shutdown, offsets flushed), then the same broker.conf again.
    const broker = cluster.processes[1]!;
    assert.equal(await broker.stop(), 0);
    restarted = new CometmqProcess(['broker', '-c', path.join(root, 'servers', 'broker.conf')]);
    await restarted.waitForLine(/ ready$/);
    const backAt = performance.timeOrigin + performance.now();
    await pollUntil('every queue consumed again after the restart', () => new Set(all().filter((e) => e.t > backAt).map((e) => e.queueId)).size === QUEUES,
      WAIT_MS, () => `${a.output()}\n${b.output()}`);
    const resumedMs = Math.max(...[...Array(QUEUES).keys()].map((q) => Math.min(...all().filter((e) => e.queueId === q && e.t > backAt).map((e) => e.t)))) - backAt;

    const total = await stream.stop();
    await pollUntil('every step consumed', () => new Set(all().map((e) => e.id)).size === total, WAIT_MS, () => `${a.output()}\n${b.output()}`);
    const report = checkOrders(all(), stream.sent);
    console.log(`ordered restart: every queue consumed again ${resumedMs.toFixed(0)} ms after the broker was ready; ${total} messages, ${report.duplicates} re-delivered`);
    assert.equal(await a.stop(), 0);
    assert.equal(await b.stop(), 0);
  });
});
