/**
 * Decodes RegisterBrokerBody, the body of REGISTER_BROKER, in both forms a broker sends.
 *
 * Plain (header `compressed` false): fastjson JSON
 *   {"filterServerList":[...],"topicConfigSerializeWrapper":{"dataVersion":{...},"topicConfigTable":{name:TopicConfig}}}
 *
 * Compressed (header `compressed` true): a zlib (deflate with header) stream of big-endian parts
 *   int32 n, n bytes DataVersion JSON
 *   int32 topicCount, then per topic: int32 n, n bytes TopicConfig text
 *   int32 n, n bytes filter-server-list JSON array
 *   int32 mappingCount, then per mapping: int32 n, n bytes JSON (static topics; read and ignored)
 * Java writes each TopicConfig there with TopicConfig.encode(), which is not JSON but the
 * space-separated `name read write perm filterType [attributesJson]`; topicSysFlag and order are
 * not carried (they default to 0/false). A JSON object is accepted in that slot too.
 */
import { inflateSync } from 'node:zlib';
import { mqError } from '../protocol/errors';
import { parseFastjson } from '../protocol/fastjson-parser';
import { PERM_READ, PERM_WRITE, type DataVersion, type TopicConfig } from './route-types';

export interface RegisterBrokerBody {
  readonly dataVersion: DataVersion;
  readonly topicConfigs: readonly TopicConfig[];
  readonly filterServerList: readonly string[];
}

/** Defaults of TopicConfig.java. */
const DEFAULT_QUEUE_NUMS = 16;
const DEFAULT_PERM = PERM_READ | PERM_WRITE;
/** Inflated bodies above this are refused (zip-bomb guard; 64 MiB is hundreds of thousands of topics). */
const MAX_INFLATED_BYTES = 64 * 1024 * 1024;

export function decodeRegisterBrokerBody(body: Buffer | undefined, compressed: boolean): RegisterBrokerBody {
  if (body === undefined || body.length === 0) {
    // Java treats a missing body as an empty topic table with counter 0 and timestamp 0.
    return { dataVersion: { counter: 0, stateVersion: 0, timestamp: 0 }, topicConfigs: [], filterServerList: [] };
  }
  return compressed ? decodeCompressed(body) : decodePlain(body);
}

function decodePlain(body: Buffer): RegisterBrokerBody {
  const root = asObject(parseJson(body.toString('utf8'), 'RegisterBrokerBody'), 'RegisterBrokerBody');
  const wrapper = root['topicConfigSerializeWrapper'] === undefined
    ? {}
    : asObject(root['topicConfigSerializeWrapper'], 'topicConfigSerializeWrapper');
  const dataVersion = decodeDataVersionValue(wrapper['dataVersion'] ?? {});
  const table = wrapper['topicConfigTable'] === undefined ? {} : asObject(wrapper['topicConfigTable'], 'topicConfigTable');
  const topicConfigs = Object.entries(table).map(([name, v]) => topicConfigFromJson(asObject(v, `topicConfigTable.${name}`), name));
  return { dataVersion, topicConfigs, filterServerList: stringList(root['filterServerList'], 'filterServerList') };
}

function decodeCompressed(body: Buffer): RegisterBrokerBody {
  let raw: Buffer;
  try {
    raw = inflateSync(body, { maxOutputLength: MAX_INFLATED_BYTES });
  } catch (err) {
    throw mqError('ERR_BODY_MALFORMED', 'compressed RegisterBrokerBody is not a zlib stream', err);
  }
  let pos = 0;
  const readInt = (what: string): number => {
    if (pos + 4 > raw.length) throw mqError('ERR_BODY_MALFORMED', `compressed RegisterBrokerBody ends before ${what}`);
    const v = raw.readInt32BE(pos);
    pos += 4;
    if (v < 0) throw mqError('ERR_BODY_MALFORMED', `compressed RegisterBrokerBody has a negative ${what}`);
    return v;
  };
  const readText = (what: string): string => {
    const n = readInt(`${what} length`);
    if (pos + n > raw.length) throw mqError('ERR_BODY_MALFORMED', `compressed RegisterBrokerBody ends inside ${what}`);
    const s = raw.toString('utf8', pos, pos + n);
    pos += n;
    return s;
  };
  const dataVersion = decodeDataVersionValue(parseJson(readText('dataVersion'), 'dataVersion'));
  const topicCount = readInt('topic count');
  const topicConfigs: TopicConfig[] = [];
  for (let i = 0; i < topicCount; i++) topicConfigs.push(topicConfigFromText(readText('topic config')));
  const filterServerList = stringList(parseJson(readText('filterServerList'), 'filterServerList'), 'filterServerList');
  if (pos < raw.length) {
    const mappings = readInt('mapping count');
    for (let i = 0; i < mappings; i++) readText('topic queue mapping');
  }
  return { dataVersion, topicConfigs, filterServerList };
}

