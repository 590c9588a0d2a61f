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

/** writeConfigFileAtomically with every syscall on libuv's thread pool instead of the caller's thread. */
export async function writeConfigFileAtomicallyAsync(file: string, text: string): Promise<void> {
  const dir = path.dirname(file);
  await fs.promises.mkdir(dir, { recursive: true });
  const temp = `${file}.tmp`;
  const handle = await fs.promises.open(temp, 'w');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.promises.copyFile(file, `${file}.bak`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await fs.promises.rename(temp, file);
  const dirHandle = await fs.promises.open(dir, 'r');
  try {
    await dirHandle.sync();
  } finally {
    await dirHandle.close();
  }
}

/**
 * The periodic saves of one file, off the event loop: a synchronous fsync blocked the broker's
 * loop (and every send and pull behind it) for up to half a second while the CommitLog was being
 * written back. Saves run one at a time; a save asked for while one runs replaces any waiting one,
 * since only the newest content matters. A failed save is reported and the next one tries again.
 */
export class AtomicFileWriter {
  #running: Promise<void> | null = null;
  #waiting: string | undefined;

  constructor(
    readonly file: string,
    private readonly onError: (err: Error) => void,
  ) {}

  /** Schedules `text` to be saved; returns at once. */
  save(text: string): void {
    this.#waiting = text;
    this.#running ??= this.#drain();
  }

  /** Resolves when every save asked for so far has finished (or failed and been reported). */
  async idle(): Promise<void> {
    while (this.#running !== null) await this.#running;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#waiting !== undefined) {
        const text = this.#waiting;
        this.#waiting = undefined;
        try {
          await writeConfigFileAtomicallyAsync(this.file, text);
        } catch (err) {
          this.onError(err as Error);
        }
      }
    } finally {
      this.#running = null;
    }
  }
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
