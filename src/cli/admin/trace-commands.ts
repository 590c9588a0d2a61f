/**
 * `admin trace -i msgId [--trace-topic T]`: the message's life from its trace records. Trace
 * messages carry the traced message ids as KEYS, so QUERY_MESSAGE by key on the trace topic of
 * every master of the cluster finds them; their bodies are decoded (RocketMQ's trace format) and
 * arranged by trace-view.ts. Where a Pub record names an offset id, the stored message is looked
 * up for its queue and queue offset.
 */
import { inflateSync } from 'node:zlib';
import { MessageSysFlag } from '../../message/message-const';
import type { MessageExt } from '../../message/message-types';
import { decodeRecords } from '../../message/record-decoder';
import { RequestCode } from '../../protocol/request-code';
import { ResponseCode } from '../../protocol/response-code';
import { decodeTraceData, type TraceRecord } from '../../client/trace/trace-codec';
import { DEFAULT_TRACE_TOPIC } from '../../client/trace/trace-dispatcher';
import { messageLife, type MessageLife } from '../../client/trace/trace-view';
import { type AdminClient, firstLine } from './admin-client';
import { type AdminCommand, optionalOption, requiredOption } from './command';
import { messageByOffsetId } from './message-commands';
import { isoTime } from './output';

const MAX_TRACE_MESSAGES = 64;

interface StoredAt {
  readonly queueId: number;
  readonly queueOffset: number;
}

/** Trace records found under `key` on every master, and the brokers that could not answer. */
async function traceRecords(client: AdminClient, traceTopic: string, key: string): Promise<{ records: TraceRecord[]; unreachable: string[] }> {
  const records: TraceRecord[] = [];
  const unreachable: string[] = [];
  for (const master of await client.clusterMasters()) {
    let response;
    try {
      response = await client.call(master.address, RequestCode.QUERY_MESSAGE, {
        topic: traceTopic, key, maxNum: String(MAX_TRACE_MESSAGES), beginTimestamp: '0', endTimestamp: String(Number.MAX_SAFE_INTEGER),
      });
    } catch (err) {
      unreachable.push(`${master.brokerName} (${(err as Error).message})`);
      continue;
    }
    if (response.code === ResponseCode.QUERY_NOT_FOUND || response.code === ResponseCode.TOPIC_NOT_EXIST) continue;
    if (response.code !== ResponseCode.SUCCESS) {
      unreachable.push(`${master.brokerName} (${firstLine(response.remark) ?? `response code ${response.code}`})`);
      continue;
    }
    for (const m of decodeRecords(response.body ?? null)) records.push(...decodeTraceData(bodyText(m)).records);
  }
  return { records, unreachable };
}

function bodyText(m: MessageExt): string {
  return ((m.sysFlag & MessageSysFlag.COMPRESSED_FLAG) !== 0 ? inflateSync(m.body) : m.body).toString('utf8');
}

async function storedAt(client: AdminClient, life: MessageLife): Promise<Map<string, StoredAt>> {
  const found = new Map<string, StoredAt>();
  for (const pub of life.published) {
    if (pub.offsetMsgId === '' || found.has(pub.offsetMsgId)) continue;
    const message = await messageByOffsetId(client, pub.offsetMsgId).catch(() => undefined);
    if (message !== undefined) found.set(pub.offsetMsgId, { queueId: message.queueId, queueOffset: message.queueOffset });
  }
  return found;
}

function lifeText(life: MessageLife, stored: ReadonlyMap<string, StoredAt>): string {
  const lines = [`message ${life.msgId}`];
  if (life.published.length === 0) lines.push('  sent: no Pub record (the producer had enableTrace off, or its trace was lost)');
  for (const p of life.published) {
    const at = stored.get(p.offsetMsgId);
    const where = at === undefined ? p.storeHost : `${p.storeHost} queue ${at.queueId} offset ${at.queueOffset}`;
    lines.push(`  sent ${isoTime(p.timestamp)} by group ${p.groupName} to ${p.topic} at ${where}: ${p.success ? 'ok' : 'not stored ok'}, ${p.costTime} ms`
      + ` (tags ${p.tags || '-'}, keys ${p.keys || '-'}, ${p.bodyLength} bytes, ${p.msgType}, offsetMsgId ${p.offsetMsgId || '-'})`);
  }
  for (const t of life.transaction) {
    lines.push(`  transaction ${t.transactionState} ${isoTime(t.timestamp)} by group ${t.groupName}${t.fromTransactionCheck ? ' (answering a broker check)' : ''}, transactionId ${t.transactionId}`);
  }
  if (life.consumption.length === 0) lines.push('  consumed: no SubBefore/SubAfter record (no traced push consumer has received it yet)');
  for (const g of life.consumption) {
    lines.push(`  group ${g.group}: ${g.consumed ? 'consumed' : 'not consumed yet'} after ${g.attempts.length} attempt(s)`);
    for (const a of g.attempts) {
      const outcome = a.success === undefined ? 'no result recorded' : `${a.success ? 'success' : 'failed'} (${a.result}), ${a.costMs} ms`;
      lines.push(`    ${isoTime(a.timestamp)} retry ${a.retryTimes}: ${outcome}`);
    }
  }
  return lines.join('\n');
}

export const traceCommands: AdminCommand[] = [
  {
    name: 'trace',
    usage: `-i msgId [--trace-topic T]  (client msgId/UNIQ_KEY; trace topic default ${DEFAULT_TRACE_TOPIC})`,
    options: { id: { type: 'string', short: 'i' }, 'trace-topic': { type: 'string' } },
    async run({ client, out, values }) {
      const id = requiredOption(values, 'id', 'i');
      const traceTopic = optionalOption(values, 'trace-topic') ?? DEFAULT_TRACE_TOPIC;
      const { records, unreachable } = await traceRecords(client, traceTopic, id);
      const life = messageLife(id, records);
      const note = unreachable.length > 0 ? ` (not answered: ${unreachable.join('; ')})` : '';
      if (life.published.length === 0 && life.consumption.length === 0 && life.transaction.length === 0) {
        throw new Error(`no trace records for message '${id}' in trace topic '${traceTopic}'${note}; trace needs enableTrace on the producer or consumer`);
      }
      const stored = await storedAt(client, life);
      const published = life.published.map((p) => ({ ...p, ...stored.get(p.offsetMsgId) }));
      out.emit({ ...life, published, unreachable }, () => lifeText(life, stored) + (note === '' ? '' : `\n  warning:${note}`));
    },
  },
];
