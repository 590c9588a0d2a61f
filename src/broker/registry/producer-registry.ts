/**
 * Live producer groups (clientID and connection per group), fed by HEART_BEAT and
 * UNREGISTER_CLIENT; kept for transaction checks and admin views. Closed or silent (120 s)
 * connections are dropped like consumers.
 */
import type { RemotingConnection } from '../../remoting/request-handler';

export interface ProducerClient {
  readonly clientId: string;
  readonly connection: RemotingConnection;
  readonly language: string;
  readonly version: number;
  lastUpdateTimestamp: number;
}

export class ProducerRegistry {
  readonly #groups = new Map<string, Map<number, ProducerClient>>();

  register(groupName: string, client: Omit<ProducerClient, 'lastUpdateTimestamp'>, now: number): void {
    let clients = this.#groups.get(groupName);
    if (clients === undefined) {
      clients = new Map();
      this.#groups.set(groupName, clients);
    }
    clients.set(client.connection.id, { ...client, lastUpdateTimestamp: now });
  }

  unregister(groupName: string, clientId: string): void {
    const clients = this.#groups.get(groupName);
    if (clients === undefined) return;
    for (const [id, client] of clients) if (client.clientId === clientId) clients.delete(id);
    if (clients.size === 0) this.#groups.delete(groupName);
  }

  removeConnection(connectionId: number): void {
    for (const [name, clients] of this.#groups) {
      clients.delete(connectionId);
      if (clients.size === 0) this.#groups.delete(name);
    }
  }

  expireSilent(now: number, expiryMs: number): number {
    let expired = 0;
    for (const [name, clients] of this.#groups) {
      for (const [id, client] of clients) {
        if (now - client.lastUpdateTimestamp > expiryMs) {
          clients.delete(id);
          client.connection.close();
          expired++;
        }
      }
      if (clients.size === 0) this.#groups.delete(name);
    }
    return expired;
  }

  clients(groupName: string): ProducerClient[] {
    return [...(this.#groups.get(groupName)?.values() ?? [])];
  }
}
