/**
 * Transactions end to end across real processes: `cometmq namesrv` and `cometmq broker` (short
 * check periods in its broker.conf) as children, a PushConsumer child that reports what it consumes,
 * TransactionProducers in the test process and in children (one of them SIGKILLed in the middle of
 * its local transaction; another producer process of the same group resolves its half message
 * through the broker's check).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TransactionProducer } from '../../src/client/producer/transaction-producer';
import type { LocalTransactionState } from '../../src/client/producer/transaction-listener';
import { Admin, CometmqProcess, pollUntil, startNamesrvAndBroker, stopCluster, type Cluster } from '../interop/cometmq-processes';
import { ConsumerChild, jsonEvents, WAIT_MS } from './e2e-processes';

const TOPIC = 'E2ETransactions';
const QUEUES = 2;
const PRODUCER_CHILD = path.join(__dirname, 'children', 'transaction-producer-child.js');
/** First check after 1 s, passes every 300 ms: a check round trip fits comfortably in WAIT_MS. */
const BROKER_CONF = { transactionCheckInterval: '300', transactionTimeOut: '1000', transactionCheckMax: '15' };

interface ChildEvent { readonly event: string; readonly body?: string; readonly state?: string; readonly topic?: string }

describe('transactions across processes (name server, broker, consumer and producers as children)', () => {
  let root: string;
  let cluster: Cluster;
  let admin: Admin;
  let consumer: ConsumerChild;
  const children: CometmqProcess[] = [];
  /** The test process's "database": bodies whose local transaction committed. */
  const committedHere = new Set<string>();
  const checkedHere: string[] = [];
  let producer: TransactionProducer;

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cometmq-tx-e2e-'));
    cluster = await startNamesrvAndBroker(root, BROKER_CONF);
    admin = new Admin(cluster);
    await admin.createTopic(TOPIC, QUEUES);
    consumer = new ConsumerChild({
      namesrvAddr: cluster.namesrvAddr, topic: TOPIC, group: 'CG_TX_E2E', instanceName: 'tx-consumer',
      messageModel: 'CLUSTERING', hold: false, offsetStoreDir: path.join(root, 'offsets'),
    });
    await consumer.ready();
    producer = new TransactionProducer({
      namesrvAddr: cluster.namesrvAddr, groupName: 'PG_TX_E2E', clientIP: '127.0.0.1', instanceName: 'tx-test-process',
      // Frequent heartbeats: after the broker restart the group must be known again before a check.
      heartbeatIntervalMs: 300,
      transactionListener: {
        executeLocalTransaction: (msg, arg) => {
          if (arg !== 'commit') return arg as LocalTransactionState;
          committedHere.add(String(msg.body));
          return 'COMMIT_MESSAGE';
        },
        checkLocalTransaction: (msg) => {
          const body = msg.body.toString('utf8');
          checkedHere.push(body);
          return committedHere.has(body) ? 'COMMIT_MESSAGE' : 'UNKNOW';
        },
      },
    });
    await producer.start();
  });

  after(async () => {
    for (const child of children) await child.kill();
    await consumer?.kill();
    await producer?.shutdown();
    await admin?.shutdown();
    if (cluster !== undefined) await stopCluster(cluster);
    fs.rmSync(root, { recursive: true, force: true });
  });

  async function totalInTopic(): Promise<number> {
    let total = 0;
    for (let q = 0; q < QUEUES; q++) total += await admin.maxOffset(TOPIC, q);
    return total;
  }

  function consumedCount(body: string): number {
    return consumer.ids().filter((id) => id === body).length;
  }

  it('bad input is refused before anything is sent', async () => {
    const listener = { executeLocalTransaction: () => 'COMMIT_MESSAGE' as const, checkLocalTransaction: () => 'COMMIT_MESSAGE' as const };
    assert.throws(() => new TransactionProducer({ namesrvAddr: cluster.namesrvAddr, groupName: 'PG_BAD', transactionListener: {} as never }),
      (err: Error & { code?: string }) => err.code === 'ERR_INVALID_ARGUMENT' && /transactionListener/.test(err.message));
    const idle = new TransactionProducer({ namesrvAddr: cluster.namesrvAddr, groupName: 'PG_IDLE', transactionListener: listener });
    await assert.rejects(idle.sendMessageInTransaction({ topic: TOPIC, body: 'x' }), (err: Error & { code?: string }) => err.code === 'ERR_ILLEGAL_OPERATION');
    await assert.rejects(producer.sendMessageInTransaction({ topic: TOPIC, body: 'delayed', delayTimeLevel: 2 }),
      (err: Error & { code?: string }) => err.code === 'ERR_MESSAGE_ILLEGAL' && /delayTimeLevel/.test(err.message));
    await assert.rejects(producer.sendMessageInTransaction({ topic: 'RMQ_SYS_TRANS_HALF_TOPIC', body: 'sneaky' }),
      (err: Error & { code?: string }) => err.code === 'ERR_MESSAGE_ILLEGAL');
    assert.equal(await totalInTopic(), 0, 'nothing was stored');
  });

  it('commit is consumed exactly once, rollback never, UNKNOW is committed by the check', async () => {
    const committed = await producer.sendMessageInTransaction({ topic: TOPIC, body: 'tx-commit' }, 'commit');
    assert.equal(committed.localTransactionState, 'COMMIT_MESSAGE');
    assert.equal(committed.transactionId, committed.msgId);
    const rolledBack = await producer.sendMessageInTransaction({ topic: TOPIC, body: 'tx-rollback' }, 'ROLLBACK_MESSAGE');
    assert.equal(rolledBack.localTransactionState, 'ROLLBACK_MESSAGE');
    const unknown = await producer.sendMessageInTransaction({ topic: TOPIC, body: 'tx-unknown' }, 'UNKNOW');
    assert.equal(unknown.localTransactionState, 'UNKNOW');

    await pollUntil('tx-commit consumed', () => consumedCount('tx-commit') === 1, WAIT_MS, () => consumer.output());
    // The local transaction of tx-unknown commits later; the broker's check learns it.
    committedHere.add('tx-unknown');
    await pollUntil('tx-unknown consumed after a check', () => consumedCount('tx-unknown') === 1, WAIT_MS, () => consumer.output());
    assert.ok(checkedHere.includes('tx-unknown'), 'the producer was asked about the UNKNOW transaction');
    assert.ok(!checkedHere.includes('tx-commit'), 'an ended transaction is not checked');
    assert.equal(await totalInTopic(), 2, 'exactly the two committed messages are in the topic');
    assert.equal(consumedCount('tx-rollback'), 0);
    assert.equal(consumedCount('tx-commit'), 1);
  });

  it('a producer SIGKILLed after its half message is resolved by another producer process of the group', async () => {
    const dead = new CometmqProcess([JSON.stringify({
      namesrvAddr: cluster.namesrvAddr, group: 'PG_TX_CRASH', instanceName: 'tx-doomed', mode: 'hang', topic: TOPIC, body: 'tx-orphan',
    })], PRODUCER_CHILD);
    children.push(dead);
    await pollUntil('the half message stored', () => events(dead).some((e) => e.event === 'half-sent'), WAIT_MS, () => dead.lines.join('\n'));
    await dead.kill();

    const heir = new CometmqProcess([JSON.stringify({
      namesrvAddr: cluster.namesrvAddr, group: 'PG_TX_CRASH', instanceName: 'tx-heir', mode: 'checker', committedBodies: ['tx-orphan'],
    })], PRODUCER_CHILD);
    children.push(heir);
    await pollUntil('tx-orphan consumed', () => consumedCount('tx-orphan') === 1, WAIT_MS, () => `${heir.lines.join('\n')}\n${consumer.output()}`);
    const checked = events(heir).filter((e) => e.event === 'checked');
    assert.ok(checked.some((e) => e.body === 'tx-orphan' && e.state === 'COMMIT_MESSAGE' && e.topic === TOPIC), 'the heir answered the check');
    assert.equal(await totalInTopic(), 3);
    assert.equal(consumedCount('tx-orphan'), 1);
    await heir.stop();
  });

  // Last: it replaces the broker process.
  it('a broker SIGKILLed and restarted still checks a half message left unresolved', async () => {
    const pendingBody = 'tx-across-restart';
    const sent = await producer.sendMessageInTransaction({ topic: TOPIC, body: pendingBody }, 'UNKNOW');
    assert.equal(sent.localTransactionState, 'UNKNOW');
    const before = await totalInTopic();
    const oldBroker = cluster.processes[1]!;
    await oldBroker.kill();

    // The same store and the same address (clients reconnect without a route change).
    const confFile = path.join(root, 'broker.conf');
    const port = cluster.brokerAddr.split(':')[1]!;
    fs.writeFileSync(confFile, fs.readFileSync(confFile, 'utf8').replace(/^listenPort=0$/m, `listenPort=${port}`));
    const broker = new CometmqProcess(['broker', '-c', confFile]);
    children.push(broker);
    await broker.waitForLine(/ ready$/);

    checkedHere.length = 0;
    committedHere.add(pendingBody);
    await pollUntil(`${pendingBody} committed after the restart`, async () => (await totalInTopic()) === before + 1, WAIT_MS, () => broker.lines.join('\n'));
    assert.ok(checkedHere.includes(pendingBody), 'the restarted broker asked the producer');
    await pollUntil(`${pendingBody} consumed`, () => consumedCount(pendingBody) === 1, WAIT_MS, () => consumer.output());
  });
});

function events(run: CometmqProcess): ChildEvent[] {
  return jsonEvents<ChildEvent>(run);
}
