/**
 * BrokerConfig: the broker's settings, read from a RocketMQ-style broker.conf (key=value lines,
 * `#` comments) or given as values, validated once at start and frozen. Every error names the key
 * and, for a file, the line. Store keys (MessageStoreConfig names) pass through to the store config
 * and are validated by the store's own rules here, so a bad value fails before anything starts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MqError } from '../common/mq-error';
import { parseIpAddress } from '../message/socket-address';
import { topicProblem } from '../message/topic-validator';
import { mqError } from '../protocol/errors';
import { createStoreConfig, DEFAULT_STORE_CONFIG, type MessageStoreConfig, type StoreConfigInput } from '../store/store-config';

export type BrokerRole = 'ASYNC_MASTER' | 'SYNC_MASTER' | 'SLAVE';
const BROKER_ROLES: readonly BrokerRole[] = ['ASYNC_MASTER', 'SYNC_MASTER', 'SLAVE'];

export interface BrokerConfig {
  readonly brokerClusterName: string;
  readonly brokerName: string;
  /** 0 = master, > 0 = slave. */
  readonly brokerId: number;
  /** Name server addresses ("host:port"), from the ';'-separated namesrvAddr. */
  readonly namesrvAddrs: readonly string[];
  readonly listenPort: number;
  /** Interface the server binds (not a RocketMQ key; default all IPv4 interfaces). */
  readonly listenHost: string;
  /** Address published to name servers and written as STOREHOST. */
  readonly brokerIP1: string;
  readonly storePathRootDir: string;
  readonly brokerRole: BrokerRole;
  readonly autoCreateTopicEnable: boolean;
  readonly autoCreateSubscriptionGroup: boolean;
  readonly defaultTopicQueueNums: number;
  readonly brokerPermission: number;
  readonly longPollingEnable: boolean;
  readonly shortPollingTimeMills: number;
  readonly osPageCacheBusyTimeOutMills: number;
  /** Sends waiting longer than this for the store are answered SYSTEM_BUSY (ms). */
  readonly waitTimeMillsInSendQueue: number;
  /** Sends allowed to wait for the store; past it SYSTEM_BUSY at once. */
  readonly sendThreadPoolQueueCapacity: number;
  /** Sends being stored at once (not a RocketMQ key: its send threads play this part). */
  readonly maxConcurrentSends: number;
  readonly flushConsumerOffsetInterval: number;
  readonly registerNameServerPeriod: number;
  readonly channelExpiredTimeoutMs: number;
  /**
   * After answering a client, keep polling the sockets this long (µs) before letting the CPU sleep,
   * so a client's next request is read without waking an idle CPU; 0 = never poll (docs/broker.md).
   */
  readonly serverBusyPollMicros: number;
  readonly region: string;
  readonly traceOn: boolean;
  /** Create msgTraceTopicName (1 queue) at start (RocketMQ traceTopicEnable; see docs/trace.md). */
  readonly traceTopicEnable: boolean;
  /** The message-trace topic (RocketMQ msgTraceTopicName). */
  readonly msgTraceTopicName: string;
  /** Half messages younger than this (ms) are not checked yet (RocketMQ transactionTimeOut). */
  readonly transactionTimeOut: number;
  /** Checks of one half message before it is discarded (RocketMQ transactionCheckMax). */
  readonly transactionCheckMax: number;
  /** Period of the transaction check service, ms (RocketMQ transactionCheckInterval). */
  readonly transactionCheckInterval: number;
  /** SQL92 subscriptions (RocketMQ enablePropertyFilter; on by default here, see docs/filters.md). */
  readonly enablePropertyFilter: boolean;
  /** POP (broker/pop): how often expired checkpoints are revived, ms (RocketMQ reviveInterval). */
  readonly reviveInterval: number;
  /** POP: queues of the revive topic rmq_sys_REVIVE_LOG_<cluster> (RocketMQ reviveQueueNum). */
  readonly reviveQueueNum: number;
  /** POP: long-polled pops held per topic before POLLING_FULL (RocketMQ popPollingSize). */
  readonly popPollingSize: number;
  /** Timer messages (TIMER_DELIVER_MS / TIMER_DELAY_SEC / TIMER_DELAY_MS; broker/timer). */
  readonly timerWheelEnable: boolean;
  /** Longest accepted timer delay, s (RocketMQ timerMaxDelaySec, 3 days). */
  readonly timerMaxDelaySec: number;
  /** Width of one timer-wheel slot, ms (delivery itself is at the exact due time; docs/delayed-messages.md). */
  readonly timerPrecisionMs: number;
  /** How often the timer progress checkpoint is written, ms (RocketMQ timerFlushIntervalMs). */
  readonly timerFlushIntervalMs: number;
  /** The full, validated store configuration (storePathRootDir, flushDiskType, maxMessageSize, ...). */
  readonly store: MessageStoreConfig;
}

