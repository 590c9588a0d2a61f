/**
 * `cometmq produce`: sends --count messages to a topic with the SDK producer and prints each
 * SendResult (or, past a few, a summary). Sends run a bounded window at a time so a large --count
 * measures the broker rather than one round trip per message.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { silentLogger } from '../common/logger';
import { Producer } from '../client/producer/producer';
import type { SendResult } from '../client/producer/send-result';
import { AdminClient, DEFAULT_NAMESRV } from './admin/admin-client';
import { intOption, optionalOption, requiredOption, type Values } from './admin/command';

const PRINT_EACH_UP_TO = 20;
const WINDOW = 64;

export const PRODUCE_USAGE = 'produce -t topic [-n namesrvAddr] [--tags T] [--keys K] [--count N] [--size B | --body text] [-g group] [--json]';

function bodyOf(values: Values, index: number): Buffer {
  const text = optionalOption(values, 'body');
  const size = optionalOption(values, 'size');
  if (text !== undefined && size !== undefined) throw new Error('give either --body or --size, not both');
  if (text !== undefined) {
    if (text === '') throw new Error('--body must not be empty');
    return Buffer.from(text, 'utf8');
  }
  if (size !== undefined) {
    // Printable random text, so `cometmq consume` shows it as it is.
    const bytes = intOption(values, 'size', 0, 1, 4 * 1024 * 1024);
    return Buffer.from(randomBytes(Math.ceil(bytes / 2)).toString('hex').slice(0, bytes), 'latin1');
  }
  return Buffer.from(`cometmq message ${index} at ${new Date().toISOString()}`, 'utf8');
}

function resultLine(index: number, r: SendResult): string {
  return `#${index} ${r.sendStatus} msgId=${r.msgId} offsetMsgId=${r.offsetMsgId} queue=${r.messageQueue.brokerName}:${r.messageQueue.queueId} queueOffset=${r.queueOffset}`;
}

export async function runProduce(args: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      topic: { type: 'string', short: 't' }, namesrv: { type: 'string', short: 'n' }, tags: { type: 'string' }, keys: { type: 'string' },
      count: { type: 'string' }, size: { type: 'string' }, body: { type: 'string' }, group: { type: 'string', short: 'g' }, json: { type: 'boolean' },
    },
  });
  const topic = requiredOption(values, 'topic', 't');
  const count = intOption(values, 'count', 1, 1, 100_000_000);
  const namesrvAddr = optionalOption(values, 'namesrv') ?? DEFAULT_NAMESRV;
  bodyOf(values, 0); // validates --body/--size before any connection is made
  await checkNameServer(namesrvAddr);
  const producer = new Producer({ groupName: optionalOption(values, 'group') ?? 'cometmq_cli_producer', namesrvAddr, logger: silentLogger });
  await producer.start();
  const results: Array<SendResult | undefined> = new Array(count);
  const started = Date.now();
  try {
    let next = 0;
    let failed = false;
    const worker = async (): Promise<void> => {
      while (next < count && !failed) {
        const index = next++;
        const result = await producer
          .send({ topic, body: bodyOf(values, index), ...(values.tags !== undefined ? { tags: values.tags } : {}), ...(values.keys !== undefined ? { keys: values.keys } : {}) })
          .catch((err: Error) => {
            failed = true;
            throw new Error(`message #${index} to '${topic}' failed: ${err.message}`);
          });
        results[index] = result;
        if (values.json !== true && count <= PRINT_EACH_UP_TO) console.log(resultLine(index, result));
      }
    };
    // One at a time when each result is printed, so the lines come out in order.
    const window = count <= PRINT_EACH_UP_TO ? 1 : Math.min(WINDOW, count);
    await Promise.all(Array.from({ length: window }, worker));
  } finally {
    await producer.shutdown();
  }
  const elapsedMs = Math.max(1, Date.now() - started);
  if (values.json === true) console.log(JSON.stringify({ sent: count, elapsedMs, results }, null, 2));
  else if (count > PRINT_EACH_UP_TO) console.log(`sent ${count} messages to '${topic}' in ${elapsedMs} ms (${Math.round((count * 1000) / elapsedMs)} msgs/s)`);
}

/** A name server that cannot be reached is one clear error before the producer starts retrying. */
export async function checkNameServer(namesrvAddr: string): Promise<void> {
  const client = new AdminClient(namesrvAddr);
  try {
    await client.clusterInfo();
  } finally {
    await client.close();
  }
}
