/** `admin cluster list` (GET_BROKER_CLUSTER_INFO) and `admin broker status` (GET_BROKER_RUNTIME_INFO). */
import { parseFastjson } from '../../protocol/fastjson-parser';
import { RequestCode } from '../../protocol/request-code';
import { asObject, entries } from './admin-client';
import { type AdminCommand, optionalOption } from './command';
import { formatTable } from './output';

export const clusterCommands: AdminCommand[] = [
  {
    name: 'cluster list',
    usage: '',
    options: {},
    async run({ client, out }) {
      const info = await client.clusterInfo();
      const rows = info.brokers.flatMap((b) => [...b.brokerAddrs].sort(([a], [c]) => a - c).map(([id, address]) => ({ cluster: b.cluster, brokerName: b.brokerName, brokerId: id, address })));
      out.emit({ brokers: rows, clusters: Object.fromEntries(info.clusters) }, () =>
        formatTable(['CLUSTER', 'BROKER', 'ID', 'ADDRESS'], rows.map((r) => [r.cluster, r.brokerName, r.brokerId, r.address])),
      );
    },
  },
  {
    name: 'broker status',
    usage: '[-b brokerAddr]  (every broker when -b is absent)',
    options: { broker: { type: 'string', short: 'b' } },
    async run({ client, out, values }) {
      const only = optionalOption(values, 'broker');
      const addresses = only !== undefined ? [only] : (await client.clusterInfo()).brokers.flatMap((b) => [...b.brokerAddrs.values()]);
      if (addresses.length === 0) throw new Error(`no broker is registered with name server ${client.namesrvAddr}`);
      const result: Record<string, Record<string, string>> = {};
      for (const address of addresses) {
        const response = await client.expectSuccess(address, RequestCode.GET_BROKER_RUNTIME_INFO, {}, 'broker status');
        const table = asObject(parseFastjson(response.body ?? Buffer.from('{}')))['table'];
        result[address] = Object.fromEntries(entries(table).map(([k, v]) => [k, String(v)]).sort(([a], [b]) => a!.localeCompare(b!)));
      }
      out.emit(result, () =>
        Object.entries(result).map(([address, table]) => `broker ${address}\n${formatTable(['KEY', 'VALUE'], Object.entries(table))}`).join('\n\n'),
      );
    },
  },
];
