/**
 * Options every client (producer, consumers) shares, validated once at construction (style §7):
 * a bad option throws ERR_INVALID_ARGUMENT naming the option, before any socket is opened.
 */
import { networkInterfaces } from 'node:os';
import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../common/clock';
import { silentLogger, type Logger } from '../common/logger';
import { mqError } from '../protocol/errors';
import { parseAddress } from '../remoting/remoting-client';

export interface ClientOptions {
  /** Name server addresses: "host:port", a `;`-separated list, or an array. Required. */
  readonly namesrvAddr: string | readonly string[];
  /** Address this client reports in its client id. Default: first non-internal IPv4, else 127.0.0.1. */
  readonly clientIP?: string;
  /**
   * Second half of the client id (`ip@instanceName`). The default is unique per client object
   * (`<pid>#<random>`), so two clients in one process never share an id on the broker.
   */
  readonly instanceName?: string;
  /** Appended to the client id as `@unitName` when set (RocketMQ's unit mode). Default none. */
  readonly unitName?: string;
  /** Timeout of name-server queries and heartbeats. Default 3,000 ms. */
  readonly requestTimeoutMs?: number;
  /** Heartbeat period to every broker. Default 30,000 ms. */
  readonly heartbeatIntervalMs?: number;
  /** Route refresh period (pollNameServerInterval). Default 30,000 ms. */
  readonly pollNameServerIntervalMs?: number;
  readonly logger?: Logger;
  readonly clock?: Clock;
}

export interface ClientConfig {
  readonly namesrvAddrs: readonly string[];
  readonly clientIP: string;
  readonly instanceName: string;
  readonly unitName: string | undefined;
  /** `clientIP@instanceName[@unitName]`: clients with the same id share one ClientInstance. */
  readonly clientId: string;
  readonly requestTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly pollNameServerIntervalMs: number;
  readonly logger: Logger;
  readonly clock: Clock;
}

/** The error for a bad option or argument given to a client (catalogue: ERR_INVALID_ARGUMENT). */
export function clientOptionError(message: string): Error {
  return mqError('ERR_INVALID_ARGUMENT', message);
}

/** A client method called in the wrong lifecycle state (catalogue: ERR_ILLEGAL_OPERATION). */
export function clientStateError(message: string): Error {
  return mqError('ERR_ILLEGAL_OPERATION', message);
}

export function createClientConfig(options: ClientOptions): ClientConfig {
  if (typeof options !== 'object' || options === null) throw clientOptionError('client options must be an object');
  const namesrvAddrs = parseNamesrvAddr(options.namesrvAddr);
  const clientIP = options.clientIP ?? defaultClientIP();
  if (typeof clientIP !== 'string' || clientIP === '' || /[@\s]/.test(clientIP)) {
    throw clientOptionError(`clientIP must be a non-empty address without '@' or spaces, got ${JSON.stringify(clientIP)}`);
  }
  const instanceName = options.instanceName ?? `${process.pid}#${randomBytes(4).toString('hex')}`;
  if (typeof instanceName !== 'string' || !/^[A-Za-z0-9_#%|.:-]{1,127}$/.test(instanceName)) {
    throw clientOptionError(`instanceName must be 1-127 of [A-Za-z0-9_#%|.:-], got ${JSON.stringify(instanceName)}`);
  }
  const unitName = options.unitName === '' ? undefined : options.unitName;
  if (unitName !== undefined && (typeof unitName !== 'string' || !/^[A-Za-z0-9_#%|.:-]{1,127}$/.test(unitName))) {
    throw clientOptionError(`unitName must be 1-127 of [A-Za-z0-9_#%|.:-], got ${JSON.stringify(unitName)}`);
  }
  return Object.freeze({
    namesrvAddrs,
    clientIP,
    instanceName,
    unitName,
    clientId: unitName === undefined ? `${clientIP}@${instanceName}` : `${clientIP}@${instanceName}@${unitName}`,
    requestTimeoutMs: positiveInt(options.requestTimeoutMs, 'requestTimeoutMs', 3000),
    heartbeatIntervalMs: positiveInt(options.heartbeatIntervalMs, 'heartbeatIntervalMs', 30_000),
    pollNameServerIntervalMs: positiveInt(options.pollNameServerIntervalMs, 'pollNameServerIntervalMs', 30_000),
    logger: options.logger ?? silentLogger,
    clock: options.clock ?? systemClock,
  });
}

export function parseNamesrvAddr(value: unknown): readonly string[] {
  let parts: unknown[];
  if (typeof value === 'string') parts = value.split(';');
  else if (Array.isArray(value)) parts = value;
  else throw clientOptionError('namesrvAddr is required: "host:port", "a:9876;b:9876" or an array of addresses');
  const addrs = parts.map((p) => (typeof p === 'string' ? p.trim() : p)).filter((p) => p !== '');
  if (addrs.length === 0) throw clientOptionError('namesrvAddr names no address');
  for (const addr of addrs) {
    if (typeof addr !== 'string') throw clientOptionError(`namesrvAddr entries must be strings, got ${typeof addr}`);
    try {
      parseAddress(addr);
    } catch {
      throw clientOptionError(`namesrvAddr entry "${addr}" is not a host:port address`);
    }
  }
  return Object.freeze(addrs as string[]);
}

/** A positive integer option, or its default; throws naming the option otherwise. */
export function positiveInt(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw clientOptionError(`${name} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** A non-negative integer option, or its default. */
export function nonNegativeInt(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw clientOptionError(`${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function defaultClientIP(): string {
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) {
      if (entry.family === 'IPv4' && !entry.internal) return entry.address;
    }
  }
  return '127.0.0.1';
}
