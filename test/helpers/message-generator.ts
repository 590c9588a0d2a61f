/**
 * Deterministic test messages: every field of message `id` is derived from the id alone, so a
 * parent process that was only told "id N was acknowledged" can check the stored record in full.
 * The id itself travels in the `genId` property.
 */
import type { MessageExt, MessageToStore } from '../../src/message';
import { SeededRandom } from './seeded-random';

export const GENERATED_TOPICS = ['CometCrashA', 'CometCrashB', 'CometCrashC'] as const;
export const QUEUES_PER_TOPIC = 4;
const MAX_BODY = 1200;

export function topicOf(id: number): string {
  return GENERATED_TOPICS[id % GENERATED_TOPICS.length] as string;
}

export function queueIdOf(id: number): number {
  return Math.floor(id / GENERATED_TOPICS.length) % QUEUES_PER_TOPIC;
}

export function bodyOf(id: number): Buffer {
  const rnd = new SeededRandom(id * 2654435761);
  return rnd.fill(Buffer.alloc(rnd.int(1, MAX_BODY)));
}

export function propertiesOf(id: number): Record<string, string> {
  return {
    TAGS: `tag${id % 5}`,
    KEYS: `key-${id} group-${id % 7}`,
    UNIQ_KEY: id.toString(16).toUpperCase().padStart(32, '0'),
    genId: String(id),
  };
}

/** Every fifth message comes from an IPv6 host (a wider record layout); written in RFC 5952 form. */
function bornAddressOf(id: number): string {
  if (id % 5 === 4) return `fd00::${((id & 0xfff) + 1).toString(16)}`;
  return `10.0.${(id >> 8) & 0xff}.${id & 0xff}`;
}

export function generateMessage(id: number): MessageToStore {
  return {
    topic: topicOf(id),
    queueId: queueIdOf(id),
    body: bodyOf(id),
    flag: id % 1000,
    properties: propertiesOf(id),
    bornTimestamp: 1_700_000_000_000 + id,
    bornHost: { address: bornAddressOf(id), port: 1024 + (id % 50_000) },
    reconsumeTimes: id % 3,
  };
}

/** The generator id carried by a stored record, or undefined if it is not a generated message. */
export function generatedIdOf(message: MessageExt): number | undefined {
  const raw = message.properties['genId'];
  if (raw === undefined || !/^\d+$/.test(raw)) return undefined;
  return Number(raw);
}

/** Lists every way `stored` differs from generated message `id` (empty when it is intact). */
export function mismatchesOf(stored: MessageExt, id: number): string[] {
  const want = generateMessage(id);
  const problems: string[] = [];
  const check = (field: string, actual: unknown, expected: unknown): void => {
    if (actual !== expected) problems.push(`${field}: got ${String(actual)}, want ${String(expected)}`);
  };
  check('topic', stored.topic, want.topic);
  check('queueId', stored.queueId, want.queueId);
  check('flag', stored.flag, want.flag);
  check('bornTimestamp', stored.bornTimestamp, want.bornTimestamp);
  check('bornHost.address', stored.bornHost.address, want.bornHost?.address);
  check('bornHost.port', stored.bornHost.port, want.bornHost?.port);
  check('reconsumeTimes', stored.reconsumeTimes, want.reconsumeTimes);
  if (!stored.body.equals(want.body)) problems.push(`body differs (${stored.body.length} vs ${want.body.length} bytes)`);
  for (const [key, value] of Object.entries(want.properties ?? {})) {
    check(`properties.${key}`, stored.properties[key], value);
  }
  return problems;
}
