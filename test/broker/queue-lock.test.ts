/**
 * Queue locks for orderly consumers: the lock table's rules on explicit times (60 s expiry, renewal
 * by the holder, unlock only by the holder, release of clients that left), and LOCK_BATCH_MQ /
 * UNLOCK_BATCH_MQ over real sockets, where a client whose connection closes or which unregisters
 * loses its locks at once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../src/common';
import { LOCK_MAX_LIVE_MS, QueueLockManager } from '../../src/broker/registry/queue-lock-manager';
import { RequestCode, ResponseCode, createRequest } from '../../src/protocol';
import { RemotingClient } from '../../src/remoting';
import { startBroker, type BrokerFixture } from './broker-fixture';

const G = 'CG_LOCK';
const mq = (queueId: number) => ({ topic: 'LockTopic', brokerName: 'broker-a', queueId });

describe('QueueLockManager', () => {
  it('holds a queue for one client until 60 s without renewal pass', () => {
    const locks = new QueueLockManager();
    assert.equal(LOCK_MAX_LIVE_MS, 60_000);
    assert.deepEqual(locks.tryLock(G, 'A', [mq(0), mq(1)], 1000), [mq(0), mq(1)]);
    assert.deepEqual(locks.tryLock(G, 'B', [mq(0), mq(1), mq(2)], 2000), [mq(2)], 'B only gets the free queue');
    assert.deepEqual(locks.tryLock(G, 'B', [mq(0)], 1000 + 60_000), [], 'still live at exactly 60 s');
    assert.deepEqual(locks.tryLock(G, 'A', [mq(1)], 30_000), [mq(1)], 'the holder renews');
    assert.deepEqual(locks.tryLock(G, 'B', [mq(0), mq(1)], 1000 + 60_001), [mq(0)], 'q0 expired; q1 was renewed at 30 s');
    assert.equal(locks.holder(G, mq(0), 61_001), 'B');
    assert.equal(locks.holder(G, mq(1), 61_001), 'A');
    assert.equal(locks.holder(G, mq(1), 90_001), undefined, 'expired locks have no holder');
  });

  it('lets only the holder unlock, and releases clients that left the group', () => {
    const locks = new QueueLockManager();
    locks.retainClients(G, ['A', 'B']);
    locks.tryLock(G, 'A', [mq(0), mq(1)], 0);
    locks.tryLock(G, 'B', [mq(2)], 0);
    locks.unlock(G, 'B', [mq(0)]);
    assert.equal(locks.holder(G, mq(0), 1), 'A', 'B cannot unlock A\'s queue');
    locks.unlock(G, 'A', [mq(0)]);
    assert.equal(locks.holder(G, mq(0), 1), undefined);
    assert.equal(locks.retainClients(G, ['B']), 1, 'A left: its one remaining lock goes');
    assert.equal(locks.holder(G, mq(1), 1), undefined);
    assert.equal(locks.holder(G, mq(2), 1), 'B');
    assert.equal(locks.hasLiveLocks(G, 1), true);
    assert.equal(locks.retainClients(G, []), 1);
    assert.equal(locks.hasLiveLocks(G, 1), false);
  });

  it('leaves alone the locks of a client that was not a member (it locked before its heartbeat)', () => {
    const locks = new QueueLockManager();
    locks.retainClients(G, ['A']);
    locks.tryLock(G, 'A', [mq(0)], 0);
    locks.tryLock(G, 'C', [mq(1)], 0); // C reconnected and re-locked before heartbeating again
    assert.equal(locks.retainClients(G, ['A', 'B']), 0, 'B joining releases nothing');
    assert.equal(locks.retainClients(G, ['B']), 1, 'A left: only its lock goes');
    assert.equal(locks.holder(G, mq(1), 1), 'C');
  });
});

describe('LOCK_BATCH_MQ / UNLOCK_BATCH_MQ over the wire', () => {
  let fixture: BrokerFixture;
  const clients: RemotingClient[] = [];

  before(async () => {
    fixture = await startBroker(undefined, { brokerName: 'broker-a' });
  });

  after(async () => {
    for (const client of clients) await client.shutdown();
    await fixture?.close();
  });

  /** A consumer of G on its own connection, registered by a heartbeat. */
  async function member(clientId: string): Promise<RemotingClient> {
    const client = new RemotingClient({ logger: silentLogger });
    clients.push(client);
    const heartbeat = {
      clientID: clientId, producerDataSet: [],
      consumerDataSet: [{ groupName: G, consumeType: 'CONSUME_PASSIVELY', messageModel: 'CLUSTERING', consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET', subscriptionDataSet: [{ topic: 'LockTopic', subString: '*' }] }],
    };
    const response = await client.invokeSync(fixture.addr, createRequest(RequestCode.HEART_BEAT, {}, Buffer.from(JSON.stringify(heartbeat))), 5000);
    assert.equal(response.code, ResponseCode.SUCCESS, response.remark);
    return client;
  }

  async function lock(client: RemotingClient, clientId: string, queueIds: number[]): Promise<number[]> {
    const body = { consumerGroup: G, clientId, onlyThisBroker: false, mqSet: queueIds.map(mq) };
    const response = await client.invokeSync(fixture.addr, createRequest(RequestCode.LOCK_BATCH_MQ, {}, Buffer.from(JSON.stringify(body))), 5000);
    assert.equal(response.code, ResponseCode.SUCCESS, response.remark);
    const answer = JSON.parse(response.body!.toString('utf8')) as { lockOKMQSet: Array<{ queueId: number }> };
    return answer.lockOKMQSet.map((q) => q.queueId).sort();
  }

  it('a client whose connection closes loses its locks at once; unlock and unregister release too', async () => {
    const a = await member('client-A');
    const b = await member('client-B');
    assert.deepEqual(await lock(a, 'client-A', [0, 1]), [0, 1]);
    assert.deepEqual(await lock(b, 'client-B', [0, 1, 2]), [2], 'A\'s queues are refused to B');

    const unlock = { consumerGroup: G, clientId: 'client-B', mqSet: [mq(2)] };
    const unlocked = await b.invokeSync(fixture.addr, createRequest(RequestCode.UNLOCK_BATCH_MQ, {}, Buffer.from(JSON.stringify(unlock))), 5000);
    assert.equal(unlocked.code, ResponseCode.SUCCESS);
    assert.equal(fixture.broker.context.locks.holder(G, mq(2), fixture.broker.context.clock.now()), undefined);

    await a.shutdown(); // the broker sees the connection close
    const deadline = Date.now() + 5000;
    let got: number[] = [];
    while (got.length < 2 && Date.now() < deadline) got = await lock(b, 'client-B', [0, 1]);
    assert.deepEqual(got, [0, 1], 'B takes A\'s queues without waiting out the 60 s');

    const unregister = await b.invokeSync(fixture.addr, createRequest(RequestCode.UNREGISTER_CLIENT, { clientID: 'client-B', consumerGroup: G }), 5000);
    assert.equal(unregister.code, ResponseCode.SUCCESS);
    assert.equal(fixture.broker.context.locks.hasLiveLocks(G, fixture.broker.context.clock.now()), false, 'unregistering released B\'s locks');
  });

  it('refuses a malformed body with SYSTEM_ERROR and locks nothing', async () => {
    const client = await member('client-C');
    for (const body of ['not json', JSON.stringify({ consumerGroup: G, mqSet: [] }), JSON.stringify({ consumerGroup: G, clientId: 'client-C', mqSet: [{ topic: 'T' }] })]) {
      const response = await client.invokeSync(fixture.addr, createRequest(RequestCode.LOCK_BATCH_MQ, {}, Buffer.from(body)), 5000);
      assert.equal(response.code, ResponseCode.SYSTEM_ERROR, body);
    }
    assert.equal(fixture.broker.context.locks.hasLiveLocks(G, fixture.broker.context.clock.now()), false);
  });
});
