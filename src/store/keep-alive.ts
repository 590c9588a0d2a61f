/**
 * Keeps the Node event loop alive while someone waits on a native notification. The addon's
 * thread-safe functions never hold the loop open (an idle broker must be able to exit), so a
 * pending SYNC_FLUSH put or whenDispatched() promise would otherwise let the process exit with
 * the promise unsettled. One ref'd timer exists only while the count is above zero.
 */
/** Something held while a wait is in progress: hold() when it starts, release() once when it ends. */
export interface Hold {
  hold(): void;
  release(): void;
}

/** One hold that takes and releases both. */
export function holdBoth(first: Hold, second: Hold): Hold {
  return {
    hold() {
      first.hold();
      second.hold();
    },
    release() {
      first.release();
      second.release();
    },
  };
}

export class KeepAlive implements Hold {
  #holders = 0;
  #handle: NodeJS.Timeout | undefined;

  hold(): void {
    if (this.#holders++ === 0) this.#handle = setInterval(() => undefined, 1 << 30);
  }

  release(): void {
    if (this.#holders === 0) return;
    if (--this.#holders === 0) {
      clearInterval(this.#handle);
      this.#handle = undefined;
    }
  }

  get holders(): number {
    return this.#holders;
  }
}
