/**
 * `admin consumer progress` (GET_CONSUME_STATS on every master: broker offset, consumer offset and
 * their difference per queue) and `admin consumer connections` (GET_CONSUMER_CONNECTION_LIST).
 */
import { parseFastjson } from '../../protocol/fastjson-parser';
import { RequestCode } from '../../protocol/request-code';
import { ResponseCode } from '../../protocol/response-code';
import { asObject, firstLine, num, queueEntries } from './admin-client';
import { type AdminCommand, optionalOption, requiredOption } from './command';
import { formatTable, isoTime } from './output';

interface ProgressRow {
  readonly topic: string;
  readonly brokerName: string;
  readonly queueId: number;
  readonly brokerOffset: number;
  readonly consumerOffset: number;
  readonly diff: number;
  readonly lastTimestamp: number;
}

export const consumerCommands: AdminCommand[] = [
  {
    name: 'consumer progress',
    usage: '-g group [-t topic]',
    options: { group: { type: 'string', short: 'g' }, topic: { type: 'string', short: 't' } },
    async run({ client, out, values }) {
      const group = requiredOption(values, 'group', 'g');
      const topic = optionalOption(values, 'topic');
      const masters = topic !== undefined ? await client.topicMasters(topic) : await client.clusterMasters();
      const rows: ProgressRow[] = [];
      let answered = 0;
      for (const master of masters) {
        const response = await client.call(master.address, RequestCode.GET_CONSUME_STATS, topic === undefined ? { consumerGroup: group } : { consumerGroup: group, topic });
        if (response.code === ResponseCode.CONSUMER_NOT_ONLINE) continue; // this broker never saw the group
        if (response.code !== ResponseCode.SUCCESS) throw new Error(`consumer progress of '${group}' at ${master.address}: ${firstLine(response.remark) ?? `response code ${response.code}`}`);
        answered++;
        for (const q of queueEntries(asObject(parseFastjson(response.body ?? Buffer.from('{}')))['offsetTable'])) {
          const brokerOffset = num(q.value['brokerOffset']);
          const consumerOffset = num(q.value['consumerOffset']);
          rows.push({ topic: q.topic, brokerName: q.brokerName, queueId: q.queueId, brokerOffset, consumerOffset, diff: Math.max(0, brokerOffset - consumerOffset), lastTimestamp: num(q.value['lastTimestamp']) });
        }
      }
      if (answered === 0) throw new Error(`consumer group '${group}' has no offsets on any broker and is not online`);
      const totalDiff = rows.reduce((sum, r) => sum + r.diff, 0);
      out.emit({ group, queues: rows, totalDiff }, () =>
        [
          formatTable(['TOPIC', 'BROKER', 'QUEUE', 'BROKER_OFFSET', 'CONSUMER_OFFSET', 'DIFF', 'LAST_CONSUMED'],
            rows.map((r) => [r.topic, r.brokerName, r.queueId, r.brokerOffset, r.consumerOffset, r.diff, isoTime(r.lastTimestamp)])),
          '',
          `total diff: ${totalDiff}`,
        ].join('\n'),
      );
    },
  },
  {
    name: 'consumer connections',
    usage: '-g group',
    options: { group: { type: 'string', short: 'g' } },
    async run({ client, out, values }) {
      const group = requiredOption(values, 'group', 'g');
      const connections = new Map<string, Record<string, unknown>>();
      let details: Record<string, unknown> | undefined;
      for (const master of await client.clusterMasters()) {
        const response = await client.call(master.address, RequestCode.GET_CONSUMER_CONNECTION_LIST, { consumerGroup: group });
        if (response.code === ResponseCode.CONSUMER_NOT_ONLINE) continue;
        if (response.code !== ResponseCode.SUCCESS) throw new Error(`connections of '${group}' at ${master.address}: ${firstLine(response.remark) ?? `response code ${response.code}`}`);
        const body = asObject(parseFastjson(response.body ?? Buffer.from('{}')));
        details ??= body;
        for (const c of Array.isArray(body['connectionSet']) ? body['connectionSet'] : []) {
          const connection = asObject(c);
          connections.set(String(connection['clientId']), connection);
        }
      }
      if (details === undefined) throw new Error(`consumer group '${group}' is not online`);
      const list = [...connections.values()].sort((a, b) => String(a['clientId']).localeCompare(String(b['clientId'])));
      const subscriptions = Object.values(asObject(details['subscriptionTable'])).map(asObject);
      out.emit({ group, consumeType: details['consumeType'], messageModel: details['messageModel'], consumeFromWhere: details['consumeFromWhere'], connections: list, subscriptions }, () =>
        [
          formatTable(['CLIENT_ID', 'CLIENT_ADDRESS', 'LANGUAGE', 'VERSION'], list.map((c) => [String(c['clientId']), String(c['clientAddr']), String(c['language']), num(c['version'])])),
          '',
          formatTable(['TOPIC', 'SUBSCRIPTION'], subscriptions.map((s) => [String(s['topic']), String(s['subString'])])),
          '',
          `consume type ${String(details!['consumeType'])}, model ${String(details!['messageModel'])}, from ${String(details!['consumeFromWhere'])}`,
        ].join('\n'),
      );
    },
  },
];
