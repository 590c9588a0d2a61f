/**
 * A message's life from its trace records: the Pub records (who sent it, when, where, how long it
 * took) and, per consumer group, each consume attempt (a SubBefore paired with its SubAfter by
 * request id). Pure: the admin command fetches the records, this arranges them.
 */
import { CONSUME_RETURN_TYPES, type EndTransactionRecord, type PubRecord, type SubAfterRecord, type SubBeforeRecord, type TraceRecord } from './trace-codec';

export interface ConsumeAttempt {
  readonly requestId: string;
  readonly timestamp: number;
  /** Deliveries before this one (RocketMQ's reconsumeTimes). */
  readonly retryTimes: number;
  /** Undefined when the SubAfter record is missing (consumer still running, or its trace lost). */
  readonly success: boolean | undefined;
  readonly costMs: number | undefined;
  readonly result: string | undefined;
}

export interface GroupConsumption {
  readonly group: string;
  readonly attempts: readonly ConsumeAttempt[];
  /** Whether one attempt succeeded. */
  readonly consumed: boolean;
}

export interface MessageLife {
  readonly msgId: string;
  readonly published: readonly PubRecord[];
  /** Transactional messages: each verdict sent to the broker (the producer's, then any check's). */
  readonly transaction: readonly EndTransactionRecord[];
  readonly consumption: readonly GroupConsumption[];
}

/** The life of `msgId` (a client id or, for Pub records, an offset id) from any set of records. */
export function messageLife(msgId: string, records: readonly TraceRecord[]): MessageLife {
  const published: PubRecord[] = [];
  const befores: SubBeforeRecord[] = [];
  const afters = new Map<string, SubAfterRecord>();
  const transaction: EndTransactionRecord[] = [];
  const seen = new Set<string>();
  for (const r of records) {
    if (r.type === 'Pub' && (r.msgId === msgId || r.offsetMsgId === msgId)) {
      const key = `${r.groupName}|${r.timestamp}|${r.offsetMsgId}`;
      if (!seen.has(key)) published.push(r);
      seen.add(key);
    } else if (r.type === 'SubBefore' && r.msgId === msgId) {
      befores.push(r);
    } else if (r.type === 'SubAfter' && r.msgId === msgId) {
      afters.set(r.requestId, r);
    } else if (r.type === 'EndTransaction' && r.msgId === msgId) {
      transaction.push(r);
    }
  }
  const byGroup = new Map<string, ConsumeAttempt[]>();
  for (const b of befores.sort((x, y) => x.timestamp - y.timestamp)) {
    const after = afters.get(b.requestId);
    const attempt: ConsumeAttempt = {
      requestId: b.requestId, timestamp: b.timestamp, retryTimes: b.retryTimes, success: after?.success, costMs: after?.costTime,
      result: after === undefined ? undefined : CONSUME_RETURN_TYPES[after.contextCode ?? 0] ?? String(after.contextCode),
    };
    const list = byGroup.get(b.groupName) ?? [];
    if (!list.some((a) => a.requestId === attempt.requestId)) list.push(attempt);
    byGroup.set(b.groupName, list);
  }
  const consumption = [...byGroup.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([group, attempts]) => ({ group, attempts, consumed: attempts.some((a) => a.success === true) }));
  return {
    msgId, published: published.sort((a, b) => a.timestamp - b.timestamp), transaction: transaction.sort((a, b) => a.timestamp - b.timestamp), consumption,
  };
}
