/**
 * NamesrvConfig: RocketMQ's names and defaults for the parts CometMQ implements, validated once
 * (each error names the key) and frozen. Reading argv/env/files is the CLI's job; this takes values.
 */
import * as path from 'node:path';
import { mqError } from '../protocol/errors';

export interface NamesrvConfig {
  /** TCP port for brokers and clients (9876). 0 picks a free port (tests). */
  readonly listenPort: number;
  /** Interface to bind ('0.0.0.0' = all IPv4 interfaces). */
  readonly listenHost: string;
  /** Home directory of the name server; kvConfigPath defaults to <rocketmqHome>/namesrv/kvConfig.json. */
  readonly rocketmqHome: string;
  readonly kvConfigPath: string;
  /** How often silent brokers are looked for (RocketMQ 4.x: 10 s). */
  readonly scanNotActiveBrokerIntervalMs: number;
  /** A broker not re-registered for this long is dropped, unless it sent its own heartbeatTimeoutMillis. */
  readonly brokerChannelExpiredMs: number;
  /** Put `orderTopicConf` (KV namespace ORDER_TOPIC_CONFIG) into routes. */
  readonly orderMessageEnable: boolean;
  /** Serve GET_ALL_TOPIC_LIST_FROM_NAMESERVER (else SYSTEM_ERROR "disable"). */
  readonly enableAllTopicList: boolean;
  /** Serve GET_TOPICS_BY_CLUSTER (else SYSTEM_ERROR "disable"). */
  readonly enableTopicList: boolean;
}

export type NamesrvConfigInput = Partial<NamesrvConfig> & { readonly rocketmqHome: string };

export const DEFAULT_NAMESRV_CONFIG = Object.freeze({
  listenPort: 9876,
  listenHost: '0.0.0.0',
  scanNotActiveBrokerIntervalMs: 10_000,
  brokerChannelExpiredMs: 120_000,
  orderMessageEnable: false,
  enableAllTopicList: true,
  enableTopicList: true,
});

const KNOWN_KEYS = new Set<string>([...Object.keys(DEFAULT_NAMESRV_CONFIG), 'rocketmqHome', 'kvConfigPath']);

export function createNamesrvConfig(input: NamesrvConfigInput): NamesrvConfig {
  for (const key of Object.keys(input)) {
    if (!KNOWN_KEYS.has(key)) throw invalid(key, 'is not a name server setting');
  }
  const merged = { ...DEFAULT_NAMESRV_CONFIG, ...input };
  requireString(merged.rocketmqHome, 'rocketmqHome');
  const kvConfigPath = merged.kvConfigPath ?? path.join(merged.rocketmqHome, 'namesrv', 'kvConfig.json');
  requireString(kvConfigPath, 'kvConfigPath');
  requireString(merged.listenHost, 'listenHost');
  requireInt(merged.listenPort, 'listenPort', 0, 65535);
  requireInt(merged.scanNotActiveBrokerIntervalMs, 'scanNotActiveBrokerIntervalMs', 1, 3_600_000);
  requireInt(merged.brokerChannelExpiredMs, 'brokerChannelExpiredMs', 1, 86_400_000);
  requireBoolean(merged.orderMessageEnable, 'orderMessageEnable');
  requireBoolean(merged.enableAllTopicList, 'enableAllTopicList');
  requireBoolean(merged.enableTopicList, 'enableTopicList');
  return Object.freeze({ ...merged, kvConfigPath });
}

function invalid(key: string, why: string): Error {
  return mqError('ERR_INVALID_ARGUMENT', `name server config: ${key} ${why}`);
}

function requireString(v: unknown, key: string): void {
  if (typeof v !== 'string' || v === '') throw invalid(key, 'must be a non-empty string');
}

function requireInt(v: unknown, key: string, min: number, max: number): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw invalid(key, `must be an integer within ${min}..${max} (got ${JSON.stringify(v)})`);
  }
}

function requireBoolean(v: unknown, key: string): void {
  if (typeof v !== 'boolean') throw invalid(key, `must be true or false (got ${JSON.stringify(v)})`);
}
