/**
 * `admin topic create|update|delete|list|route|status` (remoting-protocol.md §5.13): topic config
 * goes to every master of a cluster (or one broker), deletes go to the brokers and then the name
 * server so the route is not re-registered by a broker that still has the topic.
 */
import { parseFastjson } from '../../protocol/fastjson-parser';
import { RequestCode } from '../../protocol/request-code';
import { ResponseCode } from '../../protocol/response-code';
import { decodeTopicRouteData } from '../../client/route/topic-route-cache';
import { asObject, type AdminClient, type BrokerMaster, firstLine, num, queueEntries } from './admin-client';
import { type AdminCommand, intOption, optionalOption, requiredOption, type Values } from './command';
import { formatTable, isoTime } from './output';

const ROUTE_WAIT_MS = 10_000;

async function targetMasters(client: AdminClient, values: Values): Promise<BrokerMaster[]> {
  const brokerAddr = optionalOption(values, 'broker');
  const cluster = optionalOption(values, 'cluster');
  if (brokerAddr !== undefined && cluster !== undefined) throw new Error('give either -c/--cluster or -b/--broker, not both');
  if (brokerAddr !== undefined) return [{ cluster: '', brokerName: '', address: brokerAddr }];
  if (cluster === undefined) throw new Error('missing required option -c/--cluster or -b/--broker');
  const masters = await client.clusterMasters(cluster);
  if (masters.length === 0) throw new Error(`cluster '${cluster}' has no master broker online`);
  return masters;
}

/**
 * Waits until the name server routes the topic with the queue counts just set on each broker, so
 * the next command (a send, a route query) sees the change. Brokers re-register soon after a change.
 */
