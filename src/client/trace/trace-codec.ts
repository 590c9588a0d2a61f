/**
 * RocketMQ's message-trace text format (what the Java client's trace dispatcher writes to
 * RMQ_SYS_TRACE_TOPIC and the dashboard reads back): records end with FIELD_SPLITOR (\u0002), the
 * fields of a record are separated by CONTENT_SPLITOR (\u0001), and the first field names the type.
 *
 *   Pub:            type, timestamp, regionId, group, topic, msgId, tags, keys, storeHost, bodyLength,
 *                   costTime, msgType (MessageType ordinal), offsetMsgId, success [, clientHost]
 *   SubBefore:      type, timestamp, regionId, group, requestId, msgId, retryTimes, keys
 *   SubAfter:       type, requestId, msgId, costTime, success, keys [, contextCode [, timestamp [, group]]]
 *   EndTransaction: type, timestamp, regionId, group, topic, msgId, tags, keys, storeHost, msgType,
 *                   transactionId, transactionState, fromTransactionCheck
 *
 * Older clients wrote shorter Pub (13 fields) and SubAfter (6-8 fields) records; all are read.
 */
export const CONTENT_SPLITOR = '\u0001';
export const FIELD_SPLITOR = '\u0002';

/** MessageType's ordinals as written in Pub records (Order_Msg is RocketMQ 5's addition). */
export const MESSAGE_TYPES = ['Normal_Msg', 'Trans_Msg_Half', 'Trans_msg_Commit', 'Delay_Msg', 'Order_Msg'] as const;
export type MessageTypeName = (typeof MESSAGE_TYPES)[number];

/** ConsumeReturnType's ordinals, the SubAfter contextCode. */
export const CONSUME_RETURN_TYPES = ['SUCCESS', 'TIME_OUT', 'EXCEPTION', 'RETURNNULL', 'FAILED'] as const;
export type ConsumeReturnType = (typeof CONSUME_RETURN_TYPES)[number];

export interface PubRecord {
  readonly type: 'Pub';
  readonly timestamp: number;
  readonly regionId: string;
  readonly groupName: string;
  readonly topic: string;
  readonly msgId: string;
  readonly tags: string;
  readonly keys: string;
  readonly storeHost: string;
  readonly bodyLength: number;
  readonly costTime: number;
  readonly msgType: MessageTypeName;
  readonly offsetMsgId: string;
  readonly success: boolean;
  readonly clientHost?: string;
}

export interface SubBeforeRecord {
  readonly type: 'SubBefore';
  readonly timestamp: number;
  readonly regionId: string;
  readonly groupName: string;
  /** Pairs this record with its SubAfter. */
  readonly requestId: string;
  readonly msgId: string;
  readonly retryTimes: number;
  readonly keys: string;
}

export interface SubAfterRecord {
  readonly type: 'SubAfter';
  readonly requestId: string;
  readonly msgId: string;
  readonly costTime: number;
  readonly success: boolean;
  readonly keys: string;
  readonly contextCode?: number;
  readonly timestamp?: number;
  readonly groupName?: string;
}

export interface EndTransactionRecord {
  readonly type: 'EndTransaction';
  readonly timestamp: number;
  readonly regionId: string;
  readonly groupName: string;
  readonly topic: string;
  readonly msgId: string;
  readonly tags: string;
  readonly keys: string;
  readonly storeHost: string;
  readonly msgType: MessageTypeName;
  readonly transactionId: string;
  readonly transactionState: string;
  readonly fromTransactionCheck: boolean;
}

export type TraceRecord = PubRecord | SubBeforeRecord | SubAfterRecord | EndTransactionRecord;

/** One record in the wire form, FIELD_SPLITOR included. */
export function encodeTraceRecord(record: TraceRecord): string {
  return fields(record).map(clean).join(CONTENT_SPLITOR) + FIELD_SPLITOR;
}