/** Broker-level keys and their defaults (RocketMQ BrokerConfig names where they exist). */
export const DEFAULT_BROKER_CONFIG = Object.freeze({
  brokerClusterName: 'DefaultCluster',
  brokerName: 'broker-a',
  brokerId: 0,
  namesrvAddr: '',
  listenPort: 10911,
  listenHost: '0.0.0.0',
  brokerIP1: '127.0.0.1',
  brokerRole: 'ASYNC_MASTER' as BrokerRole,
  autoCreateTopicEnable: true,
  autoCreateSubscriptionGroup: true,
  defaultTopicQueueNums: 8,
  brokerPermission: 6,
  longPollingEnable: true,
  shortPollingTimeMills: 1000,
  osPageCacheBusyTimeOutMills: 1000,
  waitTimeMillsInSendQueue: 200,
  sendThreadPoolQueueCapacity: 10_000,
  maxConcurrentSends: 4096,
  flushConsumerOffsetInterval: 5000,
  registerNameServerPeriod: 30_000,
  channelExpiredTimeoutMs: 120_000,
  serverBusyPollMicros: 100,
  region: 'DefaultRegion',
  traceOn: true,
  traceTopicEnable: false,
  msgTraceTopicName: 'RMQ_SYS_TRACE_TOPIC',
  transactionTimeOut: 6000,
  transactionCheckMax: 15,
  transactionCheckInterval: 60_000,
  enablePropertyFilter: true,
  reviveInterval: 1000,
  reviveQueueNum: 8,
  popPollingSize: 1024,
  timerWheelEnable: true,
  timerMaxDelaySec: 259_200,
  timerPrecisionMs: 100,
  timerFlushIntervalMs: 1000,
});

type BrokerKey = keyof typeof DEFAULT_BROKER_CONFIG;
const STORE_KEYS = new Set<string>([...Object.keys(DEFAULT_STORE_CONFIG), 'storePathRootDir']);

/** Raw values: strings from a file, or typed values from code. `lines` maps keys to file lines. */
export interface BrokerConfigSource {
  readonly values: Readonly<Record<string, string | number | boolean>>;
  readonly file?: string;
  readonly lines?: ReadonlyMap<string, number>;
}

/** Parses broker.conf text into key -> string values, remembering each key's line. */
export function parseBrokerConf(text: string, file = 'broker.conf'): BrokerConfigSource {
  const values: Record<string, string> = {};
  const lines = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) return;
    const eq = line.indexOf('=');
    if (eq <= 0) throw configError(file, index + 1, line, 'is not a key=value line');
    const key = line.slice(0, eq).trim();
    if (lines.has(key)) throw configError(file, index + 1, key, `is set twice (first on line ${lines.get(key)})`);
    values[key] = line.slice(eq + 1).trim();
    lines.set(key, index + 1);
  });
  return { values, file, lines };
}

/** Reads and validates a broker.conf; an unreadable file is a clear error naming it. */
export function loadBrokerConfig(file: string): BrokerConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw mqError('ERR_INVALID_ARGUMENT', `cannot read broker config ${file}: ${(err as Error).message}`, err);
  }
  return createBrokerConfig(parseBrokerConf(text, file));
}

