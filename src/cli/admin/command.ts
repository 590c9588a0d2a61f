/** The shape every `cometmq admin` subcommand shares, and option helpers with one-line errors. */
import type { ParseArgsConfig } from 'node:util';
import type { AdminClient } from './admin-client';
import type { Output } from './output';

export type Values = Record<string, string | boolean | undefined>;

export interface AdminContext {
  readonly client: AdminClient;
  readonly out: Output;
  readonly values: Values;
}

export interface AdminCommand {
  /** e.g. "topic create". */
  readonly name: string;
  readonly usage: string;
  readonly options: NonNullable<ParseArgsConfig['options']>;
  run(ctx: AdminContext): Promise<void>;
}

export function requiredOption(values: Values, name: string, short?: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new Error(`missing required option ${short !== undefined ? `-${short}/` : ''}--${name}`);
  return value;
}

export function optionalOption(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function intOption(values: Values, name: string, fallback: number, min: number, max: number): number {
  const text = optionalOption(values, name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^-?\d+$/.test(text) || n < min || n > max) throw new Error(`--${name} must be an integer in ${min}..${max}, got '${text}'`);
  return n;
}
