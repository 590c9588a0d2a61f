/**
 * One ClientInstance per client id in this process (RocketMQ's MQClientManager): producers and
 * consumers whose ids match (`ip@instanceName[@unitName]`) share one instance — one connection per
 * broker, one heartbeat carrying every group. Each user holds a lease; the instance shuts down when
 * the last lease is released, and the next user of that id gets a fresh one. The first user's
 * settings (name servers, intervals) are the instance's; later users only add their groups.
 */
import type { ClientConfig } from './client-config';
import { ClientInstance } from './client-instance';

export interface ClientInstanceLease {
  readonly instance: ClientInstance;
  /** Drops this user; the last release shuts the instance down. Idempotent. */
  release(): Promise<void>;
}

interface Entry {
  readonly instance: ClientInstance;
  users: number;
}

const instances = new Map<string, Entry>();

/** The shared instance of `config.clientId`, created on first use. */
export function acquireClientInstance(config: ClientConfig): ClientInstanceLease {
  let entry = instances.get(config.clientId);
  if (entry === undefined) {
    entry = { instance: new ClientInstance(config), users: 0 };
    instances.set(config.clientId, entry);
  }
  entry.users++;
  const held = entry;
  let released = false;
  return {
    instance: held.instance,
    async release(): Promise<void> {
      if (released) return;
      released = true;
      if (--held.users > 0) return;
      // Gone from the table before the (slow) shutdown: a new user meanwhile gets a new instance.
      if (instances.get(held.instance.clientId) === held) instances.delete(held.instance.clientId);
      await held.instance.shutdown();
    },
  };
}

/** How many users share the instance of `clientId` (0 when none is alive). */
export function clientInstanceUsers(clientId: string): number {
  return instances.get(clientId)?.users ?? 0;
}
