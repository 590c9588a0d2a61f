/**
 * The store benchmark cases. Each runs in its own process (bench/lib/run-isolated.ts) on a fresh
 * data directory, and measures its own ceiling in the same process right after, so every figure can
 * be printed as a ratio to what the machine does raw at that moment (the machine is shared and noisy).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { NativeMessageStore } from '../../src/store/native-message-store';
import { loadAddon } from '../../src/store/native/binding';
import type { MessageToStore } from '../../src/message/message-types';
import { LatencyRecorder, type LatencySummary } from '../lib/histogram';
import { rssAnonBytes } from '../lib/env-info';

type FlushDiskType = 'ASYNC_FLUSH' | 'SYNC_FLUSH';

export interface AppendCase { kind: 'append'; bodySize: number; batchSize: number; totalBytes: number }
export interface ConcurrentCase { kind: 'concurrent'; flushDiskType: FlushDiskType; bodySize: number; concurrency: number; durationMs: number }
export interface ReadCase { kind: 'read'; bodySize: number; messages: number; batchSize: number }
export interface RssCase { kind: 'rss'; bodySize: number; batchSize: number; totalBytes: number }
export type StoreCase = AppendCase | ConcurrentCase | ReadCase | RssCase;

const TOPIC = 'BenchTopic';

function benchDir(): string {
  const base = process.env['COMETMQ_BENCH_DIR'] ?? os.tmpdir();
  return fs.mkdtempSync(path.join(base, 'cometmq-bench-'));
}

function message(body: Buffer, queueId: number): MessageToStore {
  return { topic: TOPIC, queueId, body, properties: { TAGS: 'bench' } };
}

async function withStore<T>(config: Record<string, unknown>, fn: (store: NativeMessageStore, dir: string) => Promise<T>): Promise<T> {
  const dir = benchDir();
  const store = new NativeMessageStore({ storePathRootDir: dir, ...config });
  await store.start();
  try {
    return await fn(store, dir);
  } finally {
    await store.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * memcpy of the same bytes, in the same pieces, into an mmap'd file: the append ceiling. Two of
 * them: into pages already faulted in (a warm segment, ~16 GB/s here) and into a fresh fallocated
 * file that takes its first-write faults during the copy (~3-4 GB/s here). The store pre-faults its
 * next segment in the background, so its figure sits between the two.
 */
