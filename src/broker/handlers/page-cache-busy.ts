/**
 * SYSTEM_BUSY while an append has held the store's lock too long (RocketMQ's isOSPageCacheBusy,
 * osPageCacheBusyTimeOutMills): the page cache is thrashing and more sends would only queue behind
 * it. The store's lock start time is read at most once per clock millisecond, so a hot send path
 * pays one native call per millisecond, not one per message.
 */
import type { Clock } from '../../common/clock';
import { createResponse, type RemotingCommand } from '../../protocol/remoting-command';
import { ResponseCode } from '../../protocol/response-code';

export class PageCacheBusyProbe {
  readonly #clock: Clock;
  /** When the append in progress took the lock (ms), or 0 when none holds it. */
  readonly #beginTimeInLock: () => number;
  readonly #timeoutMs: number;
  #checkedAt = -1;
  #isBusy = false;

  constructor(clock: Clock, beginTimeInLock: () => number, timeoutMs: number) {
    this.#clock = clock;
    this.#beginTimeInLock = beginTimeInLock;
    this.#timeoutMs = timeoutMs;
  }

  /** The SYSTEM_BUSY answer while the lock is held too long, else undefined. */
  check(): RemotingCommand | undefined {
    const now = this.#clock.now();
    if (now !== this.#checkedAt) {
      this.#checkedAt = now;
      const begin = this.#beginTimeInLock();
      this.#isBusy = begin !== 0 && now - begin > this.#timeoutMs;
    }
    if (!this.#isBusy) return undefined;
    return createResponse(ResponseCode.SYSTEM_BUSY, '[PC_SYNCHRONIZED]broker busy, start flow control for a while');
  }
}
