/**
 * The MessageStore interface: what the broker (and the crash/lifecycle tests) code against.
 * NativeMessageStore (native-message-store.ts) implements it over the C++ addon.
 *
 * Two offsets are kept apart everywhere: `physicalOffset` (a CommitLog byte position) and
 * `queueOffset` (a logical index in one ConsumeQueue).
 */
import type { Clock } from '../common/clock';
import type { Logger } from '../common/logger';
import type { MessageExt, MessageToStore, SocketAddress } from '../message/message-types';
import type {
  NativeCleanResult,
  NativeQueueInfo,
  NativeRecoveryInfo,
  NativeStoreStats,
} from './native/native-types';
import type { GetStatus, PutStatus } from './store-status';
import type { Hold } from './keep-alive';

export type { GetStatus, PutStatus } from './store-status';

/** Told of one put's outcome (MessageStore.putMessageTo). */
export interface PutCompletion {
  putDone(result: PutMessageResult): void;
}

export interface PutMessageResult {
  readonly status: PutStatus;
  /** Why, for MESSAGE_ILLEGAL, PROPERTIES_SIZE_EXCEEDED, SERVICE_NOT_AVAILABLE, ... */
  readonly remark?: string;
  /** -1 when not stored. */
  readonly physicalOffset: number;
  /** -1 when not stored; 0 for PREPARED/ROLLBACK transaction records. */
  readonly queueOffset: number;
  /** Stored record size in bytes (0 when not stored). */
  readonly wroteBytes: number;
  /** 0 when not stored. */
  readonly storeTimestamp: number;
  /** offsetMsgId ('' when not stored). */
  readonly msgId: string;
}

export interface GetMessageResult {
  readonly status: GetStatus;
  readonly nextBeginOffset: number;
  readonly minOffset: number;
  readonly maxOffset: number;
  readonly messageCount: number;
  /** Raw stored records back to back (what a pull response carries); null when none. */
  readonly records: Buffer | null;
  readonly suggestPullingFromSlave: boolean;
  /** Decodes `records` on demand. */
  messages(): MessageExt[];
}

export interface QueryMessageResult {
  /** Records whose key really matches, newest first; null when none. */
  readonly records: Buffer | null;
  readonly messageCount: number;
  readonly indexLastUpdateTimestamp: number;
  readonly indexLastUpdatePhyOffset: number;
  messages(): MessageExt[];
}

export interface GetMessageFilter {
  /** Keep only records whose ConsumeQueue tag code is one of these (Java String.hashCode of TAGS). */
  readonly tagsCodes?: readonly number[];
  /** Byte budget for this pull (defaults to the in-memory/on-disk transfer limits of the config). */
  readonly maxBytes?: number;
}

export type RecoveryReport = NativeRecoveryInfo;

export type QueueInfo = NativeQueueInfo;

export interface CleanReport extends NativeCleanResult {
  /** Whether deletion ran this round (deleteWhen hour, disk over diskMaxUsedSpaceRatio, or forced). */
  readonly deleted: boolean;
  /** Disk usage ratio 0..1 from the probe. */
  readonly diskUsageRatio: number;
  /** Oldest files were deleted regardless of age (disk over diskSpaceCleanForciblyRatio). */
  readonly cleanImmediately: boolean;
  readonly isDiskFull: boolean;
}

export interface StoreStats extends NativeStoreStats {
  readonly isDiskFull: boolean;
  /** Last disk usage ratio measured by the retention service (-1 before the first measurement). */
  readonly diskUsageRatio: number;
  /** SYNC_FLUSH puts waiting for the disk. */
  readonly pendingFlushWaiters: number;
}

export interface MessageStore {
  start(): Promise<RecoveryReport>;
  /** Idempotent. Pending SYNC_FLUSH waiters are completed (close flushes everything). */
  shutdown(): Promise<void>;

  /** Never rejects for bad input: it resolves with MESSAGE_ILLEGAL etc. and a remark. */
  putMessage(msg: MessageToStore): Promise<PutMessageResult>;
  /** putMessage without a promise, for the hot send path: `completion.putDone` is called once. */
  putMessageTo(msg: MessageToStore, completion: PutCompletion): void;
  /** Atomic batch: consecutive physical offsets, all statuses equal. */
  putMessages(msgs: readonly MessageToStore[]): Promise<PutMessageResult[]>;

  getMessage(topic: string, queueId: number, queueOffset: number, maxCount: number, filter?: GetMessageFilter): GetMessageResult;
  lookMessageByOffset(physicalOffset: number): MessageExt | null;
  queryMessage(topic: string, key: string, maxNum: number, beginTimestamp: number, endTimestamp: number): QueryMessageResult;

  getMinOffsetInQueue(topic: string, queueId: number): number;
  getMaxOffsetInQueue(topic: string, queueId: number): number;
  getOffsetInQueueByTime(topic: string, queueId: number, timestamp: number): number;
  /** Store time of the first message in the queue, -1 when empty. */
  getEarliestMessageTime(topic: string, queueId: number): number;
  /** Store time of the message at queueOffset, -1 when absent. */
  getMessageStoreTimestamp(topic: string, queueId: number, queueOffset: number): number;
  /** Physical offset of the message at queueOffset, -1 when absent. */
  getCommitLogOffsetInQueue(topic: string, queueId: number, queueOffset: number): number;
  listQueues(): QueueInfo[];
  /** Removes the topic's ConsumeQueues and queue-offset counters; returns queues removed. */
  deleteTopic(topic: string): number;

  getMinPhysicalOffset(): number;
  /** End of written data in the CommitLog (the wrote position). */
  getMaxPhysicalOffset(): number;
  getFlushedPosition(): number;
  getDispatchedPosition(): number;

  /**
   * Resolves once ConsumeQueues and the index cover the record at `physicalOffset` (or, when given
   * an end position such as getMaxPhysicalOffset(), everything written before it).
   */
  whenDispatched(physicalOffset: number): Promise<void>;
  /** Called once per dispatch notification (coalesced); returns an unsubscribe function. */
  onMessageArriving(listener: () => void): () => void;

  flush(): Promise<void>;
  /** Runs the retention policy once (deleteWhen, fileReservedTime, disk ratios). */
  cleanExpiredFiles(nowMs?: number): CleanReport;
  stats(): StoreStats;
  /** When the append in progress took the CommitLog lock (epoch ms), 0 when none; cheap, for the send path. */
  beginTimeInLock(): number;
  readonly isDiskFull: boolean;
}

/** Collaborators injected into NativeMessageStore (all optional). */
export interface MessageStoreDeps {
  readonly clock?: Clock;
  /** Disk usage of the partition holding `dir`, ratio 0..1. Default: fs.statfsSync. */
  readonly diskUsage?: (dir: string) => number;
  /** Written into every record's STOREHOST and msgId. Default 127.0.0.1:10911. */
  readonly storeHost?: SocketAddress;
  /** Explicit addon path (first in the load order). */
  readonly addonPath?: string;
  readonly logger?: Logger;
  /**
   * Held by each put from the moment it waits for the disk (SYNC_FLUSH) until it is told: the
   * broker's busy poller keeps the loop awake for the answer.
   */
  readonly diskWait?: Hold | undefined;
}

export type { MessageStoreConfig, StoreConfigInput, FlushDiskType } from './store-config';
