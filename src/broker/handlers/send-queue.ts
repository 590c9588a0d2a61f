/**
 * The broker's send queue (RocketMQ's send thread pool queue and its cleanExpiredRequest). At most
 * `maxActive` sends are being stored at once; the rest wait here in arrival order. A send that has
 * waited longer than `maxWaitMs` is answered SYSTEM_BUSY instead of being stored late (its
 * producer would rather retry elsewhere than time out), and past `capacity` waiting sends a new one
 * is answered SYSTEM_BUSY at once. Waiting only happens when the store falls behind (a slow disk
 * under SYNC_FLUSH); otherwise a send goes straight through at the cost of a counter.
 */
import type { Clock, TimerHandle } from '../../common/clock';
import { createResponse, type RemotingCommand } from '../../protocol/remoting-command';
import { ResponseCode } from '../../protocol/response-code';

export interface SendQueueOptions {
  readonly clock: Clock;
  /** Sends being stored at once. */
  readonly maxActive: number;
  /** Sends allowed to wait (sendThreadPoolQueueCapacity). */
  readonly capacity: number;
  /** Longest wait before SYSTEM_BUSY (waitTimeMillsInSendQueue). */
  readonly maxWaitMs: number;
}

interface Waiting {
  readonly enqueuedAt: number;
  readonly start: () => void;
  readonly refuse: (response: RemotingCommand) => void;
}

/** How often waiting sends are checked for expiry while any wait (RocketMQ: every 10 ms). */
const EXPIRY_SCAN_MS = 10;

export class SendQueue {
  readonly #o: SendQueueOptions;
  readonly #waiting: Waiting[] = [];
  #head = 0;
  #active = 0;
  #timer: TimerHandle | null = null;

  constructor(options: SendQueueOptions) {
    this.#o = options;
  }

  get active(): number {
    return this.#active;
  }

  get waiting(): number {
    return this.#waiting.length - this.#head;
  }

  /**
   * Takes a slot at once if one is free (the caller then calls leave() when its send is done), or
   * returns false: the send goes through run() and waits in line.
   */
  tryEnter(): boolean {
    if (this.#active >= this.#o.maxActive) return false;
    this.#active++;
    return true;
  }

  /** Gives back a slot taken with tryEnter(). */
  leave(): void {
    this.#release();
  }

  /** Runs `send` now or once a slot frees up; answers SYSTEM_BUSY instead when the queue is full or the wait too long. */
  run(send: () => RemotingCommand | Promise<RemotingCommand>): Promise<RemotingCommand> {
    if (this.#active < this.#o.maxActive) return this.#start(send);
    if (this.waiting >= this.#o.capacity) {
      return Promise.resolve(busy(`[REJECTREQUEST]system busy, start flow control for a while, size of queue: ${this.waiting}`));
    }
    return new Promise<RemotingCommand>((resolve, reject) => {
      this.#waiting.push({
        enqueuedAt: this.#o.clock.now(),
        start: () => this.#start(send).then(resolve, reject),
        refuse: resolve,
      });
      this.#armExpiryScan();
    });
  }

  #start(send: () => RemotingCommand | Promise<RemotingCommand>): Promise<RemotingCommand> {
    this.#active++;
    let result: Promise<RemotingCommand>;
    try {
      result = Promise.resolve(send());
    } catch (err) {
      result = Promise.reject(err);
    }
    // then() rather than finally(): finally() costs two more promises and closures per send.
    return result.then(
      (response) => {
        this.#release();
        return response;
      },
      (err: unknown) => {
        this.#release();
        throw err;
      },
    );
  }

  #release(): void {
    this.#active--;
    if (this.waiting > 0) this.#startNext(); // nothing waits on the usual path: no clock read
  }

  #startNext(): void {
    this.#expire();
    if (this.#active >= this.#o.maxActive || this.waiting === 0) return;
    const next = this.#shift();
    next.start();
  }

  /** Refuses every send that has waited too long; they are at the head (arrival order). */
  #expire(): void {
    const now = this.#o.clock.now();
    while (this.waiting > 0) {
      const head = this.#waiting[this.#head] as Waiting;
      const waited = now - head.enqueuedAt;
      if (waited <= this.#o.maxWaitMs) break;
      this.#shift();
      head.refuse(busy(`[TIMEOUT_CLEAN_QUEUE]broker busy, start flow control for a while, period in queue: ${waited}ms, size of queue: ${this.waiting}`));
    }
  }

  #shift(): Waiting {
    const next = this.#waiting[this.#head] as Waiting;
    this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#waiting.length) {
      this.#waiting.splice(0, this.#head);
      this.#head = 0;
    }
    return next;
  }

  #armExpiryScan(): void {
    if (this.#timer !== null) return;
    this.#timer = this.#o.clock.setTimer(() => {
      this.#timer = null;
      this.#expire();
      if (this.waiting > 0) this.#armExpiryScan();
    }, EXPIRY_SCAN_MS);
  }
}

function busy(remark: string): RemotingCommand {
  return createResponse(ResponseCode.SYSTEM_BUSY, remark);
}
