/**
 * Helpers of the ordered-message process tests: orderly PushConsumer children, a producer that
 * streams the steps of many orders through the hash selector, and the per-order sequence check
 * (re-deliveries at a hand-over are allowed only as in-order replays).
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Producer, selectQueueByHash } from '../../src/client/producer/producer';
import { pollUntil } from '../interop/cometmq-processes';
import { EventChild, WAIT_MS } from './e2e-processes';

const CHILD = path.join(__dirname, 'children', 'ordered-consumer-child.js');

export interface Consumed {
  readonly id: string;
  readonly order: string;
  readonly step: number;
  readonly queueId: number;
  readonly queueOffset: number;
  readonly t: number;
  readonly by: string;
}

export class OrderedConsumerChild extends EventChild<Record<string, unknown>> {
  constructor(readonly name: string, config: { namesrvAddr: string; topic: string; group: string; delayMs?: number }) {
    super(CHILD, { ...config, instanceName: name });
  }

  consumed(): Consumed[] {
    return this.events().filter((e) => e['event'] === 'consumed').map((e) => {
      const id = String(e['id']);
      const [order, step] = id.split(':');
      return { id, order: order!, step: Number(step), queueId: Number(e['queueId']), queueOffset: Number(e['queueOffset']), t: Number(e['t']), by: this.name };
    });
  }

  /** Waits for "ready"; resolves with when the child called start() (wall clock ms). */
  async ready(): Promise<number> {
    await pollUntil(`${this.name} ready`, () => this.events().some((e) => e['event'] === 'ready'), WAIT_MS, () => this.output());
    return Number(this.events().find((e) => e['event'] === 'starting')!['t']);
  }
}

/** Sends step 0, 1, 2... of every order in rounds, paced by `pauseMs` between rounds, until stopped. */
export class OrderStream {
  readonly sent = new Map<string, number>();
  #isStopped = false;
  #loop: Promise<void> | undefined;
  #failures = 0;

  constructor(private readonly producer: Producer, private readonly topic: string, private readonly orders: readonly string[], private readonly pauseMs: number) {}

  start(): void {
    this.#loop = (async () => {
      for (let step = 0; !this.#isStopped; step++) {
        for (const order of this.orders) {
          // A step is only counted once acknowledged; a failed send is tried again (the order must not skip a step).
          for (;;) {
            try {
              await this.producer.send({ topic: this.topic, body: `${order}:${step}` }, { selector: selectQueueByHash, selectorArg: order });
              break;
            } catch (err) {
              if (++this.#failures > 200) throw err;
              await delay(100);
            }
          }
          this.sent.set(order, step + 1);
        }
        await delay(this.pauseMs);
      }
    })();
  }

  /** Stops after the round under way; resolves with the total sent. */
  async stop(): Promise<number> {
    this.#isStopped = true;
    await this.#loop;
    return [...this.sent.values()].reduce((a, b) => a + b, 0);
  }
}

export interface SequenceReport {
  readonly duplicates: number;
}

/**
 * Merges what every consumer saw by time and checks each order: the first sightings are steps
 * 0..sent-1 in order, and every re-delivery is an in-order replay (a run of consecutive steps
 * starting at or below the highest seen), so a duplicate never breaks the order.
 */
export function checkOrders(all: readonly Consumed[], sent: ReadonlyMap<string, number>): SequenceReport {
  const byTime = [...all].sort((a, b) => a.t - b.t);
  let duplicates = 0;
  for (const [order, count] of sent) {
    const steps = byTime.filter((c) => c.order === order).map((c) => c.step);
    let highest = -1;
    let previous = -1;
    const firsts: number[] = [];
    for (const step of steps) {
      if (step > highest) {
        assert.equal(step, highest + 1, `${order} skipped from ${highest} to ${step}: ${steps.join(',')}`);
        firsts.push(step);
        highest = step;
      } else {
        duplicates++;
        // A replay restarts somewhere at or below the highest and then climbs one step at a time.
        assert.ok(step === previous + 1 || step <= previous, `${order} replayed out of order: ${steps.join(',')}`);
      }
      previous = step;
    }
    assert.equal(firsts.length, count, `${order}: every sent step consumed`);
  }
  return { duplicates };
}
