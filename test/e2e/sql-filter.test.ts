/**
 * SQL92 filtering across real processes: `cometmq namesrv` and `cometmq broker` (default config, so
 * enablePropertyFilter is on) as children, a PushConsumer subscribed by SQL in its own child, and
 * our producer in the test process. The broker is restarted in the middle; the subscription keeps
 * filtering and every matching message arrives exactly once.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Producer } from '../../src/client/producer/producer';
import { Admin, CometmqProcess, pollUntil, stopCluster, type Cluster } from '../interop/cometmq-processes';
import { EventChild, pickPorts, startServers, WAIT_MS } from './e2e-processes';

const CHILD = path.join(__dirname, 'children', 'push-consumer-child.js');
const QUEUES = 4;
const SQL = "(kind = 'book' AND price >= 10) OR vip = 'yes'";

interface ChildEvent {
  readonly event: string;
  readonly id?: string;
  readonly code?: string;
  readonly message?: string;
}

class SqlConsumerChild extends EventChild<ChildEvent> {
  constructor(config: { namesrvAddr: string; topic: string; group: string; instanceName: string; sql: string }) {
    super(CHILD, config);
  }

  ids(): string[] {
    return this.events().filter((e) => e.event === 'consumed').map((e) => e.id as string);
  }
}

/** i-th message: kind book on every third, vip on i % 10 = 7, price = i. */
function orderProperties(i: number): Record<string, string> {
  return { price: String(i), kind: i % 3 === 0 ? 'book' : 'food', ...(i % 10 === 7 ? { vip: 'yes' } : {}) };
}

function matches(i: number): boolean {
  return (i % 3 === 0 && i >= 10) || i % 10 === 7;
}

describe('SQL92 filter end to end across processes, with a broker restart', () => {
  let root: string;
  let cluster: Cluster;
  let admin: Admin;
  const children: SqlConsumerChild[] = [];

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cometmq-e2e-sql-'));
    cluster = await startServers(path.join(root, 'servers'), await pickPorts());
    admin = new Admin(cluster);
  });

  after(async () => {
    for (const child of children) await child.kill();
    await admin?.shutdown();
    if (cluster !== undefined) await stopCluster(cluster);
    fs.rmSync(root, { recursive: true, force: true });
  });

  async function send(topic: string, from: number, to: number): Promise<void> {
    const producer = new Producer({ groupName: 'PG_E2E_SQL', namesrvAddr: cluster.namesrvAddr, clientIP: '127.0.0.1' });
    await producer.start();
    try {
      for (let i = from; i < to; i++) {
        const result = await producer.send({ topic, body: `order-${i}`, tags: i % 2 === 0 ? 'even' : 'odd', properties: orderProperties(i) });
        assert.equal(result.sendStatus, 'SEND_OK');
      }
    } finally {
      await producer.shutdown();
    }
  }

  /** SIGTERM the broker process alone and start it again on the same port and data directory. */
  async function restartBroker(): Promise<void> {
    const [namesrv, broker] = cluster.processes;
    assert.ok(namesrv !== undefined && broker !== undefined);
    assert.equal(await broker.stop(), 0, 'the broker shuts down cleanly');
    const restarted = new CometmqProcess(['broker', '-c', path.join(root, 'servers', 'broker.conf')]);
    cluster = { ...cluster, processes: [namesrv, restarted] };
    await restarted.waitForLine(/ ready$/);
  }

  it('a PushConsumer subscribed by SQL gets exactly the matching messages, once, before and after a broker restart', async () => {
    const topic = 'E2ESql';
    const group = 'CG_E2E_SQL';
    await admin.createTopic(topic, QUEUES);
    const child = new SqlConsumerChild({ namesrvAddr: cluster.namesrvAddr, topic, group, instanceName: 'sql-a', sql: SQL });
    children.push(child);
    await pollUntil('the SQL consumer ready', () => child.events().some((e) => e.event === 'ready'), WAIT_MS, () => child.output());

    await send(topic, 0, 60);
    const expectedBefore = Array.from({ length: 60 }, (_, i) => i).filter(matches).map((i) => `order-${i}`);
    await pollUntil('every matching message before the restart', () => expectedBefore.every((id) => child.ids().includes(id)), WAIT_MS, () => child.output());
    await pollUntil('the group committed every queue (filtered messages included)', () => admin.hasCommittedAll(group, topic, QUEUES), WAIT_MS);

    await restartBroker();
    // The restarted broker knows the group again only from the consumer's next heartbeat, which it accepts.
    await pollUntil('the consumer registered again', async () => (await admin.consumerIds(group)).length === 1, WAIT_MS);
    await send(topic, 60, 120);
    const expected = Array.from({ length: 120 }, (_, i) => i).filter(matches).map((i) => `order-${i}`);
    await pollUntil('every matching message after the restart', () => expected.every((id) => child.ids().includes(id)), WAIT_MS, () => child.output());
    await pollUntil('the group committed every queue again', () => admin.hasCommittedAll(group, topic, QUEUES), WAIT_MS);

    const consumed = child.ids();
    assert.deepEqual([...consumed].sort(), [...expected].sort(), 'exactly the matching set');
    assert.equal(new Set(consumed).size, consumed.length, 'each message once');
    assert.equal(await child.stop(), 0);
  });

  it('a consumer process with a bad expression fails to start with the broker parser message', async () => {
    const topic = 'E2ESqlBad';
    await admin.createTopic(topic, 1);
    const child = new SqlConsumerChild({ namesrvAddr: cluster.namesrvAddr, topic, group: 'CG_E2E_SQL_BAD', instanceName: 'sql-bad', sql: "kind = 'book' AND" });
    children.push(child);
    await pollUntil('the start failure', () => child.events().some((e) => e.event === 'start-failed'), WAIT_MS, () => child.output());
    const failure = child.events().find((e) => e.event === 'start-failed');
    assert.equal(failure?.code, 'ERR_SUBSCRIPTION_PARSE_FAILED');
    assert.match(failure?.message ?? '', /column 18 \(offset 17\), at the end of the expression/);
    assert.deepEqual(await admin.consumerIds('CG_E2E_SQL_BAD'), [], 'the group never registered');
  });
});
