/**
 * NativeMessageStore: the MessageStore over the C++ addon. It owns the lifecycle, validates
 * everything before it crosses into native code, batches appends per event-loop turn
 * (append-batcher.ts), completes SYNC_FLUSH puts by group commit (flush/group-commit.ts), runs the
 * retention policy (clean-service.ts) and translates native status numbers through the one table.
 */
import type { Clock } from '../common/clock';
import { systemClock } from '../common/clock';
import type { Logger } from '../common/logger';
import { ConsoleLogger } from '../common/logger';
import { MqError } from '../common/mq-error';
import type { MessageExt, MessageToStore, SocketAddress } from '../message/message-types';
import { offsetMessageIdPrefix } from '../message/message-id';
import { decodeRecord, decodeRecords } from '../message/record-decoder';
import { RecordEncoder } from '../message/record-encoder';
import { AppendBatcher } from './append-batcher';
import { CleanService, statfsDiskUsage } from './clean-service';
import { DispatchWaiters } from './dispatch-waiters';
import { DispatcherWake } from './dispatcher-wake';
import { GroupCommitService } from './flush/group-commit';
import { holdBoth, KeepAlive } from './keep-alive';
import type {
  CleanReport,
  GetMessageFilter,
  GetMessageResult,
  MessageStore,
  MessageStoreDeps,
  PutCompletion,
  PutMessageResult,
  QueryMessageResult,
  QueueInfo,
  RecoveryReport,
  StoreStats,
} from './message-store';
import { MessageValidator } from './message-validator';
import { loadAddon, toNativeConfig } from './native/binding';
import type { NativeStoreHandle } from './native/native-types';
import {
  checkNonNegativeArg,
  checkPositiveArg,
  checkQueueIdArg,
  checkStringArg,
  checkTopicArg,
  tagsCodesArg,
} from './read-args';
import { createStoreConfig, parseDelayLevels, type MessageStoreConfig, type StoreConfigInput } from './store-config';
import type { StatusTable } from './store-status';

type State = 'created' | 'starting' | 'running' | 'failed' | 'shutdown';

const DEFAULT_STORE_HOST: SocketAddress = Object.freeze({ address: '127.0.0.1', port: 10911 });
/** maxBytes when the caller gives none: the config's transfer limits apply natively. */
const UNLIMITED_BYTES = 0x7fffffff;
/**
 * The most the main thread dispatches itself while consumers wait (about 60 1-KiB messages, tens
 * of microseconds); more is left to the dispatcher thread.
 */
const INLINE_DISPATCH_MAX_BYTES = 64 * 1024;

export class NativeMessageStore implements MessageStore {
  readonly config: MessageStoreConfig;
  readonly storeHost: SocketAddress;
  readonly addonPath: string;
  readonly #handle: NativeStoreHandle;
  readonly #statusTable: StatusTable;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #batcher: AppendBatcher;
  readonly #groupCommit: GroupCommitService | undefined;
  readonly #dispatch: DispatchWaiters;
  readonly #dispatcherWake: DispatcherWake;
  readonly #clean: CleanService;
  #state: State = 'created';
  #startPromise: Promise<RecoveryReport> | undefined;
  #shutdownPromise: Promise<void> | undefined;

