/**
 * Live consumer groups: which client (clientID, connection) belongs to which group, and the
 * group's subscriptions, fed by HEART_BEAT and UNREGISTER_CLIENT. A connection that closes, or
 * stays silent past the channel expiry (120 s), leaves every group at once. Membership changes
 * are reported to the listeners (client-manage sends NOTIFY_CONSUMER_IDS_CHANGED).
 */
import type { SubscriptionData } from '../../protocol/subscription-data';
import type { RemotingConnection } from '../../remoting/request-handler';

export interface ConsumerClient {
  readonly clientId: string;
  readonly connection: RemotingConnection;
  readonly language: string;
  readonly version: number;
  lastUpdateTimestamp: number;
}

export interface ConsumerGroupInfo {
  readonly groupName: string;
  consumeType: string;
  messageModel: string;
  consumeFromWhere: string;
  readonly clients: Map<number, ConsumerClient>;
  readonly subscriptions: Map<string, SubscriptionData>;
}

export interface ConsumerRegistration {
  readonly groupName: string;
  readonly consumeType: string;
  readonly messageModel: string;
  readonly consumeFromWhere: string;
  /** undefined = unchanged (heartbeat V2 `withoutSub`): keep the registered subscriptions. */
  readonly subscriptions: readonly SubscriptionData[] | undefined;
}

export type GroupChangeListener = (group: string, clients: readonly ConsumerClient[]) => void;

export class ConsumerRegistry {
  readonly #groups = new Map<string, ConsumerGroupInfo>();
  readonly #listeners = new Set<GroupChangeListener>();

  onGroupChanged(listener: GroupChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Registers (or refreshes) a client in a group; true when membership or subscriptions changed. */
  register(registration: ConsumerRegistration, client: Omit<ConsumerClient, 'lastUpdateTimestamp'>, now: number): boolean {
    let group = this.#groups.get(registration.groupName);
    if (group === undefined) {
      group = { groupName: registration.groupName, consumeType: '', messageModel: '', consumeFromWhere: '', clients: new Map(), subscriptions: new Map() };
      this.#groups.set(registration.groupName, group);
    }
    group.consumeType = registration.consumeType;
    group.messageModel = registration.messageModel;
    group.consumeFromWhere = registration.consumeFromWhere;
    const existing = group.clients.get(client.connection.id);
    let isChanged = existing === undefined || existing.clientId !== client.clientId;
    group.clients.set(client.connection.id, { ...client, lastUpdateTimestamp: now });
    if (registration.subscriptions !== undefined && updateSubscriptions(group, registration.subscriptions)) isChanged = true;
    if (isChanged) this.#notify(group);
    return isChanged;
  }

  /** Removes a client (by clientID) from a group; true when it was there. */
  unregister(groupName: string, clientId: string): boolean {
    const group = this.#groups.get(groupName);
    if (group === undefined) return false;
    let isRemoved = false;
    for (const [connectionId, client] of group.clients) {
      if (client.clientId === clientId) {
        group.clients.delete(connectionId);
        isRemoved = true;
      }
    }
    if (isRemoved) this.#afterRemoval(group);
    return isRemoved;
  }

  /** Drops the connection from every group it was in. */
  removeConnection(connectionId: number): void {
    for (const group of [...this.#groups.values()]) {
      if (group.clients.delete(connectionId)) this.#afterRemoval(group);
    }
  }

  /** Closes and drops connections silent for longer than `expiryMs`; returns how many. */
  expireSilent(now: number, expiryMs: number): number {
    let expired = 0;
    for (const group of [...this.#groups.values()]) {
      let isRemoved = false;
      for (const [connectionId, client] of group.clients) {
        if (now - client.lastUpdateTimestamp > expiryMs) {
          group.clients.delete(connectionId);
          client.connection.close();
          isRemoved = true;
          expired++;
        }
      }
      if (isRemoved) this.#afterRemoval(group);
    }
    return expired;
  }

  group(groupName: string): ConsumerGroupInfo | undefined {
    return this.#groups.get(groupName);
  }

  clientIds(groupName: string): string[] {
    const group = this.#groups.get(groupName);
    return group === undefined ? [] : [...new Set([...group.clients.values()].map((c) => c.clientId))];
  }

  /** Groups with a live member subscribed to `topic`. */
  groupsSubscribedTo(topic: string): string[] {
    return [...this.#groups.values()].filter((g) => g.subscriptions.has(topic)).map((g) => g.groupName);
  }

  subscription(groupName: string, topic: string): SubscriptionData | undefined {
    return this.#groups.get(groupName)?.subscriptions.get(topic);
  }

  #afterRemoval(group: ConsumerGroupInfo): void {
    // An empty group is forgotten with its subscriptions (Apache keeps it until the scan; nothing reads it).
    if (group.clients.size === 0) this.#groups.delete(group.groupName);
    this.#notify(group);
  }

  #notify(group: ConsumerGroupInfo): void {
    const clients = [...group.clients.values()];
    for (const listener of this.#listeners) listener(group.groupName, clients);
  }
}

function updateSubscriptions(group: ConsumerGroupInfo, subscriptions: readonly SubscriptionData[]): boolean {
  let isChanged = false;
  const seen = new Set<string>();
  for (const sub of subscriptions) {
    seen.add(sub.topic);
    const old = group.subscriptions.get(sub.topic);
    if (old === undefined || old.subString !== sub.subString) isChanged = true;
    // A newer version replaces the old; an older heartbeat (from a lagging client) does not.
    if (old === undefined || sub.subVersion >= old.subVersion) group.subscriptions.set(sub.topic, sub);
  }
  for (const topic of [...group.subscriptions.keys()]) {
    if (!seen.has(topic)) {
      group.subscriptions.delete(topic);
      isChanged = true;
    }
  }
  return isChanged;
}
