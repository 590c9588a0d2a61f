/** PushConsumer options: typed, validated once at construction, defaults as in RocketMQ. */
import type { Logger } from '../../common/logger';
import type { TraceOptions } from '../trace/trace-options';
import { MessageModel, ConsumeFromWhere, optionError, type AllocateStrategy, type ConsumeFromWhereName, type MessageModelName } from './consumer-types';
import { DEFAULT_MAX_HELD_BYTES, DEFAULT_MAX_HELD_COUNT } from './process-queue';
import { DEFAULT_PULL_BATCH, DEFAULT_SUSPEND_MS } from './pull-api';
import { DEFAULT_REBALANCE_INTERVAL_MS } from './rebalance-service';

export interface PushConsumerOptions extends TraceOptions {
  readonly groupName: string;
  /** "host:port", several separated by ';'. */
  readonly namesrvAddr: string;
  readonly messageModel?: MessageModelName;
  readonly consumeFromWhere?: ConsumeFromWhereName;
  /** For TIMESTAMP: ms since the epoch. Default: half an hour ago (as RocketMQ). */
  readonly consumeTimestamp?: number;
  readonly allocateStrategy?: AllocateStrategy;
  /** Redeliveries before a message goes to %DLQ%<group>. Default -1: 16 for concurrent listeners, unbounded for orderly ones. */
  readonly maxReconsumeTimes?: number;
  /** Orderly listeners: how long a queue waits after a failed batch before consuming it again. Default 1000. */
  readonly suspendCurrentQueueTimeMillis?: number;
  /** Messages per listener call. Default 1. */
  readonly consumeMessageBatchMaxSize?: number;
  /** Worker threads kept alive (module listeners). Default 1. */
  readonly consumeThreadMin?: number;
  /** Listener calls at once (in-thread) or worker threads at most (module listeners). Default 20. */
  readonly consumeThreadMax?: number;
  readonly pullBatchSize?: number;
  readonly pullThresholdForQueue?: number;
  readonly pullThresholdSizeForQueue?: number;
  readonly suspendMs?: number;
  readonly pullErrorBackoffMs?: number;
  readonly rebalanceIntervalMs?: number;
  readonly heartbeatIntervalMs?: number;
  readonly persistIntervalMs?: number;
  /** Delay before a message whose send-back failed is consumed again here. Default 5 s. */
  readonly localRetryDelayMs?: number;
  /** Broadcasting offsets directory. Default ~/.cometmq/offsets. */
  readonly offsetStoreDir?: string;
  /** Names this consumer's broadcasting offset file (one per instance). Default "DEFAULT". */
  readonly instanceName?: string;
  /** Appended to the client id (`ip@instanceName@unitName`); clients with one id share a connection. */
  readonly unitName?: string;
  readonly logger?: Logger;
}

export interface ResolvedPushOptions {
  readonly groupName: string;
  readonly namesrvAddr: string;
  readonly messageModel: MessageModelName;
  readonly consumeFromWhere: ConsumeFromWhereName;
  readonly consumeTimestamp: number;
  readonly allocateStrategy: AllocateStrategy | undefined;
  readonly maxReconsumeTimes: number;
  readonly suspendCurrentQueueTimeMillis: number;
  readonly consumeMessageBatchMaxSize: number;
  readonly consumeThreadMin: number;
  readonly consumeThreadMax: number;
  readonly pullBatchSize: number;
  readonly pullThresholdForQueue: number;
  readonly pullThresholdSizeForQueue: number;
  readonly suspendMs: number;
  readonly pullErrorBackoffMs: number;
  readonly rebalanceIntervalMs: number;
  readonly heartbeatIntervalMs: number;
  readonly persistIntervalMs: number;
  readonly localRetryDelayMs: number;
  readonly offsetStoreDir: string | undefined;
  readonly instanceName: string;
}

function intIn(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max) throw optionError(`${name} must be an integer in [${min}, ${max}], got ${String(value)}`);
  return v;
}

const GROUP_PATTERN = /^[%|a-zA-Z0-9_-]{1,255}$/;

