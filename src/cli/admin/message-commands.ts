/**
 * `admin message by-id` and `admin message by-key`. An offset message id (store host + commit-log
 * offset) names its broker, so VIEW_MESSAGE_BY_ID goes straight there; a client id (UNIQ_KEY) is
 * only indexed, so it is looked up with QUERY_MESSAGE (unique-key mode) on every broker of the topic.
 */
import { inflateSync } from 'node:zlib';
import { MessageConst, MessageSysFlag } from '../../message/message-const';
import { decodeOffsetMessageId } from '../../message/message-id';
import type { MessageExt } from '../../message/message-types';
import { decodeRecords } from '../../message/record-decoder';
import { RequestCode } from '../../protocol/request-code';
import { ResponseCode } from '../../protocol/response-code';
import { type AdminClient, firstLine } from './admin-client';
import { type AdminCommand, intOption, optionalOption, requiredOption } from './command';
import { formatTable, isoTime } from './output';

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_KEY_RESULTS = 64;

export interface MessageView {
  readonly offsetMsgId: string;
  readonly uniqKey: string | undefined;
  readonly topic: string;
  readonly queueId: number;
  readonly queueOffset: number;
  readonly commitLogOffset: number;
  readonly tags: string | undefined;
  readonly keys: string | undefined;
  readonly bornTimestamp: number;
  readonly storeTimestamp: number;
  readonly storeHost: string;
  readonly reconsumeTimes: number;
  readonly properties: Record<string, string>;
  readonly bodySize: number;
  readonly body: string;
}

function view(m: MessageExt): MessageView {
  const body = (m.sysFlag & MessageSysFlag.COMPRESSED_FLAG) !== 0 ? inflateSync(m.body) : m.body;
  return {
    offsetMsgId: m.msgId, uniqKey: m.properties[MessageConst.UNIQ_KEY], topic: m.topic, queueId: m.queueId, queueOffset: m.queueOffset,
    commitLogOffset: m.commitLogOffset, tags: m.tags, keys: m.keys, bornTimestamp: m.bornTimestamp, storeTimestamp: m.storeTimestamp,
    storeHost: `${m.storeHost.address}:${m.storeHost.port}`, reconsumeTimes: m.reconsumeTimes, properties: m.properties,
    bodySize: body.length, body: body.toString('utf8'),
  };
}

function messagesText(messages: readonly MessageView[]): string {
  return formatTable(
    ['OFFSET_MSG_ID', 'UNIQ_KEY', 'TOPIC', 'QUEUE', 'QUEUE_OFFSET', 'TAGS', 'KEYS', 'STORED', 'BODY_BYTES'],
    messages.map((m) => [m.offsetMsgId, m.uniqKey, m.topic, m.queueId, m.queueOffset, m.tags, m.keys, isoTime(m.storeTimestamp), m.bodySize]),
  );
}

/** QUERY_MESSAGE on every master of the topic; `accept` drops index hash collisions. */
async function queryIndex(client: AdminClient, topic: string, fields: Record<string, string>, accept: (m: MessageExt) => boolean): Promise<MessageView[]> {
  const found: MessageView[] = [];
  for (const master of await client.topicMasters(topic)) {
    const response = await client.call(master.address, RequestCode.QUERY_MESSAGE, { topic, ...fields });
    if (response.code === ResponseCode.QUERY_NOT_FOUND) continue;
    if (response.code !== ResponseCode.SUCCESS) throw new Error(`query of '${topic}' at ${master.address}: ${firstLine(response.remark) ?? `response code ${response.code}`}`);
    for (const m of decodeRecords(response.body ?? null)) if (accept(m)) found.push(view(m));
  }
  return found.sort((a, b) => a.storeTimestamp - b.storeTimestamp || a.commitLogOffset - b.commitLogOffset);
}

async function byOffsetId(client: AdminClient, id: string): Promise<MessageView | undefined> {
  const message = await messageByOffsetId(client, id);
  return message === undefined ? undefined : view(message);
}

/** The stored message an offset id names, or undefined when it is not one of a known broker's. */
export async function messageByOffsetId(client: AdminClient, id: string): Promise<MessageExt | undefined> {
  let decoded;
  try {
    decoded = decodeOffsetMessageId(id);
  } catch {
    return undefined;
  }
  const address = `${decoded.storeHost.address}:${decoded.storeHost.port}`;
  const known = (await client.clusterInfo()).brokers.some((b) => [...b.brokerAddrs.values()].includes(address));
  if (!known) return undefined; // not an offset id of a broker we know: treat it as a client id
  const response = await client.call(address, RequestCode.VIEW_MESSAGE_BY_ID, { offset: String(decoded.physicalOffset) });
  if (response.code !== ResponseCode.SUCCESS) return undefined;
  const [message] = decodeRecords(response.body ?? null);
  return message !== undefined && message.msgId.toUpperCase() === id.toUpperCase() ? message : undefined;
}

export const messageCommands: AdminCommand[] = [
  {
    name: 'message by-id',
    usage: '-i msgId [-t topic]  (an offset msgId, or a client msgId/UNIQ_KEY which needs -t)',
    options: { id: { type: 'string', short: 'i' }, topic: { type: 'string', short: 't' } },
    async run({ client, out, values }) {
      const id = requiredOption(values, 'id', 'i');
      const topic = optionalOption(values, 'topic');
      const direct = await byOffsetId(client, id);
      let messages: MessageView[];
      if (direct !== undefined) {
        messages = [direct];
      } else {
        if (topic === undefined) throw new Error(`'${id}' is not the offset id of a known broker's message; give -t topic to look it up as a client id (UNIQ_KEY)`);
        messages = await queryIndex(client, topic, { key: id, maxNum: '32', beginTimestamp: '0', endTimestamp: String(Number.MAX_SAFE_INTEGER), _UNIQUE_KEY_QUERY: 'true' },
          (m) => m.properties[MessageConst.UNIQ_KEY] === id);
      }
      if (messages.length === 0) throw new Error(`no message with id '${id}'${topic === undefined ? '' : ` in topic '${topic}'`}`);
      out.emit({ messages }, () => messagesText(messages));
    },
  },
  {
    name: 'message by-key',
    usage: '-t topic -k key [--begin ms] [--end ms] [--max N]  (default: the last 24 hours)',
    options: { topic: { type: 'string', short: 't' }, key: { type: 'string', short: 'k' }, begin: { type: 'string' }, end: { type: 'string' }, max: { type: 'string' } },
    async run({ client, out, values }) {
      const topic = requiredOption(values, 'topic', 't');
      const key = requiredOption(values, 'key', 'k');
      const now = Date.now();
      const end = intOption(values, 'end', now, 0, Number.MAX_SAFE_INTEGER);
      const begin = intOption(values, 'begin', end - DAY_MS, 0, Number.MAX_SAFE_INTEGER);
      if (begin > end) throw new Error(`--begin (${begin}) is after --end (${end})`);
      const max = intOption(values, 'max', MAX_KEY_RESULTS, 1, MAX_KEY_RESULTS);
      const messages = await queryIndex(client, topic, { key, maxNum: String(max), beginTimestamp: String(begin), endTimestamp: String(end) },
        (m) => (m.keys ?? '').split(' ').includes(key));
      if (messages.length === 0) throw new Error(`no message with key '${key}' in topic '${topic}' stored between ${isoTime(begin)} and ${isoTime(end)}`);
      out.emit({ messages }, () => messagesText(messages));
    },
  },
];
