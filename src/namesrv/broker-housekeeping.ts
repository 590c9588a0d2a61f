/**
 * Drops brokers that stopped registering (RouteInfoManager.scanNotActiveBroker on a fixed period)
 * and closes their connections, as Java's name server does. Time comes from the injected Clock, so
 * tests advance a ManualClock instead of sleeping.
 */
import type { Clock, TimerHandle } from '../common/clock';
import type { Logger } from '../common/logger';
import type { RemotingConnection } from '../remoting/request-handler';
import type { RouteInfoManager } from './route-info-manager';

export class BrokerHousekeeping {
  readonly #routes: RouteInfoManager;
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #logger: Logger;
  #timer: TimerHandle | undefined;
  #running = false;

  constructor(routes: RouteInfoManager, clock: Clock, intervalMs: number, logger: Logger) {
    this.#routes = routes;
    this.#clock = clock;
    this.#intervalMs = intervalMs;
    this.#logger = logger;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule();
  }

  shutdown(): void {
    this.#running = false;
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  /** One scan now; returns how many brokers were dropped. */
  scanOnce(): number {
    const dropped = this.#routes.scanNotActiveBrokers();
    for (const { target, channel } of dropped) {
      this.#logger.warn(`broker ${target.brokerName}[${target.brokerId}] ${target.brokerAddr} expired, removed`);
      if (isConnection(channel)) channel.close();
    }
    return dropped.length;
  }

  /** A connection closed: drop at once every broker that registered on it. */
  onConnectionClosed(connection: RemotingConnection): void {
    for (const target of this.#routes.onChannelClosed(connection)) {
      this.#logger.info(`broker ${target.brokerName}[${target.brokerId}] ${target.brokerAddr} connection closed, removed`);
    }
  }

  #schedule(): void {
    this.#timer = this.#clock.setTimer(() => {
      if (!this.#running) return;
      try {
        this.scanOnce();
      } catch (err) {
        // A scan failure must not stop future scans; it is logged and the next period retries.
        this.#logger.error('broker expiry scan failed', err);
      }
      this.#schedule();
    }, this.#intervalMs);
  }
}

function isConnection(channel: unknown): channel is RemotingConnection {
  return typeof channel === 'object' && channel !== null && typeof (channel as { close?: unknown }).close === 'function';
}
