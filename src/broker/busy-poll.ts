/**
 * The broker's busy polling (serverBusyPollMicros): after it answers a client, its event loop keeps
 * polling the sockets for a short window instead of going to sleep. On virtual machines an idle CPU
 * costs tens of microseconds to wake, more than the broker spends on a request, so a synchronous
 * producer's next send, arriving a round trip later, is read by a loop that is still awake. The
 * polling is native (a libuv idle handle, native/src/busy_poll_wrap.h): no JS runs and nothing is
 * allocated per poll, and a request costs one counter increment here. An idle broker does not
 * poll: each window ends `micros` after the last activity, or as soon as other threads want the
 * CPU (docs/broker.md, "Busy polling").
 */
import { loadAddon } from '../store/native/binding';
import type { NativeBusyPoller } from '../store/native/native-types';

export class BusyPoll {
  /** [0]: activity count (bumped per activity); [1]: 1 while the native side polls; [2]: windows given way. */
  readonly #state = new Int32Array(3);
  readonly #poller: NativeBusyPoller;
  #isClosed = false;

  constructor(micros: number, addonPath?: string) {
    this.#poller = new (loadAddon(addonPath).addon.BusyPoller)(this.#state, micros);
  }

  /** Something was read or written: poll for the window from now. An arrow: handed out as a hook. */
  readonly noteActivity = (): void => {
    const state = this.#state;
    state[0] = (state[0]! + 1) | 0;
    if (state[1] === 0 && !this.#isClosed) this.#poller.start();
  };

  /** Whether the loop is polling now. */
  get isPolling(): boolean {
    return this.#state[1] === 1;
  }

  /** Windows that ended early because other threads wanted the CPU. */
  get gaveWayCount(): number {
    return this.#state[2]!;
  }

  close(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#poller.close();
  }
}