function memcpyCeilingBytesPerSec(totalBytes: number, chunkBytes: number, preTouch: boolean): number {
  const dir = benchDir();
  try {
    const nanos = loadAddon().addon.ceilings.memcpyIntoMmap(path.join(dir, 'ceiling'), totalBytes, chunkBytes, preTouch);
    return totalBytes / (nanos / 1e9);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Sequential writes with fdatasync after every `bytesPerSync`: the SYNC_FLUSH ceiling. */
function fdatasyncCeilingBytesPerSec(bytesPerSync: number, syncs: number): number {
  const dir = benchDir();
  try {
    const chunk = Math.max(4096, Math.min(bytesPerSync, 1 << 20));
    const start = process.hrtime.bigint();
    loadAddon().addon.ceilings.writeWithFdatasync(path.join(dir, 'ceiling'), bytesPerSync * syncs, chunk, bytesPerSync);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    return (bytesPerSync * syncs) / seconds;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function appendCase(c: AppendCase): Promise<Record<string, unknown>> {
  const body = randomBytes(c.bodySize);
  const batch = Array.from({ length: c.batchSize }, (_, i) => message(body, i % 4));
  return withStore({ flushDiskType: 'ASYNC_FLUSH' }, async (store) => {
    // Warm up the JIT and the first segment's mapping before timing.
    for (let i = 0; i < 200; i++) await store.putMessages(batch);
    const recordBytes = (await store.putMessage(message(body, 0))).wroteBytes;
    const batches = Math.max(1, Math.round(c.totalBytes / (recordBytes * c.batchSize)));
    const start = process.hrtime.bigint();
    for (let i = 0; i < batches; i++) {
      const results = await store.putMessages(batch);
      if (results[0]?.status !== 'PUT_OK') throw new Error(`append failed: ${results[0]?.status}`);
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const messages = batches * c.batchSize;
    const bytesPerSec = (messages * recordBytes) / seconds;
    const warm = memcpyCeilingBytesPerSec(messages * recordBytes, recordBytes * c.batchSize, true);
    const fresh = memcpyCeilingBytesPerSec(messages * recordBytes, recordBytes * c.batchSize, false);
    return {
      ...c, recordBytes, messages, msgsPerSec: messages / seconds, mbPerSec: bytesPerSec / 1e6,
      ceilingMbPerSec: warm / 1e6, ratio: bytesPerSec / warm, freshCeilingMbPerSec: fresh / 1e6, freshRatio: bytesPerSec / fresh,
    };
  });
}

async function concurrentCase(c: ConcurrentCase): Promise<Record<string, unknown>> {
  const body = randomBytes(c.bodySize);
  const latency = new LatencyRecorder();
  return withStore({ flushDiskType: c.flushDiskType }, async (store) => {
    for (let i = 0; i < 100; i++) await store.putMessage(message(body, 0));
    const before = store.stats();
    let messages = 0;
    let recordBytes = 0;
    const deadline = Date.now() + c.durationMs;
    const producer = async (queueId: number): Promise<void> => {
      const msg = message(body, queueId);
      while (Date.now() < deadline) {
        const t0 = process.hrtime.bigint();
        const result = await store.putMessage(msg);
        latency.recordNanos(Number(process.hrtime.bigint() - t0));
        if (result.status !== 'PUT_OK') throw new Error(`put failed: ${result.status}`);
        recordBytes = result.wroteBytes;
        messages++;
      }
    };
    const start = process.hrtime.bigint();
    await Promise.all(Array.from({ length: c.concurrency }, (_, i) => producer(i % 8)));
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const after = store.stats();
    const flushes = Math.max(1, after.flushCount - before.flushCount);
    const bytesPerFlush = Math.max(recordBytes, Math.round((messages * recordBytes) / flushes));
    const msgsPerSec = messages / seconds;
    const result: Record<string, unknown> = { ...c, recordBytes, messages, msgsPerSec, mbPerSec: (msgsPerSec * recordBytes) / 1e6, flushes, bytesPerFlush, latencyUs: latency.summary() satisfies LatencySummary };
    if (c.flushDiskType === 'SYNC_FLUSH') {
      const ceiling = fdatasyncCeilingBytesPerSec(bytesPerFlush, Math.min(flushes, 2000));
      result['ceilingMsgsPerSec'] = ceiling / recordBytes;
      result['ratio'] = (msgsPerSec * recordBytes) / ceiling;
    }
    return result;
  });
}

async function readCase(c: ReadCase): Promise<Record<string, unknown>> {
  const body = randomBytes(c.bodySize);
  const batch = Array.from({ length: 32 }, () => message(body, 0));
  return withStore({ flushDiskType: 'ASYNC_FLUSH' }, async (store) => {
    let last = 0;
    for (let i = 0; i < c.messages / 32; i++) last = (await store.putMessages(batch)).at(-1)?.physicalOffset ?? last;
    await store.whenDispatched(last);
    const start = process.hrtime.bigint();
    let offset = 0;
    let bytes = 0;
    let messages = 0;
    for (;;) {
      const got = store.getMessage(TOPIC, 0, offset, c.batchSize, { maxBytes: Number.MAX_SAFE_INTEGER });
      if (got.status !== 'FOUND') break;
      bytes += got.records?.length ?? 0;
      messages += got.messageCount;
      offset = got.nextBeginOffset;
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const recordBytes = bytes / Math.max(1, messages);
    const ceiling = memcpyCeilingBytesPerSec(bytes, Math.round(recordBytes * c.batchSize), true);
    return { ...c, messagesRead: messages, msgsPerSec: messages / seconds, mbPerSec: bytes / seconds / 1e6, ceilingMbPerSec: ceiling / 1e6, ratio: bytes / seconds / ceiling };
  });
}

async function rssCase(c: RssCase): Promise<Record<string, unknown>> {
  const body = randomBytes(c.bodySize);
  const batch = Array.from({ length: c.batchSize }, (_, i) => message(body, i % 8));
  return withStore({ flushDiskType: 'ASYNC_FLUSH', fileReservedTime: 72 }, async (store) => {
    let maxRssAnon = rssAnonBytes();
    const baseline = maxRssAnon;
    let written = 0;
    const start = process.hrtime.bigint();
    let nextSample = 0;
    while (written < c.totalBytes) {
      const results = await store.putMessages(batch);
      written += (results[0]?.wroteBytes ?? 0) * results.length;
      if (written >= nextSample) {
        maxRssAnon = Math.max(maxRssAnon, rssAnonBytes());
        nextSample = written + 64 * 2 ** 20;
      }
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    return { ...c, writtenGiB: written / 2 ** 30, seconds, mbPerSec: written / seconds / 1e6, baselineRssAnonMiB: baseline / 2 ** 20, maxRssAnonMiB: maxRssAnon / 2 ** 20 };
  });
}

export async function runCase(params: Record<string, unknown>): Promise<Record<string, unknown>> {
  const c = params as unknown as StoreCase;
  switch (c.kind) {
    case 'append':
      return appendCase(c);
    case 'concurrent':
      return concurrentCase(c);
    case 'read':
      return readCase(c);
    case 'rss':
      return rssCase(c);
  }
}
