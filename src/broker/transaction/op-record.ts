/**
 * Op records in RMQ_SYS_TRANS_OP_HALF_TOPIC queue 0: one per ended transaction, tag "d" and a body of
 * comma-separated half-queue offsets, as RocketMQ writes them. Ours list the copy the end named and,
 * when it differs, the root (first) half offset, and carry three extra properties so a restarted
 * broker rebuilds exactly what it knew: the root, the outcome, and the half queue's end when the
 * transaction ended (no copy of it can lie beyond that: the "horizon").
 */
import { MessageConst } from '../../message/message-const';
import type { MessageExt, MessageToStore, SocketAddress } from '../../message/message-types';
import { TRANS_OP_HALF_TOPIC } from './half-message';

export type TransactionOutcome = 'commit' | 'rollback' | 'discard';

/** RocketMQ's op tag ("d": removed). */
export const OP_TAG = 'd';
const OUTCOME_PROPERTY = 'TRAN_OP_OUTCOME';
const HORIZON_PROPERTY = 'TRAN_OP_HORIZON';

export interface OpEntry {
  readonly root: number;
  readonly outcome: TransactionOutcome;
  /** Half-queue max offset when the transaction ended: every copy of it is below. */
  readonly horizon: number;
}

export function opRecordOf(entry: OpEntry, namedCopy: number, storeHost: SocketAddress, now: number): MessageToStore {
  const offsets = namedCopy === entry.root ? String(namedCopy) : `${namedCopy},${entry.root}`;
  return {
    topic: TRANS_OP_HALF_TOPIC,
    queueId: 0,
    body: Buffer.from(offsets, 'utf8'),
    properties: {
      [MessageConst.TAGS]: OP_TAG,
      [MessageConst.TRANSACTION_PREPARED_QUEUE_OFFSET]: String(entry.root),
      [OUTCOME_PROPERTY]: entry.outcome,
      [HORIZON_PROPERTY]: String(entry.horizon),
    },
    bornTimestamp: now,
    bornHost: storeHost,
  };
}

/**
 * What an op record says; records without our properties (another writer) are read the RocketMQ way:
 * every listed offset is ended, and the outcome is unknown (reported as rollback: nothing to deliver).
 */
export function parseOpRecord(record: MessageExt): OpEntry[] {
  if (record.properties[MessageConst.TAGS] !== OP_TAG) return [];
  const offsets = record.body.toString('utf8').split(',').map(Number).filter((n) => Number.isSafeInteger(n) && n >= 0);
  const root = Number(record.properties[MessageConst.TRANSACTION_PREPARED_QUEUE_OFFSET]);
  const outcome = record.properties[OUTCOME_PROPERTY];
  const horizon = Number(record.properties[HORIZON_PROPERTY]);
  if (Number.isSafeInteger(root) && (outcome === 'commit' || outcome === 'rollback' || outcome === 'discard') && Number.isSafeInteger(horizon)) {
    return [{ root, outcome, horizon }];
  }
  return offsets.map((offset) => ({ root: offset, outcome: 'rollback' as const, horizon: offset + 1 }));
}
