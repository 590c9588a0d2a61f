/**
 * Transactions on one in-process broker over real sockets and files: half messages are invisible,
 * END_TRANSACTION commits exactly once or rolls back, bad END_TRANSACTION requests are refused
 * without losing anything, checks reach a live producer and are capped by transactionCheckMax.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { encodeProperties } from '../../src/message';
import { RequestCode, ResponseCode, createRequest, encodeBatchBody } from '../../src/protocol';
import { startBroker, type BrokerFixture } from './broker-fixture';
import { COMMIT, ROLLBACK, ProducerConnection, TX_BROKER_CONF, endRequest, readQueue, readSystemQueue, sendHalf } from './transaction-helpers';
import { waitFor } from './wait-for';

let fx: BrokerFixture;

before(async () => {
  // A long check interval: this file's first tests must not see checks (the last one uses its own broker).
  fx = await startBroker(undefined, { ...TX_BROKER_CONF, transactionCheckInterval: 3_600_000 });
});

after(async () => {
  await fx.close();
});

test('a half message is invisible until committed; the commit makes it visible exactly once', async () => {
  const half = await sendHalf(fx, 'TxCommit', 'order-1', 'PG_TX', 2);
  assert.deepEqual(await readQueue(fx, 'TxCommit', 2), [], 'a half message is not in its real queue');
  const [stored] = await readSystemQueue(fx, 'RMQ_SYS_TRANS_HALF_TOPIC');
  assert.equal(stored?.properties['REAL_TOPIC'], 'TxCommit');
  assert.equal(stored?.properties['REAL_QID'], '2');
  assert.equal(stored?.sysFlag & 0xc, 0, 'stored as a normal record in the half topic');

  const committed = await fx.invoke(endRequest('PG_TX', half, COMMIT));
  assert.equal(committed.code, ResponseCode.SUCCESS, committed.remark);
  const again = await fx.invoke(endRequest('PG_TX', half, COMMIT, true));
  assert.equal(again.code, ResponseCode.SUCCESS, 'a repeated commit is accepted and does nothing');

  const visible = await readQueue(fx, 'TxCommit', 2);
  assert.equal(visible.length, 1);
  const message = visible[0]!;
  assert.equal(message.body.toString(), 'order-1');
  assert.equal(message.tags, 'TagA');
  assert.equal(message.properties['UNIQ_KEY'], half.uniqKey);
  assert.equal(message.properties['REAL_TOPIC'], undefined);
  assert.equal(message.properties['TRAN_MSG'], undefined);
  assert.equal(message.sysFlag & 0xc, COMMIT, 'transaction type COMMIT, as RocketMQ');
  assert.equal(message.preparedTransactionOffset, half.commitLogOffset);

  const contrary = await fx.invoke(endRequest('PG_TX', half, ROLLBACK));
  assert.equal(contrary.code, ResponseCode.TRANSACTION_FAILED, 'a rollback after the commit is refused');
  assert.equal((await readQueue(fx, 'TxCommit', 2)).length, 1);

  const ops = await readSystemQueue(fx, 'RMQ_SYS_TRANS_OP_HALF_TOPIC');
  const op = ops.find((o) => o.body.toString().split(',').includes(String(half.queueOffset)));
  assert.equal(op?.tags, 'd', 'the op record has RocketMQ\'s tag');
});

test('a rolled-back half message is never visible', async () => {
  const half = await sendHalf(fx, 'TxRollback', 'never', 'PG_TX');
  const response = await fx.invoke(endRequest('PG_TX', half, ROLLBACK));
  assert.equal(response.code, ResponseCode.SUCCESS, response.remark);
  const late = await fx.invoke(endRequest('PG_TX', half, COMMIT));
  assert.equal(late.code, ResponseCode.TRANSACTION_FAILED, 'a commit after the rollback is refused');
  assert.deepEqual(await readQueue(fx, 'TxRollback', 0), []);
});

test('an UNKNOW verdict changes nothing: the half message stays pending', async () => {
  const half = await sendHalf(fx, 'TxUnknown', 'later', 'PG_TX');
  const response = await fx.invoke(endRequest('PG_TX', half, 0));
  assert.equal(response.code, ResponseCode.SUCCESS);
  assert.deepEqual(await readQueue(fx, 'TxUnknown', 0), []);
  assert.equal((await fx.invoke(endRequest('PG_TX', half, COMMIT))).code, ResponseCode.SUCCESS);
  assert.equal((await readQueue(fx, 'TxUnknown', 0)).length, 1);
});

test('bad END_TRANSACTION requests are answered SYSTEM_ERROR with the reason, and lose nothing', async () => {
  const half = await sendHalf(fx, 'TxBad', 'keep-me', 'PG_TX');
  const unknownOffset = await fx.invoke(endRequest('PG_TX', { ...half, commitLogOffset: half.commitLogOffset + 7 }, COMMIT));
  assert.equal(unknownOffset.code, ResponseCode.SYSTEM_ERROR);
  assert.match(unknownOffset.remark ?? '', /Find prepared transaction message failed/);
  const pastEnd = await fx.invoke(endRequest('PG_TX', { ...half, commitLogOffset: 1 << 30 }, COMMIT));
  assert.equal(pastEnd.code, ResponseCode.SYSTEM_ERROR);

  const wrongGroup = await fx.invoke(endRequest('PG_OTHER', half, COMMIT));
  assert.equal(wrongGroup.code, ResponseCode.SYSTEM_ERROR);
  assert.match(wrongGroup.remark ?? '', /producer group wrong/);
  const wrongOffset = await fx.invoke(endRequest('PG_TX', { ...half, queueOffset: half.queueOffset + 100 }, COMMIT));
  assert.equal(wrongOffset.code, ResponseCode.SYSTEM_ERROR);
  assert.match(wrongOffset.remark ?? '', /state table offset wrong/);
  const badVerdict = await fx.invoke(endRequest('PG_TX', half, 5));
  assert.equal(badVerdict.code, ResponseCode.SYSTEM_ERROR);
  assert.match(badVerdict.remark ?? '', /commitOrRollback/);

  // A normal message's offset is not a half message either.
  const plain = await readQueue(fx, 'TxCommit', 2);
  const notHalf = await fx.invoke(endRequest('PG_TX', { ...half, commitLogOffset: plain[0]!.commitLogOffset }, COMMIT));
  assert.equal(notHalf.code, ResponseCode.SYSTEM_ERROR);

  assert.deepEqual(await readQueue(fx, 'TxBad', 0), [], 'no bad request delivered anything');
  const good = await fx.invoke(endRequest('PG_TX', half, COMMIT));
  assert.equal(good.code, ResponseCode.SUCCESS, 'the half message is still there to commit');
  assert.deepEqual((await readQueue(fx, 'TxBad', 0)).map((m) => m.body.toString()), ['keep-me']);
});

test('a transactional batch is refused MESSAGE_ILLEGAL and stores nothing', async () => {
  const body = encodeBatchBody([{ flag: 0, body: Buffer.from('b1'), properties: encodeProperties({ TRAN_MSG: 'true', PGROUP: 'PG_TX' }) }]);
  const request = createRequest(RequestCode.SEND_MESSAGE_V2, {
    a: 'PG_TX', b: 'TxBatch', c: 'TBW102', d: '4', e: '0', f: '4', g: String(Date.now()), h: '0', i: '', j: '0', k: 'false', m: 'true',
  }, body);
  const response = await fx.invoke(request);
  assert.equal(response.code, ResponseCode.MESSAGE_ILLEGAL);
  assert.match(response.remark ?? '', /batch cannot be transactional/);
  assert.deepEqual(await readQueue(fx, 'TxBatch', 0), []);
});

test('checks go to a live producer of the group, at most transactionCheckMax times, then the half message is discarded', async () => {
  const own = await startBroker(undefined, TX_BROKER_CONF);
  const producer = new ProducerConnection(own.addr, 'PG_CHECK');
  const bystander = new ProducerConnection(own.addr, 'PG_UNRELATED', 'bystander');
  try {
    await producer.heartbeat();
    await bystander.heartbeat();
    const resolved = await sendHalf(own, 'TxChecked', 'resolved-by-check', 'PG_CHECK', 1);
    const abandoned = await sendHalf(own, 'TxChecked', 'abandoned', 'PG_CHECK', 1);

    await waitFor(() => producer.checks.some((c) => c.message.properties['UNIQ_KEY'] === resolved.uniqKey), 10_000);
    const check = producer.checks.find((c) => c.message.properties['UNIQ_KEY'] === resolved.uniqKey)!;
    assert.equal(check.message.topic, 'TxChecked', 'the check carries the message under its real topic');
    assert.equal(check.message.queueId, 1);
    assert.equal(check.message.body.toString(), 'resolved-by-check');
    assert.equal(check.header.transactionId, resolved.uniqKey);
    assert.ok(check.header.tranStateTableOffset > resolved.queueOffset, 'the check names the re-appended copy');
    const answered = await producer.answer(check, COMMIT);
    assert.equal(answered.code, ResponseCode.SUCCESS, answered.remark);

    // The abandoned one is checked transactionCheckMax (3) times, then discarded once.
    await waitFor(() => own.broker.context.store.getMaxOffsetInQueue('TRANS_CHECK_MAX_TIME_TOPIC', 0) === 1, 20_000);
    const abandonedChecks = producer.checks.filter((c) => c.message.properties['UNIQ_KEY'] === abandoned.uniqKey);
    assert.equal(abandonedChecks.length, TX_BROKER_CONF.transactionCheckMax);
    assert.deepEqual(abandonedChecks.map((c) => c.message.properties['TRANSACTION_CHECK_TIMES']), ['1', '2', '3']);
    const kept = await readSystemQueue(own, 'TRANS_CHECK_MAX_TIME_TOPIC');
    assert.deepEqual(kept.map((m) => m.body.toString()), ['abandoned']);
    assert.equal(bystander.checks.length, 0, 'checks only go to the message\'s own group');

    const visible = await readQueue(own, 'TxChecked', 1);
    assert.deepEqual(visible.map((m) => m.body.toString()), ['resolved-by-check']);
    assert.equal(producer.checks.filter((c) => c.message.properties['UNIQ_KEY'] === resolved.uniqKey).length, 1, 'no check after the commit');
    const late = await producer.answer(abandonedChecks[2]!, COMMIT);
    assert.equal(late.code, ResponseCode.TRANSACTION_FAILED, 'a commit after the discard is refused');
    assert.equal((await readQueue(own, 'TxChecked', 1)).length, 1);
  } finally {
    await producer.close();
    await bystander.close();
    await own.close();
  }
});

test('CHECK_IMMUNITY_TIME_IN_SECONDS delays the first check of its message without holding up later ones', async () => {
  const own = await startBroker(undefined, TX_BROKER_CONF);
  const producer = new ProducerConnection(own.addr, 'PG_IMMUNE');
  try {
    await producer.heartbeat();
    const immune = await sendHalf(own, 'TxImmune', 'immune', 'PG_IMMUNE', 0, { CHECK_IMMUNITY_TIME_IN_SECONDS: '3600' });
    const ordinary = await sendHalf(own, 'TxImmune', 'ordinary', 'PG_IMMUNE');
    await waitFor(() => producer.checks.some((c) => c.message.properties['UNIQ_KEY'] === ordinary.uniqKey), 10_000);
    assert.equal(producer.checks.filter((c) => c.message.properties['UNIQ_KEY'] === immune.uniqKey).length, 0, 'the immune one is not checked yet');
    const check = producer.checks.find((c) => c.message.properties['UNIQ_KEY'] === ordinary.uniqKey)!;
    assert.equal((await producer.answer(check, COMMIT)).code, ResponseCode.SUCCESS);
    assert.equal((await own.invoke(endRequest('PG_IMMUNE', immune, COMMIT))).code, ResponseCode.SUCCESS);
    assert.deepEqual((await readQueue(own, 'TxImmune')).map((m) => m.body.toString()).sort(), ['immune', 'ordinary']);
  } finally {
    await producer.close();
    await own.close();
  }
});
