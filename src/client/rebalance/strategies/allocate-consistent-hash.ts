/**
 * AllocateMessageQueueConsistentHash: every consumer is placed on a hash ring at `virtualNodes`
 * points (key `<clientId>-<i>`), each queue at the hash of its Java toString form, and a queue
 * belongs to the first consumer point at or after it (wrapping). The hash is RocketMQ's MD5Hash:
 * the first 4 digest bytes as an unsigned big-endian number. Adding or removing one consumer moves
 * only the queues next to its points.
 */
import { createHash } from 'node:crypto';
import { clientOptionError } from '../../client-config';
import type { MessageQueue } from '../../message-queue';
import { checkAllocateArgs, type AllocateStrategy } from './allocate-strategy';

export const DEFAULT_VIRTUAL_NODES = 10;

export function ringHash(key: string): number {
  return createHash('md5').update(key, 'utf8').digest().readUInt32BE(0);
}

/** MessageQueue.toString() in Java, the key a queue is hashed by. */
export function javaQueueString(mq: MessageQueue): string {
  return `MessageQueue [topic=${mq.topic}, brokerName=${mq.brokerName}, queueId=${mq.queueId}]`;
}

interface RingPoint {
  readonly hash: number;
  readonly clientId: string;
}

/** Builds the strategy with `virtualNodes` points per consumer (Java default 10). */
export function consistentHashStrategy(virtualNodes = DEFAULT_VIRTUAL_NODES): AllocateStrategy {
  if (!Number.isSafeInteger(virtualNodes) || virtualNodes <= 0) {
    throw clientOptionError(`virtualNodes must be a positive integer, got ${JSON.stringify(virtualNodes)}`);
  }
  return (consumerGroup, currentClientId, queues, clientIds) => {
    const index = checkAllocateArgs(consumerGroup, currentClientId, queues, clientIds);
    if (index < 0) return [];
    const ring = buildRing(clientIds, virtualNodes);
    const result: MessageQueue[] = [];
    for (const mq of queues) if (ownerOf(ring, ringHash(javaQueueString(mq))) === currentClientId) result.push(mq);
    return result;
  };
}

export const allocateConsistentHash: AllocateStrategy = consistentHashStrategy();

function buildRing(clientIds: readonly string[], virtualNodes: number): RingPoint[] {
  // A later point with an equal hash replaces the earlier one, as a TreeMap put does.
  const byHash = new Map<number, string>();
  for (const clientId of clientIds) {
    for (let i = 0; i < virtualNodes; i++) byHash.set(ringHash(`${clientId}-${i}`), clientId);
  }
  return [...byHash].map(([hash, clientId]) => ({ hash, clientId })).sort((a, b) => a.hash - b.hash);
}

function ownerOf(ring: readonly RingPoint[], hash: number): string {
  let lo = 0;
  let hi = ring.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ring[mid]!.hash < hash) lo = mid + 1;
    else hi = mid;
  }
  return ring[lo === ring.length ? 0 : lo]!.clientId;
}