async function waitForRoute(client: AdminClient, topic: string, masters: readonly BrokerMaster[], readQueueNums: number, writeQueueNums: number): Promise<boolean> {
  const deadline = Date.now() + ROUTE_WAIT_MS;
  for (;;) {
    const response = await client.call(client.namesrvAddr, RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic });
    if (response.code === ResponseCode.SUCCESS) {
      const queues = decodeTopicRouteData(response.body).queueDatas;
      const current = masters.every((m) => m.brokerName === '' || queues.some((q) => q.brokerName === m.brokerName && q.readQueueNums === readQueueNums && q.writeQueueNums === writeQueueNums));
      if (current) return true;
    }
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const createOrUpdate: Omit<AdminCommand, 'name'> = {
  usage: '-t topic (-c cluster | -b brokerAddr) [-r readQueues] [-w writeQueues] [-p perm] [--order]',
  options: {
    topic: { type: 'string', short: 't' }, cluster: { type: 'string', short: 'c' }, broker: { type: 'string', short: 'b' },
    'read-queues': { type: 'string', short: 'r' }, 'write-queues': { type: 'string', short: 'w' }, perm: { type: 'string', short: 'p' },
    order: { type: 'boolean' },
  },
  async run({ client, out, values }) {
    const topic = requiredOption(values, 'topic', 't');
    const fields = {
      topic,
      defaultTopic: 'TBW102',
      readQueueNums: String(intOption(values, 'read-queues', 8, 1, 1024)),
      writeQueueNums: String(intOption(values, 'write-queues', 8, 1, 1024)),
      perm: String(intOption(values, 'perm', 6, 0, 7)),
      topicFilterType: 'SINGLE_TAG',
      topicSysFlag: '0',
      order: String(values['order'] === true),
    };
    const masters = await targetMasters(client, values);
    for (const master of masters) await client.expectSuccess(master.address, RequestCode.UPDATE_AND_CREATE_TOPIC, fields, `create topic '${topic}'`);
    const routed = await waitForRoute(client, topic, masters, Number(fields.readQueueNums), Number(fields.writeQueueNums));
    out.emit({ topic, brokers: masters.map((m) => m.address), readQueueNums: Number(fields.readQueueNums), writeQueueNums: Number(fields.writeQueueNums), perm: Number(fields.perm), routed }, () =>
      [
        ...masters.map((m) => `topic '${topic}' created/updated on ${m.brokerName === '' ? '' : `${m.brokerName} `}${m.address} (read ${fields.readQueueNums}, write ${fields.writeQueueNums}, perm ${fields.perm})`),
        ...(routed ? [] : [`note: the name server does not show these queue counts for '${topic}' yet; brokers register every 30 s`]),
      ].join('\n'),
    );
  },
};

export const topicCommands: AdminCommand[] = [
  { name: 'topic create', ...createOrUpdate },
  { name: 'topic update', ...createOrUpdate },
  {
    name: 'topic delete',
    usage: '-t topic [-c cluster]',
    options: { topic: { type: 'string', short: 't' }, cluster: { type: 'string', short: 'c' } },
    async run({ client, out, values }) {
      const topic = requiredOption(values, 'topic', 't');
      const cluster = optionalOption(values, 'cluster');
      const masters = cluster !== undefined ? await client.clusterMasters(cluster) : await client.topicMasters(topic);
      for (const master of masters) await client.expectSuccess(master.address, RequestCode.DELETE_TOPIC_IN_BROKER, { topic }, `delete topic '${topic}'`);
      await client.expectSuccess(client.namesrvAddr, RequestCode.DELETE_TOPIC_IN_NAMESRV, cluster === undefined ? { topic } : { topic, clusterName: cluster }, `delete topic '${topic}'`);
      out.emit({ topic, deleted: true, brokers: masters.map((m) => m.address) }, () => `topic '${topic}' deleted from ${masters.map((m) => m.address).join(', ')} and name server ${client.namesrvAddr}`);
    },
  },
  {
    name: 'topic list',
    usage: '',
    options: {},
    async run({ client, out }) {
      const response = await client.expectSuccess(client.namesrvAddr, RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER, {}, 'topic list');
      const list = asObject(parseFastjson(response.body ?? Buffer.from('{}')))['topicList'];
      const topics = (Array.isArray(list) ? list.map(String) : []).sort();
      out.emit({ topics }, () => topics.join('\n'));
    },
  },
  {
    name: 'topic route',
    usage: '-t topic',
    options: { topic: { type: 'string', short: 't' } },
    async run({ client, out, values }) {
      const topic = requiredOption(values, 'topic', 't');
      const route = await client.route(topic);
      const brokers = route.brokerDatas.map((b) => ({ cluster: b.cluster, brokerName: b.brokerName, brokerAddrs: Object.fromEntries(b.brokerAddrs) }));
      out.emit({ topic, queueDatas: route.queueDatas, brokerDatas: brokers }, () =>
        [
          formatTable(['BROKER', 'READ_QUEUES', 'WRITE_QUEUES', 'PERM'], route.queueDatas.map((q) => [q.brokerName, q.readQueueNums, q.writeQueueNums, permText(q.perm)])),
          '',
          formatTable(['CLUSTER', 'BROKER', 'ID', 'ADDRESS'], route.brokerDatas.flatMap((b) => [...b.brokerAddrs].map(([id, addr]) => [b.cluster, b.brokerName, id, addr]))),
        ].join('\n'),
      );
    },
  },
  {
    name: 'topic status',
    usage: '-t topic',
    options: { topic: { type: 'string', short: 't' } },
    async run({ client, out, values }) {
      const topic = requiredOption(values, 'topic', 't');
      const rows: Array<{ brokerName: string; queueId: number; minOffset: number; maxOffset: number; lastUpdateTimestamp: number }> = [];
      for (const master of await client.topicMasters(topic)) {
        const response = await client.call(master.address, RequestCode.GET_TOPIC_STATS_INFO, { topic });
        if (response.code !== ResponseCode.SUCCESS) throw new Error(`topic status of '${topic}' at ${master.address}: ${firstLine(response.remark) ?? `response code ${response.code}`}`);
        for (const q of queueEntries(asObject(parseFastjson(response.body ?? Buffer.from('{}')))['offsetTable'])) {
          rows.push({ brokerName: q.brokerName, queueId: q.queueId, minOffset: num(q.value['minOffset']), maxOffset: num(q.value['maxOffset']), lastUpdateTimestamp: num(q.value['lastUpdateTimestamp']) });
        }
      }
      out.emit({ topic, queues: rows }, () =>
        formatTable(['BROKER', 'QUEUE', 'MIN_OFFSET', 'MAX_OFFSET', 'LAST_UPDATED'], rows.map((r) => [r.brokerName, r.queueId, r.minOffset, r.maxOffset, isoTime(r.lastUpdateTimestamp)])),
      );
    },
  },
];

function permText(perm: number): string {
  return `${perm & 4 ? 'R' : '-'}${perm & 2 ? 'W' : '-'}${perm & 1 ? 'X' : '-'} (${perm})`;
}
