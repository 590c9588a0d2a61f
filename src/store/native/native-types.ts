/**
 * The typed JS surface of the native addon (build/Release/cometmq_native.node).
 *
 * This file is the contract between native/src/*_wrap.cc and src/store/. Only
 * src/store/native/binding.ts loads the addon; only src/store/ uses these types.
 *
 * Conventions at the boundary (see ../shared/style.md §8):
 *  - TypeScript validates every argument; native code asserts and never parses option objects.
 *  - One crossing per batch or per pull, never per message. Buffers in, numbers out.
 *  - All byte and queue offsets are plain numbers (< 2^53, asserted natively).
 *  - Failures throw (or reject with) an Error carrying a permanent string `code`
 *    (ERR_STORE_LOCKED, ERR_STORE_CORRUPT, ERR_STORE_FOREIGN_FILE, ERR_STORE_NOT_OPEN, or an errno
 *    name such as ENOSPC/EACCES with `syscall`), plus `path` and, for corruption, `offset`.
 *    Expected outcomes are status numbers from `constants`.
 */

/** Name -> index tables exported by native code; TS checks at load that it knows every name. */
export type NativeCodeTable = Readonly<Record<string, number>>;

export interface NativeConstants {
  /** Config slot name (RocketMQ's MessageStoreConfig names) -> index into the config Float64Array. */
  readonly configSlots: NativeCodeTable;
  /** Number of slots; the config array passed to the constructor has exactly this length. */
  readonly configSlotCount: number;
  /** Stored-record layout: magic codes and fixed field offsets (native/src/record_layout.h). */
  readonly record: NativeCodeTable;
  /** Statuses returned by appendBatch (a subset of RocketMQ's PutMessageStatus names). */
  readonly putStatus: NativeCodeTable;
  /** Statuses of getMessages (RocketMQ's GetMessageStatus names). */
  readonly getStatus: NativeCodeTable;
}

/** Result of open(): what recovery found and did. */
export interface NativeRecoveryInfo {
  /** false when the abort marker was present (previous process did not shut down cleanly). */
  readonly lastExitOK: boolean;
  readonly minPhysicalOffset: number;
  readonly maxPhysicalOffset: number;
  /** Physical offset from which records were re-checked and re-dispatched. */
  readonly recoveredFromOffset: number;
  /** Records re-validated (CRC) and re-dispatched during recovery. */
  readonly recoveredMessages: number;
  /** Bytes of torn tail cut off the CommitLog (0 after a clean shutdown). */
  readonly truncatedBytes: number;
  readonly durationMs: number;
}

export interface NativeGetResult {
  readonly status: number;
  readonly nextBeginOffset: number;
  readonly minOffset: number;
  readonly maxOffset: number;
  readonly messageCount: number;
  /** The matching records back to back, in stored layout (one copy); null when none. */
  readonly records: Buffer | null;
  /** The reader is further behind than accessMessageInMemoryMaxRatio of RAM (RocketMQ rule). */
  readonly suggestPullingFromSlave: boolean;
}

export interface NativeQueryResult {
  /** Records whose key really matches (hash collisions filtered out), newest first. */
  readonly records: Buffer | null;
  readonly messageCount: number;
  readonly indexLastUpdateTimestamp: number;
  readonly indexLastUpdatePhyOffset: number;
}

export interface NativeQueueInfo {
  readonly topic: string;
  readonly queueId: number;
  readonly minOffset: number;
  readonly maxOffset: number;
}

export interface NativeCleanResult {
  readonly commitLogFilesDeleted: number;
  readonly consumeQueueFilesDeleted: number;
  readonly indexFilesDeleted: number;
}

export interface NativeStoreStats {
  readonly appendCalls: number;
  readonly appendedMessages: number;
  readonly appendedBytes: number;
  /** Total and worst time spent inside the append lock, in nanoseconds. */
  readonly appendLockNanosTotal: number;
  readonly appendLockNanosMax: number;
  /** Wall-clock ms when the append in progress took the lock; 0 when no append is in progress. */
  readonly beginTimeInLock: number;
  readonly flushCount: number;
  readonly flushNanosTotal: number;
  readonly flushNanosMax: number;
  readonly commitLogSegments: number;
  readonly consumeQueues: number;
  readonly indexFiles: number;
  readonly wrotePosition: number;
  readonly committedPosition: number;
  readonly flushedPosition: number;
  readonly dispatchedPosition: number;
  /** Dispatches the main thread did itself while consumers waited (dispatchInline). */
  readonly inlineDispatches: number;
}

