/**
 * MessageStoreConfig: RocketMQ's names and defaults, validated once (errors name the key), frozen.
 * The subset listed in NATIVE_CONFIG_KEYS is handed to the addon by slot name; the rest (sync flush
 * timeout, delay levels, retention policy) is used by the TypeScript facade.
 */
import { MqError } from '../common/mq-error';

export type FlushDiskType = 'ASYNC_FLUSH' | 'SYNC_FLUSH';

export interface MessageStoreConfig {
  readonly storePathRootDir: string;
  readonly mappedFileSizeCommitLog: number;
  readonly mappedFileSizeConsumeQueue: number;
  readonly maxMessageSize: number;
  readonly flushDiskType: FlushDiskType;
  readonly flushIntervalCommitLog: number;
  readonly flushCommitLogLeastPages: number;
  readonly flushCommitLogThoroughInterval: number;
  readonly syncFlushTimeout: number;
  readonly transientStorePoolEnable: boolean;
  readonly transientStorePoolSize: number;
  readonly commitIntervalCommitLog: number;
  readonly commitCommitLogLeastPages: number;
  readonly commitCommitLogThoroughInterval: number;
  readonly warmMapedFileEnable: boolean;
  readonly flushLeastPagesWhenWarmMapedFile: number;
  readonly mlockMappedFileEnable: boolean;
  readonly dataReadAheadEnable: boolean;
  readonly flushIntervalConsumeQueue: number;
  readonly flushConsumeQueueLeastPages: number;
  readonly flushConsumeQueueThoroughInterval: number;
  readonly messageIndexEnable: boolean;
  readonly maxHashSlotNum: number;
  readonly maxIndexNum: number;
  readonly checkCRCOnRecover: boolean;
  readonly accessMessageInMemoryMaxRatio: number;
  readonly maxTransferBytesOnMessageInMemory: number;
  readonly maxTransferCountOnMessageInMemory: number;
  readonly maxTransferBytesOnMessageInDisk: number;
  readonly maxTransferCountOnMessageInDisk: number;
  readonly messageDelayLevel: string;
  /** Hours a CommitLog file is kept after its last modification. */
  readonly fileReservedTime: number;
  /** Hours of day (';'-separated, e.g. "04" or "04;16") at which expired files are deleted. */
  readonly deleteWhen: string;
  readonly cleanResourceInterval: number;
  readonly deleteFileBatchMax: number;
  readonly diskMaxUsedSpaceRatio: number;
  readonly diskSpaceCleanForciblyRatio: number;
  readonly diskSpaceWarningLevelRatio: number;
  readonly cleanFileForciblyEnable: boolean;
}

export type StoreConfigInput = Partial<MessageStoreConfig> & { readonly storePathRootDir: string };

export const DEFAULT_STORE_CONFIG: Readonly<Omit<MessageStoreConfig, 'storePathRootDir'>> = Object.freeze({
  mappedFileSizeCommitLog: 1024 * 1024 * 1024,
  mappedFileSizeConsumeQueue: 300_000 * 20,
  maxMessageSize: 4 * 1024 * 1024,
  flushDiskType: 'ASYNC_FLUSH',
  flushIntervalCommitLog: 500,
  flushCommitLogLeastPages: 4,
  flushCommitLogThoroughInterval: 10_000,
  syncFlushTimeout: 5000,
  transientStorePoolEnable: false,
  transientStorePoolSize: 5,
  commitIntervalCommitLog: 200,
  commitCommitLogLeastPages: 4,
  commitCommitLogThoroughInterval: 200,
  warmMapedFileEnable: false,
  flushLeastPagesWhenWarmMapedFile: 4096,
  mlockMappedFileEnable: false,
  dataReadAheadEnable: true,
  flushIntervalConsumeQueue: 1000,
  flushConsumeQueueLeastPages: 2,
  flushConsumeQueueThoroughInterval: 60_000,
  messageIndexEnable: true,
  maxHashSlotNum: 5_000_000,
  maxIndexNum: 20_000_000,
  checkCRCOnRecover: true,
  accessMessageInMemoryMaxRatio: 40,
  maxTransferBytesOnMessageInMemory: 262_144,
  maxTransferCountOnMessageInMemory: 32,
  maxTransferBytesOnMessageInDisk: 65_536,
  maxTransferCountOnMessageInDisk: 8,
  messageDelayLevel: '1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h',
  fileReservedTime: 72,
  deleteWhen: '04',
  cleanResourceInterval: 10_000,
  deleteFileBatchMax: 10,
  diskMaxUsedSpaceRatio: 75,
  diskSpaceCleanForciblyRatio: 85,
  diskSpaceWarningLevelRatio: 90,
  cleanFileForciblyEnable: true,
});

