/**
 * The name server's KV store (KVConfigManager): namespace -> key -> value, kept in memory and
 * persisted after every change to one JSON file in Java's shape, `{"configTable":{ns:{k:v}}}`.
 * Writes go to a temp file that is fsynced and renamed over the old one, so a crash leaves either
 * the old or the new table, never a torn file. A file that cannot be read or parsed fails load()
 * with a clear error (ERR_INVALID_ARGUMENT, naming the file) and is left untouched.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mqError } from '../protocol/errors';

export class KvConfigManager {
  readonly #filePath: string;
  readonly #table = new Map<string, Map<string, string>>();

  constructor(filePath: string) {
    this.#filePath = filePath;
  }

  get filePath(): string {
    return this.#filePath;
  }

  /** Reads the file if it exists (a missing file is an empty table). */
  load(): void {
    let text: string;
    try {
      text = fs.readFileSync(this.#filePath, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw mqError('ERR_INVALID_ARGUMENT', `cannot read KV config ${this.#filePath}: ${(err as Error).message}`, err);
    }
    this.#table.clear();
    for (const [ns, entries] of Object.entries(parseTable(text, this.#filePath))) {
      this.#table.set(ns, new Map(Object.entries(entries)));
    }
  }

  put(namespace: string, key: string, value: string): void {
    let entries = this.#table.get(namespace);
    if (entries === undefined) {
      entries = new Map();
      this.#table.set(namespace, entries);
    }
    const previous = entries.get(key);
    entries.set(key, value);
    this.#persistOrRollback(() => {
      if (previous === undefined) entries.delete(key);
      else entries.set(key, previous);
      if (entries.size === 0) this.#table.delete(namespace);
    });
  }

  get(namespace: string, key: string): string | undefined {
    return this.#table.get(namespace)?.get(key);
  }

  delete(namespace: string, key: string): void {
    const entries = this.#table.get(namespace);
    const previous = entries?.get(key);
    if (entries === undefined || previous === undefined) return;
    entries.delete(key);
    if (entries.size === 0) this.#table.delete(namespace);
    this.#persistOrRollback(() => {
      entries.set(key, previous);
      this.#table.set(namespace, entries);
    });
  }

  /** All entries of a namespace, or undefined when it has none. */
  getKvListByNamespace(namespace: string): ReadonlyMap<string, string> | undefined {
    const entries = this.#table.get(namespace);
    return entries === undefined || entries.size === 0 ? undefined : new Map(entries);
  }

  /** A failed write leaves memory as it was before the call, so memory never runs ahead of disk. */
  #persistOrRollback(rollback: () => void): void {
    try {
      this.#persist();
    } catch (err) {
      rollback();
      throw err;
    }
  }

  #persist(): void {
    const configTable: Record<string, Record<string, string>> = {};
    for (const [ns, entries] of this.#table) configTable[ns] = Object.fromEntries(entries);
    const text = JSON.stringify({ configTable }, null, 2);
    fs.mkdirSync(path.dirname(this.#filePath), { recursive: true });
    const tmp = `${this.#filePath}.tmp`;
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.#filePath);
  }
}

function parseTable(text: string, filePath: string): Record<string, Record<string, string>> {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (err) {
    throw mqError('ERR_INVALID_ARGUMENT', `KV config ${filePath} is not valid JSON`, err);
  }
  const table = (root as { configTable?: unknown } | null)?.configTable;
  if (typeof table !== 'object' || table === null || Array.isArray(table)) {
    throw mqError('ERR_INVALID_ARGUMENT', `KV config ${filePath} has no "configTable" object`);
  }
  for (const [ns, entries] of Object.entries(table)) {
    const ok = typeof entries === 'object' && entries !== null && !Array.isArray(entries) &&
      Object.values(entries).every((v) => typeof v === 'string');
    if (!ok) throw mqError('ERR_INVALID_ARGUMENT', `KV config ${filePath}: namespace "${ns}" must map keys to strings`);
  }
  return table as Record<string, Record<string, string>>;
}
