/**
 * `cometmq consume`: prints a topic's messages as they arrive, through the SDK's LitePullConsumer
 * (so exactly the printed messages are committed), until --count messages or Ctrl-C / SIGTERM;
 * either way the offsets are committed to the broker before the process exits.
 */
import { parseArgs } from 'node:util';
import { silentLogger } from '../common/logger';
import { LitePullConsumer } from '../client/consumer/lite-pull-consumer';
import type { MessageQueue } from '../client/message-queue';
import type { MessageExt } from '../message/message-types';
import { AdminClient, DEFAULT_NAMESRV } from './admin/admin-client';
import { intOption, optionalOption, requiredOption } from './admin/command';

export const CONSUME_USAGE = 'consume -t topic [-n namesrvAddr] [-g group] [--tags expr] [--from first|last] [--count N] [--json]';

const POLL_MS = 300;
const BODY_PREVIEW_CHARS = 200;

function messageLine(m: MessageExt): string {
  const body = m.body.toString('utf8');
  const preview = body.length > BODY_PREVIEW_CHARS ? `${body.slice(0, BODY_PREVIEW_CHARS)}... (${m.body.length} bytes)` : body;
  return `${m.topic} queue=${m.queueId} offset=${m.queueOffset} msgId=${m.properties['UNIQ_KEY'] ?? m.msgId} tags=${m.tags ?? ''} keys=${m.keys ?? ''} body=${preview}`;
}

function messageJson(m: MessageExt): string {
  return JSON.stringify({
    topic: m.topic, queueId: m.queueId, queueOffset: m.queueOffset, msgId: m.properties['UNIQ_KEY'] ?? m.msgId, offsetMsgId: m.msgId,
    tags: m.tags, keys: m.keys, storeTimestamp: m.storeTimestamp, body: m.body.toString('utf8'),
  });
}

export async function runConsume(args: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      topic: { type: 'string', short: 't' }, namesrv: { type: 'string', short: 'n' }, group: { type: 'string', short: 'g' },
      tags: { type: 'string' }, from: { type: 'string' }, count: { type: 'string' }, json: { type: 'boolean' },
    },
  });
  const topic = requiredOption(values, 'topic', 't');
  const from = optionalOption(values, 'from') ?? 'last';
  if (from !== 'first' && from !== 'last') throw new Error(`--from must be first or last, got '${from}'`);
  const count = values.count === undefined ? Infinity : intOption(values, 'count', 1, 1, Number.MAX_SAFE_INTEGER);
  const namesrvAddr = optionalOption(values, 'namesrv') ?? DEFAULT_NAMESRV;
  const brokerNameByAddress = await brokersOf(namesrvAddr, topic); // an unknown topic stops here

  const consumer = new LitePullConsumer({
    groupName: optionalOption(values, 'group') ?? 'cometmq_cli_consumer',
    namesrvAddr,
    consumeFromWhere: from === 'first' ? 'FIRST_OFFSET' : 'LAST_OFFSET',
    logger: silentLogger,
  });
  consumer.subscribe(topic, optionalOption(values, 'tags') ?? '*');
  let stopping = false;
  const stop = (): void => {
    stopping = true;
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  let consumed = 0;
  try {
    await consumer.start();
    while (!stopping && consumed < count) {
      const batch = await consumer.poll(POLL_MS);
      for (const m of batch) {
        if (consumed >= count || stopping) {
          // poll counted the whole batch as consumed; move the queue back to the first unprinted one.
          consumer.seek(queueOf(consumer.assignment(), m, brokerNameByAddress), m.queueOffset);
          break;
        }
        console.log(values.json === true ? messageJson(m) : messageLine(m));
        consumed++;
      }
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await consumer.shutdown(); // commits the offsets
  }
  if (values.json !== true) console.error(`consumed ${consumed} message(s) from '${topic}'`);
}

/** storeHost "ip:port" -> broker name for the topic, checking the topic exists on the way. */
async function brokersOf(namesrvAddr: string, topic: string): Promise<Map<string, string>> {
  const client = new AdminClient(namesrvAddr);
  try {
    return new Map((await client.topicMasters(topic)).map((m) => [m.address, m.brokerName]));
  } finally {
    await client.close();
  }
}

function queueOf(assigned: readonly MessageQueue[], m: MessageExt, brokerNameByAddress: ReadonlyMap<string, string>): MessageQueue {
  const candidates = assigned.filter((q) => q.topic === m.topic && q.queueId === m.queueId);
  if (candidates.length === 1) return candidates[0]!;
  const brokerName = brokerNameByAddress.get(`${m.storeHost.address}:${m.storeHost.port}`);
  const match = candidates.find((q) => q.brokerName === brokerName);
  if (match === undefined) throw new Error(`cannot tell which broker queue ${m.topic}:${m.queueId} came from`);
  return match;
}