/** Keys the addon receives as config slots (constants.configSlots must list exactly these). */
export const NATIVE_CONFIG_KEYS = [
  'mappedFileSizeCommitLog',
  'mappedFileSizeConsumeQueue',
  'maxMessageSize',
  'flushDiskType',
  'flushIntervalCommitLog',
  'flushCommitLogLeastPages',
  'flushCommitLogThoroughInterval',
  'transientStorePoolEnable',
  'transientStorePoolSize',
  'commitIntervalCommitLog',
  'commitCommitLogLeastPages',
  'commitCommitLogThoroughInterval',
  'warmMapedFileEnable',
  'flushLeastPagesWhenWarmMapedFile',
  'mlockMappedFileEnable',
  'dataReadAheadEnable',
  'flushIntervalConsumeQueue',
  'flushConsumeQueueLeastPages',
  'flushConsumeQueueThoroughInterval',
  'messageIndexEnable',
  'maxHashSlotNum',
  'maxIndexNum',
  'checkCRCOnRecover',
  'accessMessageInMemoryMaxRatio',
  'maxTransferBytesOnMessageInMemory',
  'maxTransferCountOnMessageInMemory',
  'maxTransferBytesOnMessageInDisk',
  'maxTransferCountOnMessageInDisk',
] as const satisfies readonly (keyof MessageStoreConfig)[];

/** A config value was rejected; `key` names it. */
export class StoreConfigError extends MqError {
  readonly key: string;
  constructor(key: string, message: string) {
    super('ERR_STORE_CONFIG_INVALID', `store config ${key}: ${message}`);
    this.name = 'StoreConfigError';
    this.key = key;
  }
}

type Rule = (key: string, value: unknown) => void;

const positiveInt = (max = Number.MAX_SAFE_INTEGER): Rule => (key, v) => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0 || v > max) {
    throw new StoreConfigError(key, `must be an integer in [1, ${max}], got ${String(v)}`);
  }
};
const nonNegativeInt: Rule = (key, v) => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new StoreConfigError(key, `must be an integer >= 0, got ${String(v)}`);
};
const bool: Rule = (key, v) => {
  if (typeof v !== 'boolean') throw new StoreConfigError(key, `must be a boolean, got ${String(v)}`);
};
const percent: Rule = (key, v) => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > 100) {
    throw new StoreConfigError(key, `must be a percentage in (0, 100], got ${String(v)}`);
  }
};
const nonEmptyString: Rule = (key, v) => {
  if (typeof v !== 'string' || v.length === 0) throw new StoreConfigError(key, `must be a non-empty string, got ${String(v)}`);
};

const INT32_MAX = 0x7fffffff;