  /** Validates the config (StoreConfigError naming the key) and loads the addon; opens nothing. */
  constructor(config: StoreConfigInput, deps: MessageStoreDeps = {}) {
    this.config = createStoreConfig(config);
    this.#clock = deps.clock ?? systemClock;
    this.#logger = deps.logger ?? new ConsoleLogger('cometmq-store');
    this.storeHost = deps.storeHost ?? DEFAULT_STORE_HOST;
    const encoder = new RecordEncoder(this.storeHost);
    const loaded = loadAddon(deps.addonPath);
    this.addonPath = loaded.path;
    this.#statusTable = loaded.statusTable;
    const constants = loaded.addon.constants;
    const delayLevelsMs = Float64Array.from(parseDelayLevels(this.config.messageDelayLevel));
    this.#handle = new loaded.addon.NativeStore(
      this.config.storePathRootDir,
      toNativeConfig(this.config, constants),
      delayLevelsMs,
      () => this.#onFlushed(),
      () => this.#onDispatched(),
    );
    const handle = this.#handle;
    const keepAlive = new KeepAlive();
    this.#groupCommit =
      this.config.flushDiskType === 'SYNC_FLUSH'
        ? new GroupCommitService(this.#clock, this.config.syncFlushTimeout, () => handle.getFlushedPosition(),
          deps.diskWait ? holdBoth(keepAlive, deps.diskWait) : keepAlive)
        : undefined;
    this.#dispatcherWake = new DispatcherWake(
      () => handle.wakeDispatcher(),
      (err) => this.#logger.error('waking the dispatcher failed', err),
      () => {
        if (!handle.dispatchInline(INLINE_DISPATCH_MAX_BYTES)) return false;
        this.#onDispatched();
        return true;
      },
    );
    this.#dispatch = new DispatchWaiters(
      () => handle.getDispatchedPosition(),
      (err) => this.#logger.error('a message-arriving listener threw', err),
      keepAlive,
      (wanted) => {
        this.#dispatcherWake.setAwaited(wanted);
        if (this.#state === 'running') handle.setDispatchNotifications(wanted);
      },
    );
    this.#clean = new CleanService(
      this.config,
      (nowMs, reservedMs, cleanImmediately, maxFiles) => handle.cleanExpiredFiles(nowMs, reservedMs, cleanImmediately, maxFiles),
      this.#clock,
      deps.diskUsage ?? statfsDiskUsage,
      this.#logger,
    );
    this.#batcher = new AppendBatcher({
      target: handle,
      dispatcherWake: this.#dispatcherWake,
      statusTable: this.#statusTable,
      encoder,
      validator: new MessageValidator(this.config.maxMessageSize),
      segmentBytes: this.config.mappedFileSizeCommitLog,
      msgIdPrefix: offsetMessageIdPrefix(this.storeHost),
      groupCommit: this.#groupCommit,
      gate: () => this.#writeRefusal(),
      logger: this.#logger,
    });
  }

  get isDiskFull(): boolean {
    return this.#clean.isDiskFull;
  }

  start(): Promise<RecoveryReport> {
    if (this.#startPromise === undefined) {
      if (this.#state !== 'created') return Promise.reject(new MqError('ERR_STORE_SHUTDOWN', 'the store was shut down'));
      this.#state = 'starting';
      this.#startPromise = this.#handle.open().then(
        (info) => {
          if (this.#state === 'starting') {
            this.#state = 'running';
            this.#dispatch.updateDemand(true);
            this.#clean.start();
          }
          return info;
        },
        (err: unknown) => {
          this.#state = 'failed';
          throw err;
        },
      );
    }
    return this.#startPromise;
  }

  shutdown(): Promise<void> {
    this.#shutdownPromise ??= this.#doShutdown();
    return this.#shutdownPromise;
  }

  async #doShutdown(): Promise<void> {
    if (this.#state === 'starting') {
      // close() must not race open(): let it settle first.
      await this.#startPromise?.catch(() => undefined);
    }
    const wasRunning = this.#state === 'running';
    // Puts of the current turn were promised an answer: append them before closing.
    if (wasRunning) this.#batcher.appendPending();
    this.#state = 'shutdown';
    this.#dispatcherWake.cancel();
    this.#clean.stop();
    try {
      this.#handle.close();
      // close() stopped the native threads and released the notification functions; delivering
      // what they still queued and finalizing them takes two loop iterations. Let that happen now,
      // while JS can still be called: the addon aborts the process if it happens during
      // environment teardown (observed with the current glue; see the T1 report).
      for (let turn = 0; turn < 2; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
    } finally {
      // close() flushed everything it wrote; if it threw, the waiters learn the flush is not assured.
      this.#groupCommit?.completeAll(wasRunning ? 'PUT_OK' : 'FLUSH_DISK_TIMEOUT');
      this.#dispatch.rejectAll('the store was shut down before the position was dispatched');
    }
  }

  putMessage(msg: MessageToStore): Promise<PutMessageResult> {
    return this.#batcher.putMessage(msg);
  }

  putMessageTo(msg: MessageToStore, completion: PutCompletion): void {
    this.#batcher.putMessageTo(msg, completion);
  }

  putMessages(msgs: readonly MessageToStore[]): Promise<PutMessageResult[]> {
    return this.#batcher.putMessages(msgs);
  }

  getMessage(topic: string, queueId: number, queueOffset: number, maxCount: number, filter: GetMessageFilter = {}): GetMessageResult {
    this.#assertOpen();
    checkTopicArg(topic);
    checkQueueIdArg(queueId);
    checkNonNegativeArg('queueOffset', queueOffset);
    checkPositiveArg('maxCount', maxCount);
    const maxBytes = filter.maxBytes ?? UNLIMITED_BYTES;
    checkPositiveArg('maxBytes', maxBytes, Number.MAX_SAFE_INTEGER);
    // The addon takes an int32 budget; anything larger means "no extra limit" anyway.
    const budget = Math.min(maxBytes, UNLIMITED_BYTES);
    const raw = this.#handle.getMessages(topic, queueId, queueOffset, maxCount, budget, tagsCodesArg(filter.tagsCodes));
    const records = raw.records;
    return {
      status: this.#statusTable.getStatus(raw.status),
      nextBeginOffset: raw.nextBeginOffset,
      minOffset: raw.minOffset,
      maxOffset: raw.maxOffset,
      messageCount: raw.messageCount,
      records,
      suggestPullingFromSlave: raw.suggestPullingFromSlave,
      messages: () => decodeRecords(records),
    };
  }

  lookMessageByOffset(physicalOffset: number): MessageExt | null {
    this.#assertOpen();
    checkNonNegativeArg('physicalOffset', physicalOffset);
    const record = this.#handle.lookMessageByOffset(physicalOffset);
    return record === null ? null : decodeRecord(record, 0);
  }

  queryMessage(topic: string, key: string, maxNum: number, beginTimestamp: number, endTimestamp: number): QueryMessageResult {
    this.#assertOpen();
    checkTopicArg(topic);
    checkStringArg('key', key);
    checkPositiveArg('maxNum', maxNum);
    checkNonNegativeArg('beginTimestamp', beginTimestamp);
    checkNonNegativeArg('endTimestamp', endTimestamp);
    const raw = this.#handle.queryMessage(topic, key, maxNum, beginTimestamp, endTimestamp);
    const records = raw.records;
    return {
      records,
      messageCount: raw.messageCount,
      indexLastUpdateTimestamp: raw.indexLastUpdateTimestamp,
      indexLastUpdatePhyOffset: raw.indexLastUpdatePhyOffset,
      messages: () => decodeRecords(records),
    };
  }

  getMinOffsetInQueue(topic: string, queueId: number): number {
    this.#checkQueue(topic, queueId);
    return this.#handle.getMinOffsetInQueue(topic, queueId);
  }

  getMaxOffsetInQueue(topic: string, queueId: number): number {
    this.#checkQueue(topic, queueId);
    return this.#handle.getMaxOffsetInQueue(topic, queueId);
  }

  getOffsetInQueueByTime(topic: string, queueId: number, timestamp: number): number {
    this.#checkQueue(topic, queueId);
    checkNonNegativeArg('timestamp', timestamp);
    return this.#handle.getOffsetInQueueByTime(topic, queueId, timestamp);
  }

  getEarliestMessageTime(topic: string, queueId: number): number {
    this.#checkQueue(topic, queueId);
    return this.#handle.getEarliestMessageTime(topic, queueId);
  }

  getMessageStoreTimestamp(topic: string, queueId: number, queueOffset: number): number {
    this.#checkQueue(topic, queueId);
    checkNonNegativeArg('queueOffset', queueOffset);
    return this.#handle.getMessageStoreTimestamp(topic, queueId, queueOffset);
  }

  getCommitLogOffsetInQueue(topic: string, queueId: number, queueOffset: number): number {
    this.#checkQueue(topic, queueId);
    checkNonNegativeArg('queueOffset', queueOffset);
    return this.#handle.getCommitLogOffsetInQueue(topic, queueId, queueOffset);
  }

  listQueues(): QueueInfo[] {
    this.#assertOpen();
    return this.#handle.listQueues();
  }

  deleteTopic(topic: string): number {
    this.#assertOpen();
    checkTopicArg(topic);
    // Appends of this turn may target the topic: land them first so the delete covers them.
    this.#batcher.appendPending();
    return this.#handle.deleteTopic(topic);
  }

  getMinPhysicalOffset(): number {
    this.#assertOpen();
    return this.#handle.getMinPhysicalOffset();
  }

  getMaxPhysicalOffset(): number {
    this.#assertOpen();
    return this.#handle.getWrotePosition();
  }

  getFlushedPosition(): number {
    this.#assertOpen();
    return this.#handle.getFlushedPosition();
  }

  getDispatchedPosition(): number {
    this.#assertOpen();
    return this.#handle.getDispatchedPosition();
  }

  whenDispatched(physicalOffset: number): Promise<void> {
    try {
      this.#assertOpen();
      checkNonNegativeArg('physicalOffset', physicalOffset);
    } catch (err) {
      return Promise.reject(err);
    }
    // A record at `physicalOffset` is covered once dispatch passed its first byte; an end position
    // (nothing written there yet) is covered once dispatch reached it.
    const target = Math.min(physicalOffset + 1, Math.max(physicalOffset, this.#handle.getWrotePosition()));
    return this.#dispatch.whenReached(target);
  }

  onMessageArriving(listener: () => void): () => void {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    return this.#dispatch.addListener(listener);
  }

  async flush(): Promise<void> {
    this.#assertOpen();
    this.#batcher.appendPending();
    await this.#handle.flush();
    this.#groupCommit?.onFlushed();
  }

  cleanExpiredFiles(nowMs?: number): CleanReport {
    this.#assertOpen();
    if (nowMs !== undefined) checkNonNegativeArg('nowMs', nowMs);
    return this.#clean.runOnce(nowMs ?? this.#clock.now());
  }

  beginTimeInLock(): number {
    this.#assertOpen();
    return this.#handle.beginTimeInLock();
  }

  stats(): StoreStats {
    this.#assertOpen();
    return {
      ...this.#handle.stats(),
      isDiskFull: this.#clean.isDiskFull,
      diskUsageRatio: this.#clean.diskUsageRatio,
      pendingFlushWaiters: this.#groupCommit?.pending ?? 0,
    };
  }

  #writeRefusal(): { status: 'SERVICE_NOT_AVAILABLE'; remark: string } | undefined {
    if (this.#state !== 'running') {
      return { status: 'SERVICE_NOT_AVAILABLE', remark: this.#state === 'shutdown' ? 'the store is shut down' : `the store is not running (${this.#state})` };
    }
    if (this.#clean.isDiskFull) return { status: 'SERVICE_NOT_AVAILABLE', remark: this.#clean.diskFullRemark };
    return undefined;
  }

  #assertOpen(): void {
    if (this.#state !== 'running') {
      throw new MqError('ERR_STORE_NOT_OPEN', `the message store is not open (state ${this.#state})`);
    }
  }

  #checkQueue(topic: string, queueId: number): void {
    this.#assertOpen();
    checkTopicArg(topic);
    checkQueueIdArg(queueId);
  }

  #onFlushed(): void {
    if (this.#state === 'running') this.#groupCommit?.onFlushed();
  }

  #onDispatched(): void {
    if (this.#state === 'running') this.#dispatch.onDispatched();
  }
}