/** DataVersion JSON as a Buffer (QUERY_DATA_VERSION request body). */
export function decodeDataVersion(body: Buffer | undefined): DataVersion {
  if (body === undefined || body.length === 0) throw mqError('ERR_BODY_MALFORMED', 'DataVersion body is missing');
  return decodeDataVersionValue(parseJson(body.toString('utf8'), 'DataVersion'));
}

function decodeDataVersionValue(value: unknown): DataVersion {
  const o = asObject(value, 'dataVersion');
  return {
    counter: intField(o, 'counter', 0, 'dataVersion'),
    stateVersion: intField(o, 'stateVersion', 0, 'dataVersion'),
    timestamp: intField(o, 'timestamp', 0, 'dataVersion'),
  };
}

function topicConfigFromJson(o: Record<string, unknown>, key: string): TopicConfig {
  const name = o['topicName'] ?? key;
  if (typeof name !== 'string' || name === '') throw mqError('ERR_BODY_MALFORMED', `topic config ${key} has no topicName`);
  const where = `topic config ${name}`;
  const filterType = o['topicFilterType'] ?? 'SINGLE_TAG';
  if (filterType !== 'SINGLE_TAG' && filterType !== 'MULTI_TAG') {
    throw mqError('ERR_BODY_MALFORMED', `${where}: topicFilterType must be SINGLE_TAG or MULTI_TAG`);
  }
  const order = o['order'] ?? false;
  if (typeof order !== 'boolean') throw mqError('ERR_BODY_MALFORMED', `${where}: order must be a boolean`);
  const config = {
    topicName: name,
    readQueueNums: intField(o, 'readQueueNums', DEFAULT_QUEUE_NUMS, where),
    writeQueueNums: intField(o, 'writeQueueNums', DEFAULT_QUEUE_NUMS, where),
    perm: intField(o, 'perm', DEFAULT_PERM, where),
    topicSysFlag: intField(o, 'topicSysFlag', 0, where),
    topicFilterType: filterType,
    order,
  };
  if (config.readQueueNums < 0 || config.writeQueueNums < 0) throw mqError('ERR_BODY_MALFORMED', `${where}: queue counts must not be negative`);
  if (config.perm < 0 || config.perm > 15) throw mqError('ERR_BODY_MALFORMED', `${where}: perm must be within 0..15`);
  return config;
}

function topicConfigFromText(text: string): TopicConfig {
  if (text.startsWith('{')) {
    return topicConfigFromJson(asObject(parseJson(text, 'topic config'), 'topic config'), '(compressed)');
  }
  const parts = text.split(' ');
  if (parts.length < 5) throw mqError('ERR_BODY_MALFORMED', `topic config "${text.slice(0, 80)}" has fewer than 5 fields`);
  const [topicName, read, write, perm, filterType] = parts as [string, string, string, string, string];
  return topicConfigFromJson({
    topicName, readQueueNums: toInt(read), writeQueueNums: toInt(write), perm: toInt(perm), topicFilterType: filterType,
  }, topicName);
}

function toInt(s: string): number | string {
  return /^-?\d+$/.test(s) ? Number(s) : s;
}

function parseJson(text: string, what: string): unknown {
  try {
    return parseFastjson(text);
  } catch (err) {
    throw mqError('ERR_BODY_MALFORMED', `${what} is not valid JSON`, err);
  }
}

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw mqError('ERR_BODY_MALFORMED', `${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

function intField(o: Record<string, unknown>, key: string, fallback: number, where: string): number {
  const v = o[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw mqError('ERR_BODY_MALFORMED', `${where}: ${key} must be an integer`);
  return v;
}

function stringList(value: unknown, what: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((s) => typeof s === 'string')) {
    throw mqError('ERR_BODY_MALFORMED', `${what} must be an array of strings`);
  }
  return value as string[];
}
