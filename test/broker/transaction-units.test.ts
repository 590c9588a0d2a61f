/** The transaction bookkeeping without a broker: the book, op records, the broker.conf keys. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createBrokerConfig, parseBrokerConf } from '../../src/broker';
import { opRecordOf, parseOpRecord } from '../../src/broker/transaction/op-record';
import { TransactionBook } from '../../src/broker/transaction/transaction-book';
import { decodeRecord, encodeRecord, type MessageExt, type MessageToStore } from '../../src/message';

const HOST = { address: '127.0.0.1', port: 10911 };

/** A stored record as the store would return it (queue offset assigned). */
function stored(msg: MessageToStore, queueOffset: number): MessageExt {
  const buffer = Buffer.alloc(4096);
  const length = encodeRecord(buffer, 0, msg, HOST, { bodyCRC: 0, queueOffset, physicalOffset: 1000 + queueOffset, storeTimestamp: 1 });
  return decodeRecord(buffer.subarray(0, length), 0);
}

test('book: a transaction is open until it ends; copies supersede older ones; a repeat is recognised', () => {
  const book = new TransactionBook({ half: 0, op: 0 });
  book.noteHalfRecord(0, 0);
  book.noteHalfRecord(1, 1);
  book.halfReadPos = 2;
  assert.ok(book.isOpen(0, 0));
  assert.ok(book.isOpen(5, 5), 'a record not read yet is open');
  book.noteCopy(0, 2);
  assert.equal(book.isLatestOpenCopy(0, 0), false, 'the first record is superseded by its copy');
  assert.equal(book.isLatestOpenCopy(2, 0), true);
  book.noteEnded({ root: 0, outcome: 'commit', horizon: 3 });
  assert.equal(book.isOpen(0, 0), false, 'ending by any copy ends the transaction');
  assert.equal(book.isOpen(2, 0), false);
  assert.equal(book.outcomeOf(0), 'commit');
  book.noteHalfRecord(2, 0);
  assert.equal(book.openCount, 1, 'a copy read after the end does not reopen it');
});

test('book: the checkpoint forgets outcomes once every record is read; the op cursor follows the check cursor', () => {
  const book = new TransactionBook({ half: 0, op: 0 });
  book.noteEnded({ root: 0, outcome: 'rollback', horizon: 1 });
  book.noteEnded({ root: 1, outcome: 'commit', horizon: 5 });
  book.opReadPos = 2;
  book.halfReadPos = 3;
  book.halfCursor = 2;
  assert.deepEqual(book.checkpoint(), { half: 2, op: 0 }, 'root 1 may still have records at 2..4: both ops must be re-read');
  assert.equal(book.endedCount, 1);
  assert.equal(book.outcomeOf(1), 'commit', 'remembered while its records may still be read');
  book.halfReadPos = 5;
  assert.deepEqual(book.checkpoint(), { half: 2, op: 0 }, 'the check cursor is behind: a restart still needs the ops');
  assert.equal(book.endedCount, 0, 'every record of root 1 was read: its outcome is forgotten');
  assert.equal(book.isOpen(4, 1), false, 'a forgotten transaction is not open');
  book.halfCursor = 5;
  assert.deepEqual(book.checkpoint(), { half: 5, op: 2 }, 'past every record the two ops ended: they are not needed again');
});

test('op records: RocketMQ tag and body; our properties round-trip; foreign records read the RocketMQ way', () => {
  const ours = stored(opRecordOf({ root: 3, outcome: 'discard', horizon: 9 }, 7, HOST, 1), 0);
  assert.equal(ours.tags, 'd');
  assert.equal(ours.body.toString(), '7,3');
  assert.deepEqual(parseOpRecord(ours), [{ root: 3, outcome: 'discard', horizon: 9 }]);
  const foreign = stored({ topic: 'RMQ_SYS_TRANS_OP_HALF_TOPIC', queueId: 0, body: Buffer.from('4,6'), properties: { TAGS: 'd' } }, 1);
  assert.deepEqual(parseOpRecord(foreign), [{ root: 4, outcome: 'rollback', horizon: 5 }, { root: 6, outcome: 'rollback', horizon: 7 }]);
  const other = stored({ topic: 'RMQ_SYS_TRANS_OP_HALF_TOPIC', queueId: 0, body: Buffer.from('4'), properties: { TAGS: 'x' } }, 2);
  assert.deepEqual(parseOpRecord(other), []);
});

test('broker.conf: transaction keys have RocketMQ defaults and are validated', () => {
  const defaults = createBrokerConfig({ values: { storePathRootDir: '/tmp/tx-conf' } });
  assert.equal(defaults.transactionCheckInterval, 60_000);
  assert.equal(defaults.transactionTimeOut, 6000);
  assert.equal(defaults.transactionCheckMax, 15);
  const set = createBrokerConfig(parseBrokerConf('storePathRootDir=/tmp/tx-conf\ntransactionCheckInterval=500\ntransactionCheckMax=3\n'));
  assert.equal(set.transactionCheckInterval, 500);
  assert.equal(set.transactionCheckMax, 3);
  assert.throws(() => createBrokerConfig(parseBrokerConf('storePathRootDir=/tmp/tx-conf\ntransactionCheckMax=0\n')), /broker.conf:2: transactionCheckMax must be an integer/);
});
