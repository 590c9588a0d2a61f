/**
 * What the consumers need from the shared ClientInstance (src/client/client-instance.ts), in the
 * shapes they use: readable queues of a topic, invokes by broker name (to the master), heartbeats
 * carrying this consumer's group, and the broker's NOTIFY_CONSUMER_IDS_CHANGED. Each consumer owns
 * one instance (so one client id per consumer).
 */
import type { Logger } from '../../common';
import { RequestCode, type RemotingCommand } from '../../protocol';
import { ClientInstance, type ConsumerHeartbeatData } from '../client-instance';
import type { MessageQueue } from '../message-queue';

export interface TopicRoute {
  /** Readable queues, sorted by broker name then queue id. */
  readonly queues: readonly MessageQueue[];
}

export interface ConsumerClientOptions {
  readonly namesrvAddr: string;
  /** Second half of the client id; default unique per consumer. */
  readonly instanceName?: string | undefined;
  readonly heartbeatIntervalMs?: number | undefined;
  readonly logger: Logger;
}

export class ConsumerClient {
  readonly #instance: ClientInstance;
  readonly #idsChangedListeners: Array<(group: string) => void> = [];

  constructor(options: ConsumerClientOptions) {
    this.#instance = new ClientInstance({
      namesrvAddr: options.namesrvAddr,
      logger: options.logger,
      ...(options.instanceName === undefined ? {} : { instanceName: options.instanceName }),
      ...(options.heartbeatIntervalMs === undefined ? {} : { heartbeatIntervalMs: options.heartbeatIntervalMs }),
    });
    this.#instance.onServerRequest(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, (request) => {
      const group = request.extFields['consumerGroup'] ?? '';
      for (const listener of this.#idsChangedListeners) listener(group);
      return null;
    });
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
    this.#instance.registerConsumer(group, info);
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

  /** Unregisters what is left, stops timers, closes connections (failing held long polls). */
  shutdown(): Promise<void> {
    return this.#instance.shutdown();
  }
}