export interface NativeStoreHandle {
  /**
   * Takes the `lock` file (ERR_STORE_LOCKED if another handle or process holds it), validates the
   * directory (ERR_STORE_FOREIGN_FILE naming the file), loads segments, recovers (abort marker +
   * checkpoint + CRC scan; ERR_STORE_CORRUPT with path and offset for damage before the tail),
   * re-dispatches, writes the abort marker and starts the flush, dispatch and allocation threads.
   * Runs off the main thread.
   */
  open(): Promise<NativeRecoveryInfo>;

  /**
   * Appends `count` records laid out back to back in `records` (stored layout, every field filled
   * by TS except BODYCRC, QUEUEOFFSET, PHYSICALOFFSET and STORETIMESTAMP, which native code sets).
   * Queue offsets are assigned per (topic, queueId); PREPARED/ROLLBACK transaction records get 0
   * and are not counted. All or nothing: on any non-PUT_OK status nothing was written.
   * On PUT_OK: out[2i] = physical offset, out[2i+1] = queue offset, out[2*count] = store timestamp.
   * `out.length` must be at least 2*count + 1.
   * `records` is modified: once the batch has passed validation, native code stamps those four
   * fields into the caller's buffer in place and writes the buffer to the CommitLog from there (one
   * pwrite or copy per segment). Pass a scratch buffer the caller may reuse, never one it still
   * reads from (the append batcher's pooled buffer qualifies). A refused batch (MESSAGE_ILLEGAL,
   * PROPERTIES_SIZE_EXCEEDED, CREATE_MAPPED_FILE_FAILED, SERVICE_NOT_AVAILABLE) is left untouched.
   * `wakeDispatcher` false (default true): the dispatcher is not woken for this batch; the caller
   * must call wakeDispatcher() soon (it sleeps up to a second otherwise).
   */
  appendBatch(records: Buffer, count: number, out: Float64Array, wakeDispatcher?: boolean): number;
  /** Wakes the dispatcher after appendBatch(..., false). */
  wakeDispatcher(): void;
  /**
   * Dispatches everything committed on this thread when it is at most `maxBytes` and the dispatcher
   * thread is idle; true when done (no onDispatched notification follows for it), false when
   * wakeDispatcher() is still owed.
   */
  dispatchInline(maxBytes: number): boolean;

  /** CommitLog positions (bytes). wrote >= committed >= flushed. */
  getWrotePosition(): number;
  getFlushedPosition(): number;
  getDispatchedPosition(): number;
  /**
   * Turns the onDispatched notifications on or off (on at construction). Each one wakes the event
   * loop, so they are off while nothing waits; after turning them on, re-read what you wait for.
   */
  setDispatchNotifications(enabled: boolean): void;
  getMinPhysicalOffset(): number;

  getMessages(
    topic: string,
    queueId: number,
    queueOffset: number,
    maxCount: number,
    maxBytes: number,
    tagsCodes: Float64Array | null,
  ): NativeGetResult;

  /** The whole record at `physicalOffset`, or null if there is none (size read from the record). */
  lookMessageByOffset(physicalOffset: number): Buffer | null;

  queryMessage(topic: string, key: string, maxNum: number, beginTimestamp: number, endTimestamp: number): NativeQueryResult;

