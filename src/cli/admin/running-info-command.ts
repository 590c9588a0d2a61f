/**
 * `admin consumer running-info -g group -i clientId` (mqadmin consumerStatus -i): asks a master
 * where the group is online for GET_CONSUMER_RUNNING_INFO; the broker relays it to that client,
 * which answers with its ConsumerRunningInfo (settings, subscriptions, per-queue process state).
 */
import { parseFastjson } from '../../protocol/fastjson-parser';
import { RequestCode } from '../../protocol/request-code';
import { ResponseCode } from '../../protocol/response-code';
import { asObject, firstLine, num, queueEntries } from './admin-client';
import { type AdminCommand, requiredOption } from './command';
import { formatTable, isoTime } from './output';

export const runningInfoCommands: AdminCommand[] = [
  {
    name: 'consumer running-info',
    usage: '-g group -i clientId',
    options: { group: { type: 'string', short: 'g' }, clientId: { type: 'string', short: 'i' } },
    async run({ client, out, values }) {
      const group = requiredOption(values, 'group', 'g');
      const clientId = requiredOption(values, 'clientId', 'i');
      let body: Buffer | undefined;
      for (const master of await client.clusterMasters()) {
        const response = await client.call(master.address, RequestCode.GET_CONSUMER_RUNNING_INFO, { consumerGroup: group, clientId, jstackEnable: 'false' });
        if (response.code === ResponseCode.CONSUMER_NOT_ONLINE) continue; // not connected to this broker
        if (response.code !== ResponseCode.SUCCESS) throw new Error(`running info of '${clientId}' in '${group}' at ${master.address}: ${firstLine(response.remark) ?? `response code ${response.code}`}`);
        body = response.body ?? Buffer.from('{}');
        break;
      }
      if (body === undefined) throw new Error(`consumer '${clientId}' of group '${group}' is not online on any broker`);
      const info = asObject(parseFastjson(body));
      const properties = asObject(info['properties']);
      const subscriptions = (Array.isArray(info['subscriptionSet']) ? info['subscriptionSet'] : []).map(asObject);
      const queues = queueEntries(info['mqTable']);
      out.emit({
        group, clientId, properties, subscriptions,
        queues: queues.map((q) => ({ topic: q.topic, brokerName: q.brokerName, queueId: q.queueId, ...q.value })),
        status: asObject(info['statusTable']),
      }, () =>
        [
          formatTable(['PROPERTY', 'VALUE'], Object.keys(properties).sort().map((k) => [k, String(properties[k])])),
          '',
          formatTable(['TOPIC', 'SUBSCRIPTION', 'TYPE'], subscriptions.map((s) => [String(s['topic']), String(s['subString']), String(s['expressionType'] ?? 'TAG')])),
          '',
          formatTable(['TOPIC', 'BROKER', 'QUEUE', 'COMMIT_OFFSET', 'CACHED', 'CACHED_MIN', 'CACHED_MAX', 'LAST_PULL'],
            queues.map((q) => [q.topic, q.brokerName, q.queueId, num(q.value['commitOffset']), num(q.value['cachedMsgCount']),
              num(q.value['cachedMsgMinOffset']), num(q.value['cachedMsgMaxOffset']), isoTime(num(q.value['lastPullTimestamp']))])),
        ].join('\n'),
      );
    },
  },
];