export function createBrokerConfig(source: BrokerConfigSource): BrokerConfig {
  const where = (key: string): [string, number | undefined] => [source.file ?? '(config)', source.lines?.get(key)];
  const fail = (key: string, why: string): never => {
    const [file, line] = where(key);
    throw configError(file, line, key, why);
  };
  const broker: Record<string, unknown> = { ...DEFAULT_BROKER_CONFIG };
  const storeRaw: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(source.values)) {
    if (key in DEFAULT_BROKER_CONFIG) {
      broker[key] = coerce(key, raw, DEFAULT_BROKER_CONFIG[key as BrokerKey], fail);
    } else if (STORE_KEYS.has(key)) {
      const template = key === 'storePathRootDir' ? '' : (DEFAULT_STORE_CONFIG as Record<string, unknown>)[key];
      storeRaw[key] = coerce(key, raw, template, fail);
    } else {
      fail(key, 'is not a known broker or store setting');
    }
  }
  const storePathRootDir = storeRaw['storePathRootDir'];
  if (typeof storePathRootDir !== 'string' || storePathRootDir === '') fail('storePathRootDir', 'must be set (the data directory)');
  storeRaw['storePathRootDir'] = path.resolve(storePathRootDir as string);

  checkString(broker, 'brokerClusterName', fail);
  checkString(broker, 'brokerName', fail);
  checkString(broker, 'brokerIP1', fail);
  checkString(broker, 'listenHost', fail);
  checkString(broker, 'region', fail);
  const traceTopicProblem = topicProblem(broker['msgTraceTopicName']);
  if (traceTopicProblem !== undefined) fail('msgTraceTopicName', traceTopicProblem);
  checkInt(broker, 'brokerId', 0, 1_000_000, fail);
  checkInt(broker, 'listenPort', 0, 65535, fail);
  checkInt(broker, 'defaultTopicQueueNums', 1, 1024, fail);
  checkInt(broker, 'brokerPermission', 0, 7, fail);
  checkInt(broker, 'shortPollingTimeMills', 1, 3_600_000, fail);
  checkInt(broker, 'osPageCacheBusyTimeOutMills', 1, 3_600_000, fail);
  checkInt(broker, 'waitTimeMillsInSendQueue', 1, 3_600_000, fail);
  checkInt(broker, 'sendThreadPoolQueueCapacity', 1, 10_000_000, fail);
  checkInt(broker, 'maxConcurrentSends', 1, 10_000_000, fail);
  checkInt(broker, 'flushConsumerOffsetInterval', 1, 3_600_000, fail);
  checkInt(broker, 'registerNameServerPeriod', 1000, 3_600_000, fail);
  checkInt(broker, 'channelExpiredTimeoutMs', 1000, 86_400_000, fail);
  checkInt(broker, 'serverBusyPollMicros', 0, 100_000, fail);
  checkInt(broker, 'transactionTimeOut', 0, 86_400_000, fail);
  checkInt(broker, 'transactionCheckMax', 1, 1_000_000, fail);
  checkInt(broker, 'transactionCheckInterval', 1, 86_400_000, fail);
  checkInt(broker, 'timerMaxDelaySec', 1, 31_536_000, fail);
  checkInt(broker, 'timerPrecisionMs', 1, 10_000, fail);
  checkInt(broker, 'timerFlushIntervalMs', 10, 3_600_000, fail);
  checkInt(broker, 'reviveInterval', 1, 3_600_000, fail);
  checkInt(broker, 'reviveQueueNum', 1, 64, fail);
  checkInt(broker, 'popPollingSize', 1, 1_000_000, fail);
  try {
    parseIpAddress(String(broker['brokerIP1']));
  } catch {
    // Handled by a config error naming the key and line (the address goes into every STOREHOST).
    fail('brokerIP1', `must be an IPv4 or IPv6 address, got "${String(broker['brokerIP1'])}"`);
  }
  if (!BROKER_ROLES.includes(broker['brokerRole'] as BrokerRole)) fail('brokerRole', `must be one of ${BROKER_ROLES.join(', ')}`);
  const namesrvAddrs = parseNamesrvAddr(String(broker['namesrvAddr']), fail);

  let store: MessageStoreConfig;
  try {
    store = createStoreConfig(storeRaw as unknown as StoreConfigInput);
  } catch (err) {
    const key = typeof (err as { key?: unknown }).key === 'string' ? (err as { key: string }).key : '(store)';
    return fail(key, `${(err as Error).message}`);
  }
  const { namesrvAddr: _unused, ...rest } = broker;
  return Object.freeze({ ...(rest as Omit<BrokerConfig, 'namesrvAddrs' | 'store'>), namesrvAddrs: Object.freeze(namesrvAddrs), store });
}

function parseNamesrvAddr(value: string, fail: (key: string, why: string) => never): string[] {
  if (value.trim() === '') return [];
  return value.split(';').map((s) => s.trim()).filter((s) => s !== '').map((addr) => {
    const match = /^([^:\s]+):(\d{1,5})$/.exec(addr);
    if (match === null || Number(match[2]) > 65535) fail('namesrvAddr', `has "${addr}", which is not host:port`);
    return addr;
  });
}

function coerce(key: string, raw: string | number | boolean, template: unknown, fail: (key: string, why: string) => never): unknown {
  if (typeof raw !== 'string') return raw;
  if (typeof template === 'number') {
    if (!/^-?\d+(\.\d+)?$/.test(raw)) fail(key, `must be a number, got "${raw}"`);
    return Number(raw);
  }
  if (typeof template === 'boolean') {
    if (raw !== 'true' && raw !== 'false') fail(key, `must be true or false, got "${raw}"`);
    return raw === 'true';
  }
  return raw;
}

function checkString(values: Record<string, unknown>, key: string, fail: (key: string, why: string) => never): void {
  const v = values[key];
  if (typeof v !== 'string' || v === '') fail(key, 'must be a non-empty string');
}

function checkInt(values: Record<string, unknown>, key: string, min: number, max: number, fail: (key: string, why: string) => never): void {
  const v = values[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    fail(key, `must be an integer within ${min}..${max}, got ${JSON.stringify(v)}`);
  }
}

function configError(file: string, line: number | undefined, key: string, why: string): MqError {
  const at = line === undefined ? file : `${file}:${line}`;
  return mqError('ERR_INVALID_ARGUMENT', `${at}: ${key} ${why}`);
}
