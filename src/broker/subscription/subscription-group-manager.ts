/**
 * Consumer group settings (RocketMQ SubscriptionGroupConfig): whether the group may consume, its
 * retry queue count and retry limit, and whether members are told about membership changes.
 * Unknown groups are created with the defaults on first use when autoCreateSubscriptionGroup is on.
 * Persisted to <storePathRootDir>/config/subscriptionGroup.json
 * ({"subscriptionGroupTable": {...}, "dataVersion": {...}}), written via temp file + rename.
 */
import * as path from 'node:path';
import { type Clock, systemClock } from '../../common/clock';
import { readConfigFile, writeConfigFileAtomically } from '../../common/config-file';

export interface SubscriptionGroupConfig {
  readonly groupName: string;
  readonly consumeEnable: boolean;
  readonly consumeFromMinEnable: boolean;
  readonly consumeBroadcastEnable: boolean;
  readonly consumeMessageOrderly: boolean;
  readonly retryQueueNums: number;
  readonly retryMaxTimes: number;
  readonly brokerId: number;
  readonly whichBrokerWhenConsumeSlowly: number;
  readonly notifyConsumerIdsChangedEnable: boolean;
  readonly groupSysFlag: number;
  readonly consumeTimeoutMinute: number;
}

export const DEFAULT_GROUP_SETTINGS: Readonly<Omit<SubscriptionGroupConfig, 'groupName'>> = Object.freeze({
  consumeEnable: true,
  consumeFromMinEnable: true,
  consumeBroadcastEnable: true,
  consumeMessageOrderly: false,
  retryQueueNums: 1,
  retryMaxTimes: 16,
  brokerId: 0,
  whichBrokerWhenConsumeSlowly: 1,
  notifyConsumerIdsChangedEnable: true,
  groupSysFlag: 0,
  consumeTimeoutMinute: 15,
});

export class SubscriptionGroupManager {
  readonly #table = new Map<string, SubscriptionGroupConfig>();
  readonly #file: string;
  readonly #isAutoCreate: boolean;
  readonly #clock: Clock;
  #dataVersion: { timestamp: number; counter: number };

  constructor(storePathRootDir: string, isAutoCreate: boolean, clock: Clock = systemClock) {
    this.#file = path.join(storePathRootDir, 'config', 'subscriptionGroup.json');
    this.#isAutoCreate = isAutoCreate;
    this.#clock = clock;
    this.#dataVersion = { timestamp: clock.now(), counter: 0 };
  }

  get file(): string {
    return this.#file;
  }

  load(): void {
    const saved = readConfigFile(this.#file, parseGroupsFile);
    if (saved === undefined) return;
    for (const config of saved.groups) this.#table.set(config.groupName, config);
    this.#dataVersion = saved.dataVersion;
  }

  get(groupName: string): SubscriptionGroupConfig | undefined {
    return this.#table.get(groupName);
  }

  /** The group's config, created with the defaults when auto-creation is on; else undefined. */
  findOrCreate(groupName: string): SubscriptionGroupConfig | undefined {
    const existing = this.#table.get(groupName);
    if (existing !== undefined || !this.#isAutoCreate) return existing;
    return this.update({ groupName, ...DEFAULT_GROUP_SETTINGS });
  }

  update(config: SubscriptionGroupConfig): SubscriptionGroupConfig {
    const frozen = Object.freeze({ ...config });
    this.#table.set(config.groupName, frozen);
    this.#changed();
    return frozen;
  }

  delete(groupName: string): boolean {
    if (!this.#table.delete(groupName)) return false;
    this.#changed();
    return true;
  }

  encode(): string {
    const subscriptionGroupTable: Record<string, SubscriptionGroupConfig> = {};
    for (const name of [...this.#table.keys()].sort()) subscriptionGroupTable[name] = this.#table.get(name) as SubscriptionGroupConfig;
    return JSON.stringify({ dataVersion: this.#dataVersion, subscriptionGroupTable });
  }

  #changed(): void {
    this.#dataVersion = { timestamp: this.#clock.now(), counter: this.#dataVersion.counter + 1 };
    writeConfigFileAtomically(this.#file, this.encode());
  }
}

/** A SubscriptionGroupConfig from JSON (admin body or file): defaults fill what is absent. */
export function subscriptionGroupFromJson(value: unknown): SubscriptionGroupConfig {
  const o = value as Record<string, unknown>;
  if (typeof o !== 'object' || o === null || typeof o['groupName'] !== 'string' || o['groupName'] === '') {
    throw new Error('groupName must be a non-empty string');
  }
  const out: Record<string, unknown> = { groupName: o['groupName'] };
  for (const [key, fallback] of Object.entries(DEFAULT_GROUP_SETTINGS)) {
    const v = o[key];
    if (v === undefined || v === null) out[key] = fallback;
    else if (typeof v !== typeof fallback || (typeof v === 'number' && !Number.isInteger(v))) throw new Error(`${key} must be a ${typeof fallback}`);
    else out[key] = v;
  }
  return out as unknown as SubscriptionGroupConfig;
}

function parseGroupsFile(text: string): { groups: SubscriptionGroupConfig[]; dataVersion: { timestamp: number; counter: number } } {
  const json = JSON.parse(text) as { subscriptionGroupTable?: Record<string, unknown>; dataVersion?: { timestamp?: unknown; counter?: unknown } };
  if (typeof json !== 'object' || json === null || typeof json.subscriptionGroupTable !== 'object' || json.subscriptionGroupTable === null) {
    throw new Error('subscriptionGroupTable is missing');
  }
  const groups = Object.values(json.subscriptionGroupTable).map(subscriptionGroupFromJson);
  const timestamp = typeof json.dataVersion?.timestamp === 'number' ? json.dataVersion.timestamp : 0;
  const counter = typeof json.dataVersion?.counter === 'number' ? json.dataVersion.counter : 0;
  return { groups, dataVersion: { timestamp, counter } };
}
