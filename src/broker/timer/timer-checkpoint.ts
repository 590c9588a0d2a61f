/**
 * The timer wheel's progress, <storePathRootDir>/config/timerCheckpoint.json, written atomically:
 * - indexedOffset: timer-queue records below it had been read into the wheel;
 * - deliveredUpToMs: of those, every one due at or before it had been re-put, none after it;
 * - lowOffset: the lowest pending queue offset (a rebuild starts reading there);
 * - commitLogOffset: the CommitLog end when this was written (no re-put in flight), from which a
 *   restart after a crash looks for re-puts made after the checkpoint (delivered-scan.ts).
 */
import * as path from 'node:path';
import { readConfigFile, writeConfigFileAtomically } from '../../common/config-file';

export interface TimerCheckpoint {
  readonly indexedOffset: number;
  readonly deliveredUpToMs: number;
  readonly lowOffset: number;
  readonly commitLogOffset: number;
}

export const EMPTY_TIMER_CHECKPOINT: TimerCheckpoint = Object.freeze({ indexedOffset: 0, deliveredUpToMs: 0, lowOffset: 0, commitLogOffset: 0 });

export function timerCheckpointFile(storePathRootDir: string): string {
  return path.join(storePathRootDir, 'config', 'timerCheckpoint.json');
}

export function loadTimerCheckpoint(file: string): TimerCheckpoint {
  return readConfigFile(file, parseCheckpoint) ?? EMPTY_TIMER_CHECKPOINT;
}

export function saveTimerCheckpoint(file: string, checkpoint: TimerCheckpoint): void {
  writeConfigFileAtomically(file, timerCheckpointText(checkpoint));
}

export function timerCheckpointText(checkpoint: TimerCheckpoint): string {
  return JSON.stringify(checkpoint, null, 2);
}

function parseCheckpoint(text: string): TimerCheckpoint {
  const json = JSON.parse(text) as Record<string, unknown>;
  const field = (name: keyof TimerCheckpoint): number => {
    const value = json[name];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer`);
    return value;
  };
  return {
    indexedOffset: field('indexedOffset'), deliveredUpToMs: field('deliveredUpToMs'),
    lowOffset: field('lowOffset'), commitLogOffset: field('commitLogOffset'),
  };
}
