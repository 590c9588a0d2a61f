/**
 * The dispatch benchmark's listener: burns a fixed amount of CPU per message (chained SHA-256 over
 * the body), the kind of consumer that worker threads are for. Loaded in-thread by the bench case,
 * or by path as a piscina module listener (`consume` export).
 */
import { createHash } from 'node:crypto';
import type { MessageExt } from '../../src/message/message-types';

/** SHA-256 rounds per message: about 1 ms of CPU on the 2-vCPU machine of docs/benchmarks.md. */
export const ROUNDS_PER_MESSAGE = 1_000;

export function burn(body: Uint8Array, rounds: number): number {
  let digest: Uint8Array = body;
  for (let i = 0; i < rounds; i++) digest = createHash('sha256').update(digest).digest();
  return digest[0] as number;
}

export function consume(messages: readonly MessageExt[]): 'CONSUME_SUCCESS' {
  for (const m of messages) burn(m.body, ROUNDS_PER_MESSAGE);
  return 'CONSUME_SUCCESS';
}