export function validateConsumerOptions(options: PushConsumerOptions): ResolvedPushOptions {
  if (options === null || typeof options !== 'object') throw optionError('options must be an object');
  if (typeof options.groupName !== 'string' || !GROUP_PATTERN.test(options.groupName)) {
    throw optionError(`groupName must be 1-255 characters of [%|a-zA-Z0-9_-], got ${JSON.stringify(options.groupName)}`);
  }
  if (typeof options.namesrvAddr !== 'string' || options.namesrvAddr.trim() === '') throw optionError('namesrvAddr must be "host:port[;host:port...]"');
  const messageModel = options.messageModel ?? 'CLUSTERING';
  if (!(messageModel in MessageModel)) throw optionError(`messageModel must be CLUSTERING or BROADCASTING, got ${String(messageModel)}`);
  const consumeFromWhere = options.consumeFromWhere ?? 'LAST_OFFSET';
  if (!(consumeFromWhere in ConsumeFromWhere)) throw optionError(`consumeFromWhere must be LAST_OFFSET, FIRST_OFFSET or TIMESTAMP, got ${String(consumeFromWhere)}`);
  if (options.allocateStrategy !== undefined && typeof options.allocateStrategy !== 'function') throw optionError('allocateStrategy must be a function');
  const consumeThreadMin = intIn('consumeThreadMin', options.consumeThreadMin, 1, 1, 1000);
  const consumeThreadMax = intIn('consumeThreadMax', options.consumeThreadMax, Math.max(20, consumeThreadMin), 1, 1000);
  if (consumeThreadMax < consumeThreadMin) throw optionError('consumeThreadMax must be >= consumeThreadMin');
  const MAX = 2 ** 31 - 1;
  return {
    groupName: options.groupName,
    namesrvAddr: options.namesrvAddr,
    messageModel,
    consumeFromWhere,
    consumeTimestamp: intIn('consumeTimestamp', options.consumeTimestamp, Date.now() - 30 * 60_000, 0, Number.MAX_SAFE_INTEGER),
    allocateStrategy: options.allocateStrategy,
    maxReconsumeTimes: intIn('maxReconsumeTimes', options.maxReconsumeTimes, -1, -1, MAX),
    suspendCurrentQueueTimeMillis: intIn('suspendCurrentQueueTimeMillis', options.suspendCurrentQueueTimeMillis, 1000, 10, 30_000),
    consumeMessageBatchMaxSize: intIn('consumeMessageBatchMaxSize', options.consumeMessageBatchMaxSize, 1, 1, 1024),
    consumeThreadMin,
    consumeThreadMax,
    pullBatchSize: intIn('pullBatchSize', options.pullBatchSize, DEFAULT_PULL_BATCH, 1, 1024),
    pullThresholdForQueue: intIn('pullThresholdForQueue', options.pullThresholdForQueue, DEFAULT_MAX_HELD_COUNT, 1, 65535),
    pullThresholdSizeForQueue: intIn('pullThresholdSizeForQueue', options.pullThresholdSizeForQueue, DEFAULT_MAX_HELD_BYTES, 1, MAX),
    suspendMs: intIn('suspendMs', options.suspendMs, DEFAULT_SUSPEND_MS, 0, 60_000),
    pullErrorBackoffMs: intIn('pullErrorBackoffMs', options.pullErrorBackoffMs, 3000, 1, MAX),
    rebalanceIntervalMs: intIn('rebalanceIntervalMs', options.rebalanceIntervalMs, DEFAULT_REBALANCE_INTERVAL_MS, 1, MAX),
    heartbeatIntervalMs: intIn('heartbeatIntervalMs', options.heartbeatIntervalMs, 30_000, 1, MAX),
    persistIntervalMs: intIn('persistIntervalMs', options.persistIntervalMs, 5000, 1, MAX),
    localRetryDelayMs: intIn('localRetryDelayMs', options.localRetryDelayMs, 5000, 1, MAX),
    offsetStoreDir: options.offsetStoreDir,
    instanceName: options.instanceName ?? 'DEFAULT',
  };
}
