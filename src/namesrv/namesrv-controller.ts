/**
 * Wires the name server: config -> KV store (loaded from disk) -> route state -> handlers on a
 * remoting server -> expiry housekeeping. start() and shutdown() are idempotent.
 */
import { systemClock, type Clock } from '../common/clock';
import { ConsoleLogger, type Logger } from '../common/logger';
import { RemotingServer } from '../remoting/remoting-server';
import type { HandlerRegistry } from '../remoting/request-handler';
import { BrokerHousekeeping } from './broker-housekeeping';
import { registerNamesrvHandlers } from './handlers/handler-table';
import { KvConfigManager } from './kv-config-manager';
import { createNamesrvConfig, type NamesrvConfig, type NamesrvConfigInput } from './namesrv-config';
import { RouteInfoManager } from './route-info-manager';

/** The remoting server surface the name server needs. */
export interface NamesrvServer extends HandlerRegistry {
  start(): Promise<void> | void;
  shutdown(): Promise<void> | void;
  /** The bound port (the real one when listenPort was 0), valid after start(). */
  readonly port: number;
}

export interface NamesrvServerOptions {
  readonly host: string;
  readonly port: number;
  readonly logger: Logger;
  readonly clock: Clock;
}

export interface NamesrvControllerOptions {
  readonly config: NamesrvConfigInput | NamesrvConfig;
  /** Builds the remoting server; default a RemotingServer on config.listenHost:listenPort. */
  readonly createServer?: (options: NamesrvServerOptions) => NamesrvServer;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

export class NamesrvController {
  readonly config: NamesrvConfig;
  readonly routes: RouteInfoManager;
  readonly kv: KvConfigManager;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #createServer: (options: NamesrvServerOptions) => NamesrvServer;
  readonly #housekeeping: BrokerHousekeeping;
  #server: NamesrvServer | undefined;
  #state: 'new' | 'starting' | 'started' | 'stopped' = 'new';

  constructor(options: NamesrvControllerOptions) {
    this.config = createNamesrvConfig(options.config);
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? new ConsoleLogger('namesrv');
    this.#createServer = options.createServer ?? ((o) => new RemotingServer(o));
    this.routes = new RouteInfoManager({ clock: this.#clock, brokerExpiryMs: this.config.brokerChannelExpiredMs });
    this.kv = new KvConfigManager(this.config.kvConfigPath);
    this.#housekeeping = new BrokerHousekeeping(this.routes, this.#clock, this.config.scanNotActiveBrokerIntervalMs, this.#logger);
  }

  /** The listening port, once started. */
  get port(): number {
    if (this.#server === undefined || this.#state !== 'started') throw new Error('name server is not started');
    return this.#server.port;
  }

  get housekeeping(): BrokerHousekeeping {
    return this.#housekeeping;
  }

  async start(): Promise<void> {
    if (this.#state !== 'new') return;
    this.#state = 'starting';
    this.kv.load();
    const server = this.#createServer({
      host: this.config.listenHost, port: this.config.listenPort, logger: this.#logger, clock: this.#clock,
    });
    registerNamesrvHandlers(server, { config: this.config, routes: this.routes, kv: this.kv, logger: this.#logger });
    server.onConnectionClose((connection) => this.#housekeeping.onConnectionClosed(connection));
    this.#server = server;
    try {
      await server.start();
    } catch (err) {
      this.#state = 'stopped';
      throw err;
    }
    this.#housekeeping.start();
    this.#state = 'started';
    this.#logger.info(`name server listening on ${this.config.listenHost}:${server.port}`);
  }

  async shutdown(): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'new') {
      this.#state = 'stopped';
      return;
    }
    this.#state = 'stopped';
    this.#housekeeping.shutdown();
    await this.#server?.shutdown();
  }
}
