/**
 * Child side of the parent/child line protocol: one JSON object per stdout line.
 *
 * Lines are written with a synchronous write(2) on fd 1, so once emit() returns the line is in the
 * pipe and a SIGKILL right after it cannot lose it: the parent may trust every complete line.
 */
import * as fs from 'node:fs';
import type { MessageToStore } from '../../src/message';
import type { PutMessageResult } from '../../src/store';

export interface ProtocolMessage {
  readonly type: string;
  readonly [field: string]: unknown;
}

export function emit(message: ProtocolMessage): void {
  writeAll(`${JSON.stringify(message)}\n`);
}

/** Emits several messages with one write (used for the acks of one resolved batch). */
export function emitAll(messages: readonly ProtocolMessage[]): void {
  if (messages.length === 0) return;
  writeAll(messages.map((m) => JSON.stringify(m)).join('\n') + '\n');
}

/** The line a child prints for each PUT_OK: what the parent later verifies is still there. */
export function ackLine(id: number | undefined, message: MessageToStore, result: PutMessageResult): ProtocolMessage {
  return {
    type: 'ack',
    id,
    topic: message.topic,
    queueId: message.queueId,
    queueOffset: result.queueOffset,
    physicalOffset: result.physicalOffset,
  };
}

/** Acks for a batch whose every put must have succeeded (deterministic writers). */
export function ackAllOrThrow(ids: readonly number[], messages: readonly MessageToStore[], results: readonly PutMessageResult[]): ProtocolMessage[] {
  return results.map((result, i) => {
    if (result.status !== 'PUT_OK') throw new Error(`put of id ${ids[i]} returned ${result.status} ${result.remark ?? ''}`);
    return ackLine(ids[i], messages[i]!, result);
  });
}

function writeAll(text: string): void {
  const bytes = Buffer.from(text);
  let written = 0;
  while (written < bytes.length) written += fs.writeSync(1, bytes, written, bytes.length - written);
}

/**
 * Parses the JSON config a child was spawned with (argv[2]); undefined when there is none, which
 * is the case when `node --test` runs the compiled helper files directly: children then do nothing.
 */
export function childConfig<T>(): T | undefined {
  const raw = process.argv[2];
  return raw === undefined ? undefined : (JSON.parse(raw) as T);
}

/**
 * Keeps stdout for protocol lines only: console.log/info (the store's info logging) go to stderr,
 * where the parent shows them on failure, instead of reaching the parent as stray lines.
 */
export function reserveStdoutForProtocol(): void {
  console.log = console.error.bind(console);
  console.info = console.error.bind(console);
}

/**
 * Exits when the parent goes away (its end of our stdin closes), so a child can never outlive a
 * crashed test run and keep writing. The stdin handle is unref'd: it does not keep the child alive.
 */
export function exitWithParent(): void {
  process.stdin.on('end', () => process.exit(75));
  process.stdin.resume();
  (process.stdin as unknown as { unref?: () => void }).unref?.();
}

/** Reports an unexpected failure on the protocol (the parent shows it) and exits non-zero. */
export function failChild(error: unknown): never {
  const err = error as { message?: string; code?: string; stack?: string };
  emit({ type: 'error', message: String(err?.message ?? error), code: err?.code ?? null, stack: err?.stack ?? null });
  process.exit(70);
}
