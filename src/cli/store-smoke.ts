import { randomBytes } from 'node:crypto';
import { NativeMessageStore } from '../store/native-message-store';
import type { MessageToStore } from '../message/message-types';

export interface StoreSmokeOptions {
  dataDir: string;
  messages: number;
  log: (line: string) => void;
}

/** Opens the store, appends `messages` 1 KiB messages in batches of 32, reads them back, shuts down. */
export async function runStoreSmoke({ dataDir, messages, log }: StoreSmokeOptions): Promise<void> {
  const store = new NativeMessageStore({ storePathRootDir: dataDir });
  const recovery = await store.start();
  log(`store ${dataDir}: opened in ${recovery.durationMs} ms, last exit ${recovery.lastExitOK ? 'clean' : 'NOT clean'}, ` +
    `${recovery.recoveredMessages} records re-checked, ${recovery.truncatedBytes} torn bytes cut, commit log ${recovery.minPhysicalOffset}..${recovery.maxPhysicalOffset}`);
  try {
    const topic = 'CometSmoke';
    const queueId = 0;
    const body = randomBytes(1024);
    const batch: MessageToStore[] = Array.from({ length: 32 }, () => ({ topic, queueId, body, properties: { TAGS: 'smoke' } }));
    const firstQueueOffset = store.getMaxOffsetInQueue(topic, queueId);
    const t0 = process.hrtime.bigint();
    let last = 0;
    for (let written = 0; written < messages; written += batch.length) {
      const results = await store.putMessages(batch);
      const bad = results.find((r) => r.status !== 'PUT_OK');
      if (bad) throw new Error(`append failed: ${bad.status}${bad.remark ? ` (${bad.remark})` : ''}`);
      last = results.at(-1)?.physicalOffset ?? last;
    }
    const appendSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    await store.whenDispatched(last);
    const t1 = process.hrtime.bigint();
    let read = 0;
    for (let offset = firstQueueOffset; ; ) {
      const got = store.getMessage(topic, queueId, offset, 32);
      if (got.status !== 'FOUND') break;
      read += got.messageCount;
      offset = got.nextBeginOffset;
    }
    const readSeconds = Number(process.hrtime.bigint() - t1) / 1e9;
    const written = Math.ceil(messages / 32) * 32;
    log(`appended ${written} x 1 KiB in ${appendSeconds.toFixed(2)} s (${Math.round(written / appendSeconds).toLocaleString('en-US')} msgs/s), ` +
      `read back ${read} in ${readSeconds.toFixed(2)} s (${Math.round(read / readSeconds).toLocaleString('en-US')} msgs/s)`);
    if (read < written) throw new Error(`read back ${read} of ${written} messages`);
  } finally {
    await store.shutdown();
  }
  log('store closed cleanly');
}