function fields(r: TraceRecord): Array<string | number | boolean> {
  switch (r.type) {
    case 'Pub':
      return [r.type, r.timestamp, r.regionId, r.groupName, r.topic, r.msgId, r.tags, r.keys, r.storeHost, r.bodyLength, r.costTime,
        MESSAGE_TYPES.indexOf(r.msgType), r.offsetMsgId, r.success];
    case 'SubBefore':
      return [r.type, r.timestamp, r.regionId, r.groupName, r.requestId, r.msgId, r.retryTimes, r.keys];
    case 'SubAfter':
      return [r.type, r.requestId, r.msgId, r.costTime, r.success, r.keys, r.contextCode ?? 0, r.timestamp ?? 0, r.groupName ?? ''];
    case 'EndTransaction':
      return [r.type, r.timestamp, r.regionId, r.groupName, r.topic, r.msgId, r.tags, r.keys, r.storeHost, MESSAGE_TYPES.indexOf(r.msgType),
        r.transactionId, r.transactionState, r.fromTransactionCheck];
  }
}

/** A separator inside a value would shift every later field: such characters become spaces. */
function clean(value: string | number | boolean): string {
  const text = String(value);
  return /[\u0001\u0002]/.test(text) ? text.replace(/[\u0001\u0002]/g, ' ') : text;
}

/**
 * Every record in `data`; records of unknown types or with unreadable numbers are skipped (a trace
 * topic is written by many client versions) and counted in `skipped`.
 */
export function decodeTraceData(data: string): { records: TraceRecord[]; skipped: number } {
  const records: TraceRecord[] = [];
  let skipped = 0;
  for (const text of data.split(FIELD_SPLITOR)) {
    if (text.trim() === '') continue;
    const record = decodeRecord(text.split(CONTENT_SPLITOR));
    if (record === undefined) skipped++;
    else records.push(record);
  }
  return { records, skipped };
}

function decodeRecord(f: string[]): TraceRecord | undefined {
  const at = (i: number): string => f[i] ?? '';
  const int = (i: number): number => {
    const n = Number(at(i));
    if (at(i) === '' || !Number.isFinite(n)) throw new RangeError(`field ${i} is not a number`);
    return n;
  };
  const msgType = (i: number): MessageTypeName => {
    const type = MESSAGE_TYPES[int(i)];
    if (type === undefined) throw new RangeError(`unknown message type ${at(i)}`);
    return type;
  };
  try {
    switch (f[0]) {
      case 'Pub': {
        if (f.length < 13) return undefined;
        const base = {
          type: 'Pub' as const, timestamp: int(1), regionId: at(2), groupName: at(3), topic: at(4), msgId: at(5), tags: at(6), keys: at(7),
          storeHost: at(8), bodyLength: int(9), costTime: int(10), msgType: msgType(11),
        };
        if (f.length === 13) return { ...base, offsetMsgId: '', success: at(12) === 'true' };
        return { ...base, offsetMsgId: at(12), success: at(13) === 'true', ...(f.length >= 15 ? { clientHost: at(14) } : {}) };
      }
      case 'SubBefore':
        if (f.length < 8) return undefined;
        return { type: 'SubBefore', timestamp: int(1), regionId: at(2), groupName: at(3), requestId: at(4), msgId: at(5), retryTimes: int(6), keys: at(7) };
      case 'SubAfter': {
        if (f.length < 6) return undefined;
        return {
          type: 'SubAfter', requestId: at(1), msgId: at(2), costTime: int(3), success: at(4) === 'true', keys: at(5),
          ...(f.length >= 7 ? { contextCode: int(6) } : {}),
          ...(f.length >= 8 ? { timestamp: int(7) } : {}),
          ...(f.length >= 9 ? { groupName: at(8) } : {}),
        };
      }
      case 'EndTransaction':
        if (f.length < 13) return undefined;
        return {
          type: 'EndTransaction', timestamp: int(1), regionId: at(2), groupName: at(3), topic: at(4), msgId: at(5), tags: at(6), keys: at(7),
          storeHost: at(8), msgType: msgType(9), transactionId: at(10), transactionState: at(11), fromTransactionCheck: at(12) === 'true',
        };
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

/**
 * The KEYS of the trace message carrying `records`: each traced message id and its business keys,
 * so a query by key on the trace topic finds the records of a message by its id (or its keys).
 */
export function traceKeys(records: readonly TraceRecord[]): string[] {
  const keys = new Set<string>();
  for (const r of records) {
    if (r.msgId !== '') keys.add(r.msgId);
    for (const key of r.keys.split(/\s+/)) if (key !== '' && key !== 'null') keys.add(key);
  }
  return [...keys];
}
