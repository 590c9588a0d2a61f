/**
 * Crash-safe JSON config files (topics.json, consumerOffset.json): written to a temp file, fsynced
 * and renamed over the target, with the previous version kept as <file>.bak, so a crash at any
 * point leaves either the old or the new content. Loading falls back to the .bak when the main
 * file is missing or unparsable (RocketMQ ConfigManager does the same).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function writeConfigFileAtomically(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.tmp`;
  const fd = fs.openSync(temp, 'w');
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  if (fs.existsSync(file)) fs.copyFileSync(file, `${file}.bak`);
  fs.renameSync(temp, file);
  syncDirectory(path.dirname(file));
}

/** The parsed content of `file` (or its .bak), or undefined when neither exists. */
export function readConfigFile<T>(file: string, parse: (text: string) => T): T | undefined {
  const main = tryRead(file, parse);
  if (main.ok) return main.value;
  const backup = tryRead(`${file}.bak`, parse);
  if (backup.ok) return backup.value;
  if (main.error !== undefined) throw main.error;
  if (backup.error !== undefined) throw backup.error;
  return undefined;
}

/**
 * JSON with Java-style unquoted integer map keys (`{0:12}`, as fastjson writes consumerOffset.json)
 * made standard before JSON.parse, so files written by Apache RocketMQ load too.
 */
export function parseJavaJson(text: string): unknown {
  return JSON.parse(text.replace(/([{,]\s*)(-?\d+)(\s*:)/g, '$1"$2"$3'));
}

function tryRead<T>(file: string, parse: (text: string) => T): { ok: true; value: T } | { ok: false; error?: Error } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { ok: false };
    return { ok: false, error: err as Error };
  }
  try {
    return { ok: true, value: parse(text) };
  } catch (err) {
    return { ok: false, error: new Error(`${file} is not valid: ${(err as Error).message}`, { cause: err }) };
  }
}

function syncDirectory(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
