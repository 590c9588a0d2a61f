/**
 * The broker's topic table: TopicConfig per topic, the system topics, auto-creation from the
 * default topic (TBW102), %RETRY%/%DLQ% topics on demand, persisted to
 * <storePathRootDir>/config/topics.json in RocketMQ's layout ({topicConfigTable, dataVersion}).
 * Every change bumps the data version (name servers compare it) and is written at once.
 */
import * as path from 'node:path';
import { type Clock, systemClock } from '../../common/clock';
import { readConfigFile, writeConfigFileAtomically } from '../../common/config-file';
import { mqError } from '../../protocol/errors';
import { SCHEDULE_TOPIC } from '../../message/message-const';
import { topicProblem } from '../../message/topic-validator';

export const PERM_READ = 4;
export const PERM_WRITE = 2;
export const PERM_INHERIT = 1;
export const DEFAULT_TOPIC = 'TBW102';
export const RETRY_GROUP_TOPIC_PREFIX = '%RETRY%';
export const DLQ_GROUP_TOPIC_PREFIX = '%DLQ%';
/** Retry and DLQ topic names may be longer than plain topics (RocketMQ: 255). */
const MAX_GROUP_TOPIC_LENGTH = 255;

export type TopicFilterType = 'SINGLE_TAG' | 'MULTI_TAG';

export interface TopicConfig {
  readonly topicName: string;
  readonly readQueueNums: number;
  readonly writeQueueNums: number;
  readonly perm: number;
  readonly topicFilterType: TopicFilterType;
  readonly topicSysFlag: number;
  readonly order: boolean;
}

export interface DataVersion {
  readonly timestamp: number;
  readonly counter: number;
}

export interface TopicConfigManagerOptions {
  readonly storePathRootDir: string;
  readonly brokerClusterName: string;
  readonly brokerName: string;
  readonly defaultTopicQueueNums: number;
  readonly autoCreateTopicEnable: boolean;
  readonly clock?: Clock;
}

/** Why `topic` cannot be used as a topic name, or undefined (retry/DLQ names get the longer limit). */
export function topicNameProblem(topic: unknown): string | undefined {
  if (typeof topic === 'string' && (topic.startsWith(RETRY_GROUP_TOPIC_PREFIX) || topic.startsWith(DLQ_GROUP_TOPIC_PREFIX))) {
    if (topic.length > MAX_GROUP_TOPIC_LENGTH) return `topic is ${topic.length} characters long, the limit is ${MAX_GROUP_TOPIC_LENGTH}`;
    return topicProblem(topic.slice(0, 127));
  }
  return topicProblem(topic);
}

export function isWriteable(perm: number): boolean {
  return (perm & PERM_WRITE) === PERM_WRITE;
}

export function isReadable(perm: number): boolean {
  return (perm & PERM_READ) === PERM_READ;
}

export class TopicConfigManager {
  readonly #table = new Map<string, TopicConfig>();
  readonly #file: string;
  readonly #options: TopicConfigManagerOptions;
  readonly #clock: Clock;
  #dataVersion: DataVersion;
  readonly #changeListeners = new Set<(topic: TopicConfig) => void>();

  constructor(options: TopicConfigManagerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#file = path.join(options.storePathRootDir, 'config', 'topics.json');
    this.#dataVersion = { timestamp: this.#clock.now(), counter: 0 };
    this.#addSystemTopics();
  }

  get file(): string {
    return this.#file;
  }

  get dataVersion(): DataVersion {
    return this.#dataVersion;
  }

