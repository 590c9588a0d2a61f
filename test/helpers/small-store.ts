/**
 * Store configurations scaled down for tests: small CommitLog segments so every run rolls over,
 * small ConsumeQueue and index files so a few-MiB tmpfs can hold a whole store.
 */
import { NativeMessageStore } from '../../src/store/native-message-store';

export const SMALL_SEGMENT_BYTES = 1024 * 1024;

export type FlushDiskType = 'ASYNC_FLUSH' | 'SYNC_FLUSH';

export interface SmallStoreOptions {
  readonly flushDiskType?: FlushDiskType;
  readonly segmentBytes?: number;
  /** Stands in for the disk usage probe (ratio 0..1); the real statfs probe when absent. */
  readonly diskUsage?: (dir: string) => number;
  /** Appends go to off-heap buffers committed in the background (ASYNC_FLUSH only). */
  readonly transientStorePoolEnable?: boolean;
}

export function smallStoreConfig(storeRoot: string, options: SmallStoreOptions = {}) {
  return {
    storePathRootDir: storeRoot,
    mappedFileSizeCommitLog: options.segmentBytes ?? SMALL_SEGMENT_BYTES,
    // 512 units per ConsumeQueue file, so queues roll over within a test too.
    mappedFileSizeConsumeQueue: 20 * 512,
    flushDiskType: options.flushDiskType ?? 'ASYNC_FLUSH',
    transientStorePoolEnable: options.transientStorePoolEnable ?? false,
    // About 670 KB per index file instead of 420 MB.
    maxHashSlotNum: 4096,
    maxIndexNum: 32768,
    // Measure disk usage often, so the disk-full guard reacts within a test.
    cleanResourceInterval: 100,
  } as const;
}

export function createSmallStore(storeRoot: string, options: SmallStoreOptions = {}): NativeMessageStore {
  const deps = options.diskUsage === undefined ? {} : { diskUsage: options.diskUsage };
  return new NativeMessageStore(smallStoreConfig(storeRoot, options), deps);
}

/** Opens (start + wait until the ConsumeQueues cover the whole recovered CommitLog). */
export async function openSmallStore(storeRoot: string, options: SmallStoreOptions = {}) {
  const store = createSmallStore(storeRoot, options);
  const recovery = await store.start();
  await store.whenDispatched(store.getMaxPhysicalOffset());
  return { store, recovery };
}
