/**
 * Retention policy (RocketMQ CleanCommitLogService), run every cleanResourceInterval:
 *  - deletion of files older than fileReservedTime happens at the deleteWhen hours, or at any hour
 *    while disk usage is above diskMaxUsedSpaceRatio;
 *  - above diskSpaceCleanForciblyRatio (or when the disk is full) the oldest files go even if not
 *    expired (cleanImmediately, when cleanFileForciblyEnable);
 *  - above diskSpaceWarningLevelRatio the disk is marked full: puts answer SERVICE_NOT_AVAILABLE
 *    until a later run measures usage below the level again.
 * The file deletion itself is native (cleanExpiredFiles); this file only decides when and how.
 */
import * as fs from 'node:fs';
import type { Clock, TimerHandle } from '../common/clock';
import type { Logger } from '../common/logger';
import type { CleanReport } from './message-store';
import type { NativeCleanResult } from './native/native-types';
import { parseDeleteWhen, type MessageStoreConfig } from './store-config';

export type DiskUsageProbe = (dir: string) => number;

export type NativeCleaner = (nowMs: number, fileReservedMs: number, cleanImmediately: boolean, maxFiles: number) => NativeCleanResult;

/** Used fraction of the filesystem holding `dir` (what `df` reports for non-root users). */
export const statfsDiskUsage: DiskUsageProbe = (dir) => {
  const stats = fs.statfsSync(dir);
  if (stats.blocks === 0) return 0;
  return 1 - stats.bavail / stats.blocks;
};

export class CleanService {
  readonly #config: MessageStoreConfig;
  readonly #cleaner: NativeCleaner;
  readonly #clock: Clock;
  readonly #probe: DiskUsageProbe;
  readonly #logger: Logger;
  readonly #deleteHours: readonly number[];
  #timer: TimerHandle | undefined;
  #stopped = true;
  #isDiskFull = false;
  #diskUsageRatio = -1;

  constructor(config: MessageStoreConfig, cleaner: NativeCleaner, clock: Clock, probe: DiskUsageProbe, logger: Logger) {
    this.#config = config;
    this.#cleaner = cleaner;
    this.#clock = clock;
    this.#probe = probe;
    this.#logger = logger;
    this.#deleteHours = parseDeleteWhen(config.deleteWhen);
  }

  get isDiskFull(): boolean {
    return this.#isDiskFull;
  }

  get diskUsageRatio(): number {
    return this.#diskUsageRatio;
  }

  /** The SERVICE_NOT_AVAILABLE remark while the disk is full. */
  get diskFullRemark(): string {
    return (
      `the broker's disk is full: usage ${this.#diskUsageRatio.toFixed(2)} of ${this.#config.storePathRootDir} ` +
      `is above diskSpaceWarningLevelRatio ${this.#config.diskSpaceWarningLevelRatio}%`
    );
  }

  /** Measures once (so a store opened on a full disk refuses puts at once) and arms the timer. */
  start(): void {
    this.#stopped = false;
    this.#measure();
    this.#schedule();
  }

  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  runOnce(nowMs: number = this.#clock.now()): CleanReport {
    const ratio = this.#measure();
    const overMaxUsed = ratio > this.#config.diskMaxUsedSpaceRatio / 100;
    const overForcibly = ratio > this.#config.diskSpaceCleanForciblyRatio / 100;
    const cleanImmediately = this.#config.cleanFileForciblyEnable && (overForcibly || this.#isDiskFull);
    const isTimeToDelete = this.#deleteHours.includes(new Date(nowMs).getHours());
    const shouldDelete = isTimeToDelete || overMaxUsed || cleanImmediately;
    let result: NativeCleanResult = { commitLogFilesDeleted: 0, consumeQueueFilesDeleted: 0, indexFilesDeleted: 0 };
    if (shouldDelete) {
      result = this.#cleaner(nowMs, this.#config.fileReservedTime * 3_600_000, cleanImmediately, this.#config.deleteFileBatchMax);
      if (result.commitLogFilesDeleted > 0) {
        this.#logger.info(
          `retention deleted ${result.commitLogFilesDeleted} CommitLog, ${result.consumeQueueFilesDeleted} ConsumeQueue and ` +
            `${result.indexFilesDeleted} index files (disk usage ${ratio.toFixed(2)}${cleanImmediately ? ', forced' : ''})`,
        );
        // Deleting may have brought usage back under the warning level: let puts resume now.
        this.#measure();
      }
    }
    return {
      ...result,
      deleted: shouldDelete,
      diskUsageRatio: ratio,
      cleanImmediately,
      isDiskFull: this.#isDiskFull,
    };
  }

  #measure(): number {
    let ratio: number;
    try {
      ratio = this.#probe(this.#config.storePathRootDir);
    } catch (err) {
      // Keep the last known state: a failing probe must neither block nor unblock writes.
      this.#logger.warnOnce('disk-probe', `disk usage probe failed for ${this.#config.storePathRootDir}: ${(err as Error).message}`);
      return this.#diskUsageRatio < 0 ? 0 : this.#diskUsageRatio;
    }
    this.#logger.clear('disk-probe');
    this.#diskUsageRatio = ratio;
    const full = ratio > this.#config.diskSpaceWarningLevelRatio / 100;
    if (full && !this.#isDiskFull) this.#logger.warn(this.diskFullRemark + '; refusing writes');
    if (!full && this.#isDiskFull) this.#logger.info(`disk usage back to ${ratio.toFixed(2)}; accepting writes again`);
    this.#isDiskFull = full;
    return ratio;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = this.#clock.setTimer(() => {
      try {
        if (!this.#stopped) this.runOnce();
      } catch (err) {
        this.#logger.error('retention run failed', err);
      }
      this.#schedule();
    }, this.#config.cleanResourceInterval);
  }
}
