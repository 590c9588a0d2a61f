/**
 * What the consumers need from the shared ClientInstance (src/client/client-instance.ts), in the
 * shapes they use: readable queues of a topic, invokes by broker name (to the master), heartbeats
 * carrying this consumer's group, and the broker's NOTIFY_CONSUMER_IDS_CHANGED. The instance is
 * shared with every client of the same client id in this process (client-manager.ts); by default
 * each consumer has its own id.
 */
import type { Logger } from '../../common/logger';
import type { RemotingCommand } from '../../protocol/remoting-command';
import { createClientConfig } from '../client-config';
import type { ClientInstance, ConsumerHeartbeatData } from '../client-instance';
import { acquireClientInstance, type ClientInstanceLease } from '../client-manager';
import type { MessageQueue } from '../message-queue';

export interface TopicRoute {
  /** Readable queues, sorted by broker name then queue id. */
  readonly queues: readonly MessageQueue[];
}

export interface ConsumerClientOptions {
  readonly namesrvAddr: string;
  /** Second half of the client id; default unique per consumer. */
  readonly instanceName?: string | undefined;
  readonly unitName?: string | undefined;
  readonly heartbeatIntervalMs?: number | undefined;
  readonly logger: Logger;
}

export class ConsumerClient {
  readonly #lease: ClientInstanceLease;
  readonly #instance: ClientInstance;
  readonly #idsChangedListeners: Array<(group: string) => void> = [];
  #runningInfo: (() => unknown) | undefined;
  #group: string | undefined;

  constructor(options: ConsumerClientOptions) {
    this.#lease = acquireClientInstance(createClientConfig({
      namesrvAddr: options.namesrvAddr,
      logger: options.logger,
      ...(options.instanceName === undefined ? {} : { instanceName: options.instanceName }),
      ...(options.unitName === undefined ? {} : { unitName: options.unitName }),
      ...(options.heartbeatIntervalMs === undefined ? {} : { heartbeatIntervalMs: options.heartbeatIntervalMs }),
    }));
    this.#instance = this.#lease.instance;
  }

  get clientId(): string {
    return this.#instance.clientId;
  }

  /** Starts the instance's route-refresh and heartbeat timers. */
  start(): Promise<void> {
    return this.#instance.start();
  }

  /** Puts `group` in every heartbeat; `info` is read at each one. */
  registerConsumer(group: string, info: () => ConsumerHeartbeatData): void {
    this.#instance.registerConsumer(group, info, {
      idsChanged: () => {
        for (const listener of this.#idsChangedListeners) listener(group);
      },
      runningInfo: () => this.#runningInfo?.(),
    });
    this.#group = group;
  }

  /** What GET_CONSUMER_RUNNING_INFO answers for this consumer (a ConsumerRunningInfo bean). */
  onRunningInfo(provider: () => unknown): void {
    this.#runningInfo = provider;
  }

  /** Heartbeats every known broker now (failures are logged by the instance). */
  async heartbeat(): Promise<void> {
    await this.#instance.sendHeartbeatToAllBrokers();
  }

  onConsumerIdsChanged(listener: (group: string) => void): void {
    this.#idsChangedListeners.push(listener);
  }

  /** Fetches the route of `topic` from the name servers (ERR_TOPIC_NOT_EXIST when none). */
  async refreshRoute(topic: string): Promise<TopicRoute> {
    const info = await this.#instance.topicRoute(topic, { refresh: true });
    return { queues: info.subscribeQueues };
  }

  cachedRoute(topic: string): TopicRoute | undefined {
    const info = this.#instance.cachedTopicRoute(topic);
    return info === undefined ? undefined : { queues: info.subscribeQueues };
  }

  /** Called with the address whenever a connection of the (shared) instance closes; returns the unsubscribe. */
  onConnectionClose(listener: (address: string) => void): () => void {
    return this.#instance.onConnectionClose(listener);
  }

  /** The master address of `brokerName`, when the routes know it. */
  masterAddress(brokerName: string): string | undefined {
    return this.#instance.findBrokerAddress(brokerName, 0, true)?.address;
  }

  /** A request to the master of `brokerName`. */
  invoke(brokerName: string, request: RemotingCommand, timeoutMs?: number): Promise<RemotingCommand> {
    const found = this.#instance.findBrokerAddress(brokerName, 0, true);
    if (found === undefined) return Promise.reject(new Error(`no known master address for broker ${brokerName}`));
    return timeoutMs === undefined ? this.#instance.invoke(found.address, request) : this.#instance.invoke(found.address, request, timeoutMs);
  }

  /** UNREGISTER_CLIENT for `group` on every broker (best effort). */
  unregister(group: string): Promise<void> {
    return this.#instance.unregisterConsumer(group);
  }

  /**
   * Unregisters this consumer's group if still registered and leaves the shared instance; the last
   * user's leaving stops its timers and closes its connections (failing held long polls).
   */
  async shutdown(): Promise<void> {
    if (this.#group !== undefined && this.#instance.hasConsumer(this.#group)) await this.#instance.unregisterConsumer(this.#group);
    await this.#lease.release();
  }
}
