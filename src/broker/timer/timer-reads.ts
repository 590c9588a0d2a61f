/**
 * Reading parked timer records by queue offset for delivery: the offsets wanted are sorted and read
 * in runs of neighbouring offsets, one store call per run (timers sent together sit together), and
 * each record becomes its re-put through the lean reader (parked-record.ts).
 */
import type { Logger } from '../../common/logger';
import type { MessageToStore } from '../../message/message-types';
import type { MessageStore } from '../../store/message-store';
import { forEachParked, reputOfParked } from './parked-record';
import { TIMER_TOPIC } from './timer-message';

/** Offsets this close are read as one run (the few records in between are skipped). */
const RUN_GAP = 8;
const READ_BYTES = 16 * 1024 * 1024;

/**
 * The re-puts of the timer records at `offsets`; null for one that cannot be delivered anywhere (no
 * usable REAL_TOPIC/REAL_QID, or unreadable: logged). Offsets the store no longer has are absent.
 */
export function readReputs(store: MessageStore, logger: Logger, offsets: ArrayLike<number>): Map<number, MessageToStore | null> {
  const wanted = Float64Array.from(offsets).sort();
  const out = new Map<number, MessageToStore | null>();
  let i = 0;
  while (i < wanted.length) {
    let j = i;
    while (j + 1 < wanted.length && (wanted[j + 1] as number) - (wanted[j] as number) <= RUN_GAP) j++;
    const runStart = wanted[i] as number;
    const to = (wanted[j] as number) + 1;
    // A run without gaps (the usual case: timers sent together) needs no membership test.
    const members = to - runStart === j - i + 1 ? undefined : new Set(wanted.subarray(i, j + 1));
    let from = runStart;
    while (from < to) {
      const result = store.getMessage(TIMER_TOPIC, 0, from, to - from, { maxBytes: READ_BYTES });
      const buf = result.records;
      if (result.status !== 'FOUND' || buf === null) break;
      forEachParked(buf, (queueOffset, start, end) => {
        if (queueOffset >= runStart && queueOffset < to && (members === undefined || members.has(queueOffset))) {
          out.set(queueOffset, reputOf(buf, start, end, queueOffset, logger));
        }
      });
      if (result.nextBeginOffset <= from) break;
      from = result.nextBeginOffset;
    }
    i = j + 1;
  }
  return out;
}

function reputOf(buf: Buffer, start: number, end: number, queueOffset: number, logger: Logger): MessageToStore | null {
  try {
    return reputOfParked(buf, start, end) ?? null;
  } catch (err) {
    logger.error(`timer record ${queueOffset} cannot be read`, err);
    return null;
  }
}
