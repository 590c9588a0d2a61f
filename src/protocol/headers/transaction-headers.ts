import { defineHeader, optional, required, type HeaderOf } from './header-schema';

/**
 * END_TRANSACTION (37), producer -> broker, one-way from Java clients. commitOrRollback is the
 * sysFlag transaction type: 0 unknown (nothing to do), 8 commit, 12 rollback.
 */
export const EndTransactionRequestHeader = defineHeader('EndTransactionRequestHeader', {
  producerGroup: required('string'),
  tranStateTableOffset: required('long'),
  commitLogOffset: required('long'),
  commitOrRollback: required('int'),
  fromTransactionCheck: optional('boolean'),
  msgId: required('string'),
  transactionId: optional('string'),
  topic: optional('string'),
});
export type EndTransactionRequest = HeaderOf<typeof EndTransactionRequestHeader.schema>;

/** CHECK_TRANSACTION_STATE (39), broker -> producer, one-way; the body is the half message record. */
export const CheckTransactionStateRequestHeader = defineHeader('CheckTransactionStateRequestHeader', {
  topic: optional('string'),
  tranStateTableOffset: required('long'),
  commitLogOffset: required('long'),
  msgId: optional('string'),
  transactionId: optional('string'),
  offsetMsgId: optional('string'),
});
export type CheckTransactionStateRequest = HeaderOf<typeof CheckTransactionStateRequestHeader.schema>;
