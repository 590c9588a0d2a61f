/**
 * Keeps this broker known to every name server: REGISTER_BROKER at start, every
 * registerNameServerPeriod (30 s) and whenever a topic is created or changed; UNREGISTER_BROKER at
 * shutdown. The body is the plain RegisterBrokerBody JSON
 * ({"filterServerList":[],"topicConfigSerializeWrapper":{"dataVersion":..,"topicConfigTable":..}})
 * with its CRC32 in the header. One name server failing never stops the others.
 */
import type { Clock, TimerHandle } from '../../common/clock';
import type { Logger } from '../../common/logger';
import { crc32 } from '../../message/crc32';
import { createRequest } from '../../protocol/remoting-command';
import { RequestCode } from '../../protocol/request-code';
import { ResponseCode } from '../../protocol/response-code';
import type { RemotingClient } from '../../remoting/remoting-client';
import type { BrokerConfig } from '../broker-config';
import type { TopicConfigManager } from '../topic/topic-config-manager';

const REGISTER_TIMEOUT_MS = 6000;

export interface RegistrationOutcome {
  readonly namesrvAddr: string;
  readonly isOk: boolean;
  readonly error?: string;
}

export class NamesrvRegistrar {
  readonly #config: BrokerConfig;
  readonly #topics: TopicConfigManager;
  readonly #client: RemotingClient;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #brokerAddr: string;
  #timer: TimerHandle | null = null;
  #unsubscribe: (() => void) | null = null;
  #isStopped = false;
  #inFlight: Promise<unknown> | null = null;
  #hasPendingChange = false;

  constructor(config: BrokerConfig, topics: TopicConfigManager, client: RemotingClient, brokerAddr: string, clock: Clock, logger: Logger) {
    this.#config = config;
    this.#topics = topics;
    this.#client = client;
    this.#brokerAddr = brokerAddr;
    this.#clock = clock;
    this.#logger = logger;
  }

  /** Registers once (awaited) and then periodically. */
  async start(): Promise<RegistrationOutcome[]> {
    this.#unsubscribe = this.#topics.onChange(() => this.#registerSoon());
    const outcomes = await this.registerAll();
    this.#schedule();
    return outcomes;
  }

  async registerAll(): Promise<RegistrationOutcome[]> {
    if (this.#isStopped) return [];
    const body = Buffer.from(JSON.stringify({
      filterServerList: [],
      topicConfigSerializeWrapper: this.#topics.serializeWrapper(),
    }), 'utf8');
    const header = {
      brokerAddr: this.#brokerAddr,
      brokerId: String(this.#config.brokerId),
      brokerName: this.#config.brokerName,
      clusterName: this.#config.brokerClusterName,
      haServerAddr: '',
      compressed: 'false',
      bodyCrc32: String(crc32(body) & 0x7fffffff),
      heartbeatTimeoutMillis: String(this.#config.channelExpiredTimeoutMs),
    };
    return Promise.all(this.#config.namesrvAddrs.map(async (addr): Promise<RegistrationOutcome> => {
      try {
        const response = await this.#client.invokeSync(addr, createRequest(RequestCode.REGISTER_BROKER, { ...header }, body), REGISTER_TIMEOUT_MS);
        if (response.code !== ResponseCode.SUCCESS) throw new Error(`code ${response.code}: ${response.remark ?? ''}`);
        return { namesrvAddr: addr, isOk: true };
      } catch (err) {
        this.#logger.warn(`register broker to name server ${addr} failed: ${(err as Error).message}`);
        return { namesrvAddr: addr, isOk: false, error: (err as Error).message };
      }
    }));
  }

  /** Stops the timer and unregisters from every name server (best effort). Idempotent. */
  async shutdown(): Promise<void> {
    if (this.#isStopped) return;
    this.#isStopped = true;
    this.#timer?.cancel();
    this.#unsubscribe?.();
    // A registration still on the wire must not land after the unregistration.
    await this.#inFlight;
    const header = {
      brokerAddr: this.#brokerAddr,
      brokerId: String(this.#config.brokerId),
      brokerName: this.#config.brokerName,
      clusterName: this.#config.brokerClusterName,
    };
    await Promise.all(this.#config.namesrvAddrs.map(async (addr) => {
      try {
        await this.#client.invokeSync(addr, createRequest(RequestCode.UNREGISTER_BROKER, { ...header }), REGISTER_TIMEOUT_MS);
      } catch (err) {
        this.#logger.warn(`unregister broker from name server ${addr} failed: ${(err as Error).message}`);
      }
    }));
  }

  /**
   * Topic changes come in bursts (auto-creation, a group's first heartbeat): one registration runs
   * at a time and the changes made meanwhile are sent by a single follow-up.
   */
  #registerSoon(): void {
    if (this.#inFlight !== null) {
      this.#hasPendingChange = true;
      return;
    }
    this.#inFlight = this.registerAll().finally(() => {
      this.#inFlight = null;
      if (this.#hasPendingChange) {
        this.#hasPendingChange = false;
        this.#registerSoon();
      }
    });
  }

  #schedule(): void {
    this.#timer = this.#clock.setTimer(() => {
      if (this.#isStopped) return;
      void this.registerAll().finally(() => {
        if (!this.#isStopped) this.#schedule();
      });
    }, this.#config.registerNameServerPeriod);
  }
}
