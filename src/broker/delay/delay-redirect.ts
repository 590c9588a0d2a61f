/**
 * Where a message with a delay level waits: SCHEDULE_TOPIC_XXXX queue level-1, with its real topic
 * and queue in REAL_TOPIC / REAL_QID (remoting-protocol.md §5.9). Levels above the configured
 * maximum are capped. Shared by producers' sends and consumers' send-backs.
 */
import { MessageConst, MessageSysFlag, SCHEDULE_TOPIC, transactionType } from '../../message/message-const';

export interface Destination {
  readonly topic: string;
  readonly queueId: number;
}

/** Applies the DELAY property (mutating `properties`) and returns where the record is appended. */
export function applyDelayLevel(properties: Record<string, string>, target: Destination, sysFlag: number, levelCount: number): Destination {
  const delayLevel = Number(properties[MessageConst.DELAY] ?? '0');
  const tranType = transactionType(sysFlag);
  const isDelayable = tranType === MessageSysFlag.TRANSACTION_NOT_TYPE || tranType === MessageSysFlag.TRANSACTION_COMMIT_TYPE;
  if (!(delayLevel > 0) || !isDelayable || levelCount === 0) return target;
  const level = Math.min(Math.trunc(delayLevel), levelCount);
  properties[MessageConst.DELAY] = String(level);
  properties[MessageConst.REAL_TOPIC] = target.topic;
  properties[MessageConst.REAL_QID] = String(target.queueId);
  return { topic: SCHEDULE_TOPIC, queueId: level - 1 };
}
