/**
 * What a transactional producer's user supplies (RocketMQ TransactionListener) and gets back
 * (TransactionSendResult), with RocketMQ's state names.
 */
import type { MessageExt } from '../../message/message-types';
import type { Message } from './message';
import type { SendResult } from './send-result';

/** The local transaction's verdict. UNKNOW (RocketMQ's spelling) leaves it to a later check. */
export type LocalTransactionState = 'COMMIT_MESSAGE' | 'ROLLBACK_MESSAGE' | 'UNKNOW';

export const LOCAL_TRANSACTION_STATES: readonly LocalTransactionState[] = ['COMMIT_MESSAGE', 'ROLLBACK_MESSAGE', 'UNKNOW'];

/** A half message as a check presents it: the real topic and queue, the body as sent. */
export interface TransactionCheckMessage extends MessageExt {
  /** The id the send returned as SendResult.transactionId (the message's UNIQ_KEY). */
  readonly transactionId: string;
}

export interface TransactionListener {
  /**
   * Runs the local transaction after the half message is stored. A throw or an invalid value counts
   * as UNKNOW: the broker will ask checkLocalTransaction later.
   */
  executeLocalTransaction(msg: Message, arg: unknown): LocalTransactionState | Promise<LocalTransactionState>;
  /**
   * The broker asks about a half message still pending after transactionTimeOut (possibly one sent
   * by another producer of the group that crashed). Answer from durable state, not from memory.
   */
  checkLocalTransaction(msg: TransactionCheckMessage): LocalTransactionState | Promise<LocalTransactionState>;
}

export interface TransactionSendResult extends SendResult {
  readonly localTransactionState: LocalTransactionState;
  readonly transactionId: string;
}

/** sysFlag transaction type sent in END_TRANSACTION's commitOrRollback. */
export function commitOrRollbackOf(state: LocalTransactionState): number {
  switch (state) {
    case 'COMMIT_MESSAGE': return 8;
    case 'ROLLBACK_MESSAGE': return 12;
    default: return 0;
  }
}
