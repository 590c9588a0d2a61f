/**
 * Re-putting due messages (delay levels and timers, built by timer/parked-record.ts) into their real
 * topics in batches through the store's putMessages (one native crossing per event turn however many).
 */
import type { Logger } from '../../common/logger';
import { MessageConst } from '../../message/message-const';
import type { MessageExt, MessageToStore } from '../../message/message-types';
import type { MessageStore } from '../../store/message-store';
import { isStored } from '../../store/store-status';

/** Messages per putMessages call: large enough to amortise, small enough to keep turns short. */
export const REPUT_CHUNK = 2048;

export interface Destination {
  readonly topic: string;
  readonly queueId: number;
}

/** REAL_TOPIC / REAL_QID of a parked message, or undefined when they are unusable. */
export function realDestination(message: MessageExt): Destination | undefined {
  const topic = message.properties[MessageConst.REAL_TOPIC];
  const queueId = Number(message.properties[MessageConst.REAL_QID]);
  if (topic === undefined || topic === '' || !Number.isInteger(queueId) || queueId < 0) return undefined;
  return { topic, queueId };
}

/**
 * Appends `messages` in order, REPUT_CHUNK at a time; resolves with how many were stored (a prefix:
 * it stops at the first chunk the store refuses, logging why).
 */
export async function reputAll(store: MessageStore, messages: readonly MessageToStore[], logger: Logger, what: string): Promise<number> {
  let stored = 0;
  while (stored < messages.length) {
    const chunk = messages.slice(stored, stored + REPUT_CHUNK);
    const results = await store.putMessages(chunk);
    const first = results[0];
    if (first === undefined || !isStored(first.status)) {
      logger.warn(`re-putting ${chunk.length} ${what} failed: ${first?.status ?? 'no result'} ${first?.remark ?? ''}`);
      return stored;
    }
    stored += chunk.length;
  }
  return stored;
}
