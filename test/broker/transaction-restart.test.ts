/**
 * Transactions across broker restarts (same store directory, real files): an unresolved half message
 * is still checked after the restart, ended ones are neither checked nor delivered again, and the
 * check progress (CID_SYS_RMQ_TRANS offsets) comes back.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ResponseCode } from '../../src/protocol';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir';
import { startBroker } from './broker-fixture';
import { COMMIT, ROLLBACK, ProducerConnection, TX_BROKER_CONF, endRequest, readQueue, sendHalf } from './transaction-helpers';
import { waitFor } from './wait-for';

const NO_CHECKS = { ...TX_BROKER_CONF, transactionCheckInterval: 3_600_000 };

test('an unresolved half message is checked after a broker restart; ended ones stay ended', async () => {
  const dir = makeTempDir('tx-restart');
  try {
    let fx = await startBroker(dir, NO_CHECKS);
    const pending = await sendHalf(fx, 'TxRestart', 'pending', 'PG_RESTART');
    const committed = await sendHalf(fx, 'TxRestart', 'committed', 'PG_RESTART');
    const rolledBack = await sendHalf(fx, 'TxRestart', 'rolled-back', 'PG_RESTART');
    assert.equal((await fx.invoke(endRequest('PG_RESTART', committed, COMMIT))).code, ResponseCode.SUCCESS);
    assert.equal((await fx.invoke(endRequest('PG_RESTART', rolledBack, ROLLBACK))).code, ResponseCode.SUCCESS);
    await fx.close(false);

    fx = await startBroker(dir, TX_BROKER_CONF);
    const producer = new ProducerConnection(fx.addr, 'PG_RESTART');
    try {
      await producer.heartbeat();
      await waitFor(() => producer.checks.length > 0, 10_000);
      const check = producer.checks[0]!;
      assert.equal(check.message.properties['UNIQ_KEY'], pending.uniqKey, 'the first check is for the unresolved one');
      assert.equal((await producer.answer(check, COMMIT)).code, ResponseCode.SUCCESS);
      assert.deepEqual((await readQueue(fx, 'TxRestart')).map((m) => m.body.toString()), ['committed', 'pending']);
      // A second commit of a transaction ended before the restart (its outcome since forgotten) does not deliver again.
      const repeated = await fx.invoke(endRequest('PG_RESTART', committed, COMMIT));
      assert.equal(repeated.code, ResponseCode.TRANSACTION_FAILED);
      assert.match(repeated.remark ?? '', /already ended/);
      assert.equal((await readQueue(fx, 'TxRestart')).length, 2);
      const uniqKeysChecked = new Set(producer.checks.map((c) => c.message.properties['UNIQ_KEY']));
      assert.deepEqual([...uniqKeysChecked], [pending.uniqKey], 'ended transactions are never checked');
    } finally {
      await producer.close();
    }
    const halfCursor = fx.broker.context.transactions.book.halfCursor;
    assert.ok(halfCursor > pending.queueOffset, 'the check cursor moved past the settled records');
    await fx.close(false);

    fx = await startBroker(dir, NO_CHECKS);
    try {
      assert.equal(fx.broker.context.transactions.book.halfCursor, halfCursor, 'the check progress survived the restart');
      assert.equal(fx.broker.context.transactions.book.openCount, 0);
      assert.equal((await readQueue(fx, 'TxRestart')).length, 2);
    } finally {
      await fx.close(false);
    }
  } finally {
    removeTempDir(dir);
  }
});
