/**
 * The broker's busy polling (serverBusyPollMicros): after it answers a client, its event loop keeps
 * polling the sockets for a short window instead of going to sleep. On virtual machines an idle CPU
 * costs tens of microseconds to wake, more than the broker spends on a request, so a synchronous
 * producer's next send, arriving a round trip later, is read by a loop that is still awake. The
 * polling is native (a libuv idle handle, native/src/busy_poll_wrap.h): no JS runs and nothing is
 * allocated per poll, and a request costs one counter increment here. An idle broker does not
 * poll: each window ends `micros` after the last activity, or as soon as other threads want the
 * CPU; polling rests for a while when its windows keep ending without a request, as they do under
 * traffic paced by the clients' own timers; and it does not poll while the machine's CPUs are mostly
 * busy (docs/broker.md, "Busy polling").
 */
import { loadAddon } from '../store/native/binding';
import type { Hold } from '../store/keep-alive';
import type { NativeBusyPoller } from '../store/native/native-types';

export class BusyPoll {
  /**
   * [0]: activity count (bumped per activity); [1]: 1 while the native side polls; [2]: windows
   * given way; [3]: read count; [4]: rests taken; [5]: windows refused or ended on a busy machine;
   * [6]: answers owed.
   */
  readonly #state = new Int32Array(7);
  readonly #poller: NativeBusyPoller;
  #isClosed = false;

  /** restMicros: how long polling pauses after its windows kept missing (the native default: 50 ms). */
  constructor(micros: number, restMicros?: number, addonPath?: string) {
    this.#poller = new (loadAddon(addonPath).addon.BusyPoller)(this.#state, micros, restMicros);
  }

  /** Something was read or written: poll for the window from now. An arrow: handed out as a hook. */
  readonly noteActivity = (kind: 'read' | 'write'): void => {
    const state = this.#state;
    state[0] = (state[0]! + 1) | 0;
    if (kind === 'read') state[3] = (state[3]! + 1) | 0;
    if (state[1] === 0 && !this.#isClosed) this.#poller.start();
  };

  /**
   * Held while the broker owes a client an answer that waits on another thread (a SYNC_FLUSH put
   * waiting for its fdatasync, 100-250 µs on a VM's disk, longer than a window): an open window
   * does not expire meanwhile (up to 1 ms after the last activity), so the answer is written by a
   * loop still awake instead of one that has to be woken for it.
   */
  readonly answerOwed: Hold = {
    hold: () => {
      this.#state[6] = (this.#state[6]! + 1) | 0;
    },
    release: () => {
      this.#state[6] = (this.#state[6]! - 1) | 0;
    },
  };

  /** Answers owed now (holds not yet released). */
  get owedCount(): number {
    return this.#state[6]!;
  }

  /** Whether the loop is polling now. */
  get isPolling(): boolean {
    return this.#state[1] === 1;
  }

  /** Windows that ended early because other threads wanted the CPU. */
  get gaveWayCount(): number {
    return this.#state[2]!;
  }

  /** Rests taken: times polling paused because its windows kept expiring without a request. */
  get restCount(): number {
    return this.#state[4]!;
  }

  /** Windows refused or ended because the machine's CPUs were mostly busy (other than with our idle polling). */
  get busyMachineCount(): number {
    return this.#state[5]!;
  }

  close(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#poller.close();
  }
}
