/**
 * What every peer BenchTarget must do against its real server: take 1,000 distinct messages sent
 * sync, async (many in flight) and in batches, hand every one of them back exactly once to a
 * receiver, and leave no server process behind once closed.
 */
import * as assert from 'node:assert/strict';
import { PeerNotInstalled } from '../../src/bench/peers/peer-process';
import type { BenchTarget, SendMode } from '../../src/bench/target';
import { waitFor } from '../broker/wait-for';

export const MESSAGE_COUNT = 1_000;
const BATCH_SIZE = 32;
const ASYNC_WINDOW = 64;

function bodyOf(i: number): Buffer {
  // Distinct, with a binary tail so a text-only path would corrupt it.
  return Buffer.concat([Buffer.from(`message-${i.toString().padStart(4, '0')}-`), Buffer.from([0, 0xff, i & 0xff, 0x0a])]);
}

/** Sends MESSAGE_COUNT bodies: a third sync, a third async (64 in flight), a third in batches of 32. */
export async function sendThousand(target: BenchTarget, topic: string): Promise<Buffer[]> {
  const sender = await target.openSender();
  const bodies = Array.from({ length: MESSAGE_COUNT }, (_, i) => bodyOf(i));
  const third = Math.floor(MESSAGE_COUNT / 3);
  try {
    for (let i = 0; i < third; i++) await sender.send(topic, [bodies[i] as Buffer], 'sync');
    const asyncPart = bodies.slice(third, 2 * third);
    for (let i = 0; i < asyncPart.length; i += ASYNC_WINDOW) {
      const mode: SendMode = 'async';
      await Promise.all(asyncPart.slice(i, i + ASYNC_WINDOW).map((body) => sender.send(topic, [body], mode)));
    }
    const batchPart = bodies.slice(2 * third);
    for (let i = 0; i < batchPart.length; i += BATCH_SIZE) await sender.send(topic, batchPart.slice(i, i + BATCH_SIZE), 'sync');
  } finally {
    await sender.close();
  }
  return bodies;
}

/** Receives until MESSAGE_COUNT bodies arrived and checks they are exactly the ones sent. */
export async function receiveAll(target: BenchTarget, topic: string, group: string, sent: readonly Buffer[]): Promise<void> {
  const receiver = await target.openReceiver(topic, group);
  const received: Buffer[] = [];
  try {
    await receiver.start((bodies) => {
      for (const body of bodies) received.push(Buffer.from(body));
    });
    await waitFor(() => received.length >= sent.length, 20_000);
  } finally {
    await receiver.close();
  }
  assert.equal(received.length, sent.length, 'every message exactly once');
  const hex = (list: readonly Buffer[]) => list.map((b) => b.toString('hex')).sort();
  assert.deepEqual(hex(received), hex(sent));
}

/** True when no process has this pid any more (it exited and was reaped). */
export function processIsGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** With nothing on PATH, starting the target fails with PeerNotInstalled saying `expectedMessage` (which names the package). */
export async function assertNotInstalledWithoutPath(start: (dataDir: string) => Promise<unknown>, expectedMessage: string): Promise<void> {
  const savedPath = process.env['PATH'];
  process.env['PATH'] = '/nonexistent';
  try {
    await assert.rejects(start('/nonexistent'), (err: unknown) => {
      assert.ok(err instanceof PeerNotInstalled);
      assert.equal(err.message, expectedMessage);
      return true;
    });
  } finally {
    process.env['PATH'] = savedPath;
  }
}