  /** Loads topics.json (or its .bak); system topics stay present either way. */
  load(): void {
    const saved = readConfigFile(this.#file, parseTopicsFile);
    if (saved === undefined) return;
    for (const config of saved.topics) this.#table.set(config.topicName, config);
    this.#dataVersion = saved.dataVersion;
  }

  persist(): void {
    writeConfigFileAtomically(this.#file, this.encode());
  }

  /** The topicConfigSerializeWrapper JSON (also the body of GET_ALL_TOPIC_CONFIG and registration). */
  encode(): string {
    return JSON.stringify(this.serializeWrapper(), null, 2);
  }

  serializeWrapper(): { topicConfigTable: Record<string, TopicConfig>; dataVersion: DataVersion } {
    const topicConfigTable: Record<string, TopicConfig> = {};
    for (const name of [...this.#table.keys()].sort()) topicConfigTable[name] = this.#table.get(name) as TopicConfig;
    return { topicConfigTable, dataVersion: this.#dataVersion };
  }

  get(topic: string): TopicConfig | undefined {
    return this.#table.get(topic);
  }

  all(): TopicConfig[] {
    return [...this.#table.values()];
  }

  /** Called after a topic is created or changed (the registrar re-registers with name servers). */
  onChange(listener: (topic: TopicConfig) => void): () => void {
    this.#changeListeners.add(listener);
    return () => this.#changeListeners.delete(listener);
  }

  /** Creates or replaces a topic (admin path); the name must be valid. */
  update(config: TopicConfig): TopicConfig {
    const problem = topicNameProblem(config.topicName);
    if (problem !== undefined) throw mqError('ERR_INVALID_PARAMETER', problem);
    const frozen = Object.freeze({ ...config });
    this.#table.set(config.topicName, frozen);
    this.#changed(frozen);
    return frozen;
  }

  /** Creates or replaces several topics with one version bump and one write (UPDATE_AND_CREATE_TOPIC_LIST). */
  updateAll(configs: readonly TopicConfig[]): void {
    for (const config of configs) {
      const problem = topicNameProblem(config.topicName);
      if (problem !== undefined) throw mqError('ERR_INVALID_PARAMETER', problem);
    }
    if (configs.length === 0) return;
    const frozen = configs.map((config) => Object.freeze({ ...config }));
    for (const config of frozen) this.#table.set(config.topicName, config);
    this.#bumpVersion();
    this.persist();
    for (const config of frozen) for (const listener of this.#changeListeners) listener(config);
  }

  /**
   * The config of `topic` for a send, auto-creating it from `defaultTopic` when allowed (Apache's
   * createTopicInSendMessageMethod): the template must exist with PERM_INHERIT, the new topic gets
   * min(requested, template) queues. Returns undefined when the topic does not exist and cannot be
   * created.
   */
  getOrCreateForSend(topic: string, defaultTopic: string, requestedQueueNums: number): TopicConfig | undefined {
    const existing = this.#table.get(topic);
    if (existing !== undefined) return existing;
    if (topic.startsWith(RETRY_GROUP_TOPIC_PREFIX)) return this.getOrCreateGroupTopic(topic, 1, PERM_READ | PERM_WRITE);
    if (!this.#options.autoCreateTopicEnable) return undefined;
    const template = this.#table.get(defaultTopic);
    if (template === undefined || (template.perm & PERM_INHERIT) !== PERM_INHERIT) return undefined;
    const queueNums = Math.max(1, Math.min(requestedQueueNums, template.writeQueueNums));
    return this.update({
      topicName: topic,
      readQueueNums: queueNums,
      writeQueueNums: queueNums,
      perm: template.perm & ~PERM_INHERIT,
      topicFilterType: 'SINGLE_TAG',
      topicSysFlag: 0,
      order: false,
    });
  }

  /** %RETRY%<group> / %DLQ%<group>: created on demand with `queueNums` queues. */
  getOrCreateGroupTopic(topic: string, queueNums: number, perm: number): TopicConfig {
    const existing = this.#table.get(topic);
    if (existing !== undefined) return existing;
    return this.update({ topicName: topic, readQueueNums: queueNums, writeQueueNums: queueNums, perm, topicFilterType: 'SINGLE_TAG', topicSysFlag: 0, order: false });
  }

  delete(topic: string): boolean {
    if (!this.#table.delete(topic)) return false;
    this.#bumpVersion();
    this.persist();
    return true;
  }

  #changed(config: TopicConfig): void {
    this.#bumpVersion();
    this.persist();
    for (const listener of this.#changeListeners) listener(config);
  }

  #bumpVersion(): void {
    this.#dataVersion = { timestamp: this.#clock.now(), counter: this.#dataVersion.counter + 1 };
  }

  #addSystemTopics(): void {
    const o = this.#options;
    const system = (topicName: string, queueNums: number, perm: number): void => {
      this.#table.set(topicName, Object.freeze({ topicName, readQueueNums: queueNums, writeQueueNums: queueNums, perm, topicFilterType: 'SINGLE_TAG', topicSysFlag: 0, order: false }));
    };
    // TBW102 carries PERM_INHERIT only while auto-creation is on: clients route unknown topics through it.
    if (o.autoCreateTopicEnable) system(DEFAULT_TOPIC, o.defaultTopicQueueNums, PERM_READ | PERM_WRITE | PERM_INHERIT);
    system(SCHEDULE_TOPIC, 18, PERM_READ | PERM_WRITE);
    system('SELF_TEST_TOPIC', 1, PERM_READ | PERM_WRITE);
    system(o.brokerClusterName, 16, PERM_READ | PERM_WRITE);
    system(o.brokerName, 1, PERM_READ | PERM_WRITE);
    system('OFFSET_MOVED_EVENT', 1, PERM_READ | PERM_WRITE);
  }
}

function parseTopicsFile(text: string): { topics: TopicConfig[]; dataVersion: DataVersion } {
  const json = JSON.parse(text) as { topicConfigTable?: Record<string, Partial<TopicConfig>>; dataVersion?: Partial<DataVersion> };
  if (typeof json !== 'object' || json === null || typeof json.topicConfigTable !== 'object' || json.topicConfigTable === null) {
    throw new Error('topicConfigTable is missing');
  }
  const topics = Object.entries(json.topicConfigTable).map(([name, c]) => Object.freeze({
    topicName: c.topicName ?? name,
    readQueueNums: numberOr(c.readQueueNums, 16),
    writeQueueNums: numberOr(c.writeQueueNums, 16),
    perm: numberOr(c.perm, PERM_READ | PERM_WRITE),
    topicFilterType: c.topicFilterType === 'MULTI_TAG' ? 'MULTI_TAG' as const : 'SINGLE_TAG' as const,
    topicSysFlag: numberOr(c.topicSysFlag, 0),
    order: c.order === true,
  }));
  const dataVersion = { timestamp: numberOr(json.dataVersion?.timestamp, 0), counter: numberOr(json.dataVersion?.counter, 0) };
  return { topics, dataVersion };
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}