const RULES: { readonly [K in keyof MessageStoreConfig]-?: Rule } = {
  storePathRootDir: nonEmptyString,
  mappedFileSizeCommitLog: (key, v) => {
    positiveInt()(key, v);
    if ((v as number) < 4096) throw new StoreConfigError(key, `must be at least 4096 bytes, got ${String(v)}`);
  },
  mappedFileSizeConsumeQueue: (key, v) => {
    positiveInt()(key, v);
    if ((v as number) % 20 !== 0) throw new StoreConfigError(key, `must be a multiple of 20 (the ConsumeQueue unit), got ${String(v)}`);
  },
  maxMessageSize: positiveInt(INT32_MAX),
  flushDiskType: (key, v) => {
    if (v !== 'ASYNC_FLUSH' && v !== 'SYNC_FLUSH') throw new StoreConfigError(key, `must be 'ASYNC_FLUSH' or 'SYNC_FLUSH', got ${String(v)}`);
  },
  flushIntervalCommitLog: positiveInt(),
  flushCommitLogLeastPages: nonNegativeInt,
  flushCommitLogThoroughInterval: positiveInt(),
  syncFlushTimeout: positiveInt(),
  transientStorePoolEnable: bool,
  transientStorePoolSize: positiveInt(1024),
  commitIntervalCommitLog: positiveInt(),
  commitCommitLogLeastPages: nonNegativeInt,
  commitCommitLogThoroughInterval: positiveInt(),
  warmMapedFileEnable: bool,
  flushLeastPagesWhenWarmMapedFile: positiveInt(),
  mlockMappedFileEnable: bool,
  dataReadAheadEnable: bool,
  flushIntervalConsumeQueue: positiveInt(),
  flushConsumeQueueLeastPages: nonNegativeInt,
  flushConsumeQueueThoroughInterval: positiveInt(),
  messageIndexEnable: bool,
  maxHashSlotNum: positiveInt(INT32_MAX),
  maxIndexNum: positiveInt(INT32_MAX),
  checkCRCOnRecover: bool,
  accessMessageInMemoryMaxRatio: percent,
  maxTransferBytesOnMessageInMemory: positiveInt(),
  maxTransferCountOnMessageInMemory: positiveInt(),
  maxTransferBytesOnMessageInDisk: positiveInt(),
  maxTransferCountOnMessageInDisk: positiveInt(),
  messageDelayLevel: (key, v) => {
    nonEmptyString(key, v);
    parseDelayLevels(v as string);
  },
  fileReservedTime: (key, v) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new StoreConfigError(key, `must be a positive number of hours, got ${String(v)}`);
  },
  deleteWhen: (key, v) => {
    nonEmptyString(key, v);
    parseDeleteWhen(v as string);
  },
  cleanResourceInterval: positiveInt(),
  deleteFileBatchMax: positiveInt(),
  diskMaxUsedSpaceRatio: percent,
  diskSpaceCleanForciblyRatio: percent,
  diskSpaceWarningLevelRatio: percent,
  cleanFileForciblyEnable: bool,
};

/** Validates `input` over the defaults; throws StoreConfigError naming the first bad key. */
export function createStoreConfig(input: StoreConfigInput): MessageStoreConfig {
  if (typeof input !== 'object' || input === null) throw new StoreConfigError('(config)', 'must be an object');
  for (const key of Object.keys(input)) {
    if (!(key in RULES)) throw new StoreConfigError(key, 'is not a known MessageStoreConfig key');
  }
  const merged: Record<string, unknown> = { ...DEFAULT_STORE_CONFIG };
  for (const [key, value] of Object.entries(input)) {
    if (value !== undefined) merged[key] = value;
  }
  for (const [key, rule] of Object.entries(RULES) as [string, Rule][]) rule(key, merged[key]);
  const config = merged as unknown as MessageStoreConfig;
  if (config.transientStorePoolEnable && config.flushDiskType !== 'ASYNC_FLUSH') {
    throw new StoreConfigError('transientStorePoolEnable', 'requires flushDiskType ASYNC_FLUSH');
  }
  return Object.freeze(config);
}

const DELAY_UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "1s 5s 1m 2h" -> [1000, 5000, 60000, 7200000] (RocketMQ's messageDelayLevel syntax). */
export function parseDelayLevels(spec: string): number[] {
  const levels = spec.trim().split(/\s+/).map((item) => {
    const match = /^(\d+)([smhd])$/.exec(item);
    if (match === null) throw new StoreConfigError('messageDelayLevel', `level "${item}" is not <number><s|m|h|d>`);
    return Number(match[1]) * (DELAY_UNIT_MS[match[2] as string] as number);
  });
  if (levels.length === 0) throw new StoreConfigError('messageDelayLevel', 'needs at least one level');
  return levels;
}

/** "04;16" -> [4, 16]. */
export function parseDeleteWhen(spec: string): number[] {
  return spec.split(';').map((item) => {
    const trimmed = item.trim();
    const hour = Number(trimmed);
    if (!/^\d{1,2}$/.test(trimmed) || hour > 23) throw new StoreConfigError('deleteWhen', `"${item}" is not an hour 00-23`);
    return hour;
  });
}
