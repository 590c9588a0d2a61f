/**
 * Fixtures for the store tests: a fresh temp dir per test (removed after), a real NativeMessageStore
 * with tiny files, and brute-force readers that decode the CommitLog segments and ConsumeQueue files
 * straight from disk, independently of the store's own read paths.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestContext } from 'node:test';
import { silentLogger } from '../../src/common';
import { forEachRecord, type MessageExt } from '../../src/message';
import { NativeMessageStore, type MessageStoreDeps, type StoreConfigInput } from '../../src/store';

export const SEGMENT_BYTES = 1024 * 1024;
export const CQ_FILE_BYTES = 20 * 64;

type Cleanup = () => unknown;
const cleanups = new WeakMap<TestContext, Cleanup[]>();

/**
 * Registers `fn` to run when the test ends, in reverse order of registration (stores shut down
 * before their directories are removed; node:test runs its own after-hooks first-in first-out).
 */
export function onTestEnd(t: TestContext, fn: Cleanup): void {
  let list = cleanups.get(t);
  if (list === undefined) {
    const created: Cleanup[] = [];
    list = created;
    cleanups.set(t, created);
    t.after(async () => {
      for (const cleanup of created.reverse()) await cleanup();
    });
  }
  list.push(fn);
}

export function tempDir(t: TestContext, label = 'store'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cometmq-t1-${label}-`));
  onTestEnd(t, () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function tinyConfig(root: string, overrides: Partial<StoreConfigInput> = {}): StoreConfigInput {
  return {
    storePathRootDir: root,
    mappedFileSizeCommitLog: SEGMENT_BYTES,
    mappedFileSizeConsumeQueue: CQ_FILE_BYTES,
    maxMessageSize: 256 * 1024,
    maxHashSlotNum: 512,
    maxIndexNum: 2048,
    ...overrides,
  };
}

/** A started store in a fresh dir; shut down (and the dir removed) when the test ends. */
export async function openStore(
  t: TestContext,
  overrides: Partial<StoreConfigInput> = {},
  deps: MessageStoreDeps = {},
  root: string = tempDir(t),
): Promise<{ store: NativeMessageStore; root: string }> {
  const store = new NativeMessageStore(tinyConfig(root, overrides), { logger: silentLogger, ...deps });
  onTestEnd(t, () => store.shutdown());
  await store.start();
  return { store, root };
}

export interface ScannedRecord {
  readonly message: MessageExt;
  readonly segment: string;
  readonly segmentBase: number;
  readonly position: number;
}

export interface SegmentScan {
  readonly name: string;
  readonly base: number;
  /** End of the last record; a blank filler follows when the segment was rolled. */
  readonly dataEnd: number;
  readonly bytes: Buffer;
}

export function commitLogSegments(root: string): SegmentScan[] {
  const dir = path.join(root, 'commitlog');
  return fs
    .readdirSync(dir)
    .filter((name) => /^\d{20}$/.test(name))
    .sort()
    .map((name) => {
      const bytes = fs.readFileSync(path.join(dir, name));
      let dataEnd = 0;
      forEachRecord(bytes, (message, offset) => {
        dataEnd = offset + message.storeSize;
      });
      return { name, base: Number(name), dataEnd, bytes };
    });
}

/** Every message record in the CommitLog, decoded from the segment files on disk. */
export function scanCommitLog(root: string): ScannedRecord[] {
  const records: ScannedRecord[] = [];
  for (const segment of commitLogSegments(root)) {
    forEachRecord(segment.bytes, (message, position) => {
      records.push({ message, segment: segment.name, segmentBase: segment.base, position });
    });
  }
  return records;
}

export interface CqUnit {
  readonly physicalOffset: number;
  readonly size: number;
  readonly tagsCode: number;
}

/** The ConsumeQueue units of one queue, read from its files; stops at the first empty unit. */
export function readConsumeQueue(root: string, topic: string, queueId: number): CqUnit[] {
  const dir = path.join(root, 'consumequeue', topic, String(queueId));
  if (!fs.existsSync(dir)) return [];
  const units: CqUnit[] = [];
  for (const name of fs.readdirSync(dir).sort()) {
    const bytes = fs.readFileSync(path.join(dir, name));
    for (let pos = 0; pos + 20 <= bytes.length; pos += 20) {
      const size = bytes.readInt32BE(pos + 8);
      if (size === 0) return units;
      units.push({
        physicalOffset: Number(bytes.readBigInt64BE(pos)),
        size,
        tagsCode: Number(bytes.readBigInt64BE(pos + 12)),
      });
    }
  }
  return units;
}

/** Deterministic body of message `i`, of varying length. */
export function bodyOf(i: number, length = 1000 + ((i * 7919) % 6000)): Buffer {
  const body = Buffer.alloc(length);
  for (let j = 0; j < length; j++) body[j] = (i * 31 + j) & 0xff;
  return body;
}

/** Waits for `promise`, failing after `ms` (the pending timer also keeps the event loop alive). */
export async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
