import * as os from 'node:os';
import { execFileSync } from 'node:child_process';

export interface EnvInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  kernel: string;
  filesystem: string;
}

/** Describes the machine so a stored result can be compared with another run. */
export function envInfo(dir: string): EnvInfo {
  let filesystem = 'unknown';
  try {
    filesystem = execFileSync('df', ['-T', dir], { encoding: 'utf8' }).trim().split('\n').pop()?.split(/\s+/)[1] ?? 'unknown';
  } catch {
    // df missing or dir gone: the figure is informative only.
  }
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    kernel: os.release(),
    filesystem,
  };
}

/** Anonymous resident memory of this process in bytes (RssAnon: heap, buffers; not file mappings). */
export function rssAnonBytes(): number {
  const status = require('node:fs').readFileSync('/proc/self/status', 'utf8') as string;
  const match = /RssAnon:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}
