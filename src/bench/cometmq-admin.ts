/**
 * What the CometMQ target asks a cluster through the admin client: is the name server there, create
 * the benchmark topics on every master and wait until the name server routes them, and how many
 * messages a topic holds (tests and the consumer check counts against the broker, not the tool).
 */
import { parseFastjson } from '../protocol/fastjson-parser';
import { RequestCode } from '../protocol/request-code';
import { ResponseCode } from '../protocol/response-code';
import { decodeTopicRouteData } from '../client/route/topic-route-cache';
import { AdminClient, asObject, num, queueEntries } from '../cli/admin/admin-client';
import { BenchUsageError } from './bench-options';
import { createTopicList } from './matrix/topic-list';

const CREATE_CONCURRENCY = 16;
const ROUTE_DEADLINE_MS = 60_000;

/** An unreachable name server is bad input (exit 2), said in one line before anything else runs. */
export async function checkNameServer(namesrvAddr: string): Promise<void> {
  const client = new AdminClient(namesrvAddr);
  try {
    const info = await client.clusterInfo();
    if (info.brokers.length === 0) throw new BenchUsageError(`name server ${namesrvAddr} knows no broker`);
  } catch (err) {
    if (err instanceof BenchUsageError) throw err;
    throw new BenchUsageError(`name server ${namesrvAddr} is unreachable: ${(err as Error).message.replace(/^cannot reach name server \S+: /, '')}`);
  } finally {
    await client.close();
  }
}

/** Runs fn over items, at most `limit` at a time. */
export async function inParallel<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Creates (or updates) every topic with `queues` read and write queues on every master, then waits for the routes. */
export async function createTopics(namesrvAddr: string, topics: readonly string[], queues: number): Promise<void> {
  const client = new AdminClient(namesrvAddr);
  try {
    const masters = await client.clusterMasters();
    if (masters.length === 0) throw new Error(`name server ${namesrvAddr} lists no master broker`);
    const fields = (topic: string): Record<string, string> => ({
      topic, defaultTopic: 'TBW102', readQueueNums: String(queues), writeQueueNums: String(queues), perm: '6',
      topicFilterType: 'SINGLE_TAG', topicSysFlag: '0', order: 'false',
    });
    for (const m of masters) {
      // A few list requests (one topics.json write each) instead of a synced rewrite per topic; one by one on brokers without the code.
      if (await createTopicList(client, m.address, topics, { readQueueNums: queues, writeQueueNums: queues })) continue;
      await inParallel(topics, CREATE_CONCURRENCY, async (topic) => {
        await client.expectSuccess(m.address, RequestCode.UPDATE_AND_CREATE_TOPIC, fields(topic), `create topic '${topic}'`);
      });
    }
    const pending = new Set(topics);
    const deadline = Date.now() + ROUTE_DEADLINE_MS;
    while (pending.size > 0) {
      await inParallel([...pending], CREATE_CONCURRENCY, async (topic) => {
        const response = await client.call(namesrvAddr, RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic });
        if (response.code !== ResponseCode.SUCCESS) return;
        const route = decodeTopicRouteData(response.body);
        const routed = masters.every((m) => route.queueDatas.some((q) => q.brokerName === m.brokerName && q.writeQueueNums === queues && q.readQueueNums === queues));
        if (routed) pending.delete(topic);
      });
      if (pending.size === 0) break;
      if (Date.now() > deadline) throw new Error(`the name server does not route ${pending.size} of the ${topics.length} benchmark topics after ${ROUTE_DEADLINE_MS / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await client.close();
  }
}

/** Messages stored in `topic` across its queues on every master (max offset − min offset). */
export async function storedMessageCount(namesrvAddr: string, topic: string): Promise<number> {
  const client = new AdminClient(namesrvAddr);
  try {
    let total = 0;
    for (const master of await client.topicMasters(topic)) {
      const response = await client.expectSuccess(master.address, RequestCode.GET_TOPIC_STATS_INFO, { topic }, `topic status of '${topic}'`);
      for (const q of queueEntries(asObject(parseFastjson(response.body ?? Buffer.from('{}')))['offsetTable'])) {
        total += num(q.value['maxOffset']) - num(q.value['minOffset']);
      }
    }
    return total;
  } finally {
    await client.close();
  }
}