  getMinOffsetInQueue(topic: string, queueId: number): number;
  getMaxOffsetInQueue(topic: string, queueId: number): number;
  getOffsetInQueueByTime(topic: string, queueId: number, timestamp: number): number;
  /** Store time of the first message in the queue, -1 when empty. */
  getEarliestMessageTime(topic: string, queueId: number): number;
  /** Store time of the message at queueOffset, -1 when absent. */
  getMessageStoreTimestamp(topic: string, queueId: number, queueOffset: number): number;
  /** Physical offset of the message at queueOffset, -1 when absent. */
  getCommitLogOffsetInQueue(topic: string, queueId: number, queueOffset: number): number;
  listQueues(): NativeQueueInfo[];
  /** Removes every ConsumeQueue of the topic and its queue-offset counters; returns queues removed. */
  deleteTopic(topic: string): number;

  /**
   * Deletes CommitLog segments last modified before nowMs - fileReservedMs (or, when
   * cleanImmediately, the oldest segments regardless of age), at most maxFiles per call, never the
   * segment being written; then ConsumeQueue and index files that only point below the new minimum.
   */
  cleanExpiredFiles(nowMs: number, fileReservedMs: number, cleanImmediately: boolean, maxFiles: number): NativeCleanResult;

  /** Flushes CommitLog, ConsumeQueues, index and checkpoint now. */
  flush(): Promise<void>;
  stats(): NativeStoreStats;
  /** stats().beginTimeInLock alone: cheap enough for every send. */
  beginTimeInLock(): number;

  /**
   * Stops the threads (finishing dispatch), flushes everything, writes the checkpoint, removes the
   * abort marker and releases the lock. Idempotent; also run by the environment cleanup hook.
   */
  close(): void;
}

export interface NativeStoreConstructor {
  /**
   * @param rootDir       storePathRootDir (created if missing)
   * @param config        Float64Array of constants.configSlotCount values, indexed by configSlots
   * @param delayLevelsMs delay of each level (index 0 = level 1), for SCHEDULE_TOPIC_XXXX tag codes
   * @param onFlushed     called with no arguments at most once per flush cycle (coalesced); read
   *                      getFlushedPosition() inside it. Never keeps the event loop alive.
   * @param onDispatched  likewise, after the dispatcher advanced; read getDispatchedPosition().
   */
  new (
    rootDir: string,
    config: Float64Array,
    delayLevelsMs: Float64Array,
    onFlushed: () => void,
    onDispatched: () => void,
  ): NativeStoreHandle;
}

export interface NativeCeilings {
  /**
   * memcpy `totalBytes` in `chunkBytes` pieces into a fresh fallocated mmap'd file; with preTouch
   * every page is faulted in before timing (warm segment), without it the copies take the faults.
   */
  memcpyIntoMmap(path: string, totalBytes: number, chunkBytes: number, preTouch: boolean): number; /* elapsed ns */
  /** write(2) `totalBytes` sequentially in `chunkBytes` pieces, fdatasync every `bytesPerSync`. */
  writeWithFdatasync(path: string, totalBytes: number, chunkBytes: number, bytesPerSync: number): Float64Array; /* per-sync latencies ns */
}

/**
 * Keeps the event loop polling, without sleeping, for `windowMicros` after the last activity
 * (native/src/busy_poll_wrap.h). Activity is reported through `state`: bump state[0], and state[3]
 * too for a read; state[1] is 1 while polling, and start() is needed only when it is 0; state[2]
 * counts the windows that ended early to give the CPU to other threads, state[4] the rests taken
 * after windows kept expiring without a read (start() does nothing during a rest), state[5] the
 * windows refused or ended because the machine's CPUs were mostly busy.
 */
export interface NativeBusyPoller {
  start(): void;
  /** Stops polling and frees the handle; the poller is unusable after. */
  close(): void;
}

export interface NativeBusyPollerConstructor {
  /** restMicros: how long polling rests after windows kept expiring without a read (default 50 ms). */
  new (state: Int32Array, windowMicros: number, restMicros?: number): NativeBusyPoller;
}

export interface NativeAddon {
  readonly NativeStore: NativeStoreConstructor;
  readonly BusyPoller: NativeBusyPollerConstructor;
  readonly constants: NativeConstants;
  /** CRC32 (IEEE 802.3, as java.util.zip.CRC32) of buf[start, end), unmasked. */
  crc32(buf: Uint8Array, start: number, end: number): number;
  readonly ceilings: NativeCeilings;
}
