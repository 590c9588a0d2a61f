/**
 * The only code that loads the native addon. Load order (better-sqlite3's): an explicit path, then
 * prebuilds/<platform>-<arch>/, then build/Debug, then build/Release. After loading, the addon's
 * constants are checked against the TypeScript mirrors (record layout, config slot names, status
 * names) so a stale or mismatched build fails at load with a clear error, not with corrupt data.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MqError } from '../../common/mq-error';
import { RECORD_LAYOUT } from '../../message/record-layout';
import { NATIVE_CONFIG_KEYS, type MessageStoreConfig } from '../store-config';
import { StatusTable } from '../store-status';
import type { NativeAddon, NativeConstants } from './native-types';

const ADDON_FILE = 'cometmq_native.node';

export interface LoadedAddon {
  readonly addon: NativeAddon;
  readonly path: string;
  readonly statusTable: StatusTable;
}

/** The package root: the nearest ancestor holding the cometmq package.json. */
function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      try {
        if ((JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'cometmq') return dir;
      } catch (err) {
        throw new MqError('ERR_ADDON_NOT_FOUND', `cannot read ${manifest}`, { cause: err });
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new MqError('ERR_ADDON_NOT_FOUND', `no cometmq package.json above ${__dirname}`);
    dir = parent;
  }
}

export function addonCandidates(explicitPath?: string): string[] {
  const root = packageRoot();
  const candidates: string[] = [];
  if (explicitPath !== undefined) candidates.push(path.resolve(explicitPath));
  candidates.push(
    path.join(root, 'prebuilds', `${process.platform}-${process.arch}`, ADDON_FILE),
    path.join(root, 'build', 'Debug', ADDON_FILE),
    path.join(root, 'build', 'Release', ADDON_FILE),
  );
  return candidates;
}

export function loadAddon(explicitPath?: string): LoadedAddon {
  const candidates = addonCandidates(explicitPath);
  // An explicit path must exist: silently falling back would load a different build than asked.
  const found = explicitPath !== undefined ? candidates[0] : candidates.find((candidate) => fs.existsSync(candidate));
  if (found === undefined || !fs.existsSync(found)) {
    throw new MqError(
      'ERR_ADDON_NOT_FOUND',
      `native addon not found (looked in ${candidates.join(', ')}); build it with \`npx cmake-js compile --out build\``,
    );
  }
  let addon: NativeAddon;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    addon = require(found) as NativeAddon;
  } catch (err) {
    throw new MqError('ERR_ADDON_LOAD_FAILED', `cannot load native addon ${found}: ${(err as Error).message}`, { cause: err });
  }
  const statusTable = checkConstants(addon.constants, found);
  return { addon, path: found, statusTable };
}

function mismatch(addonPath: string, what: string): MqError {
  return new MqError('ERR_ADDON_MISMATCH', `native addon ${addonPath} does not match the TypeScript sources: ${what}`);
}

/** Verifies every constants table; returns the status table built from it. */
export function checkConstants(constants: NativeConstants | undefined, addonPath: string): StatusTable {
  if (constants === undefined || typeof constants !== 'object') throw mismatch(addonPath, 'no constants object');
  const layout = RECORD_LAYOUT as Readonly<Record<string, number>>;
  for (const [name, value] of Object.entries(constants.record ?? {})) {
    if (!(name in layout)) throw mismatch(addonPath, `constants.record.${name} is unknown to src/message/record-layout.ts`);
    if ((value | 0) !== ((layout[name] as number) | 0)) {
      throw mismatch(addonPath, `constants.record.${name} is ${value}, record-layout.ts says ${layout[name]}`);
    }
  }
  for (const name of Object.keys(layout)) {
    if (!(name in (constants.record ?? {}))) throw mismatch(addonPath, `constants.record lacks ${name} (record-layout.ts has it)`);
  }
  const slots = constants.configSlots ?? {};
  const known = new Set<string>(NATIVE_CONFIG_KEYS);
  const seen = new Set<number>();
  for (const [name, index] of Object.entries(slots)) {
    if (!known.has(name)) throw mismatch(addonPath, `config slot ${name} is unknown to store-config.ts`);
    if (!Number.isInteger(index) || index < 0 || index >= constants.configSlotCount || seen.has(index)) {
      throw mismatch(addonPath, `config slot ${name} has invalid or duplicate index ${index}`);
    }
    seen.add(index);
  }
  for (const name of NATIVE_CONFIG_KEYS) {
    if (!(name in slots)) throw mismatch(addonPath, `constants.configSlots lacks ${name}`);
  }
  try {
    return new StatusTable(constants.putStatus ?? {}, constants.getStatus ?? {});
  } catch (err) {
    throw mismatch(addonPath, (err as Error).message);
  }
}

/** The config as the addon's Float64Array, slot by name (booleans 0/1, SYNC_FLUSH = 1). */
export function toNativeConfig(config: MessageStoreConfig, constants: NativeConstants): Float64Array {
  const values = new Float64Array(constants.configSlotCount);
  for (const key of NATIVE_CONFIG_KEYS) {
    const value: unknown = config[key];
    const slot = constants.configSlots[key] as number;
    if (typeof value === 'boolean') values[slot] = value ? 1 : 0;
    else if (key === 'flushDiskType') values[slot] = value === 'SYNC_FLUSH' ? 1 : 0;
    else values[slot] = value as number;
  }
  return values;
}
