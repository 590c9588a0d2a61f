/**
 * Mounts a real, small tmpfs for disk-full tests (needs root). A failed mount throws: the disk-full
 * test must fail, never skip, when it cannot get a real full filesystem.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';

function run(command: string, args: string[]): void {
  execFileSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
}

function stderrOf(error: unknown): string {
  const err = error as { stderr?: Buffer; message?: string };
  return (err.stderr?.toString().trim() || err.message) ?? String(error);
}

/** Mounts a tmpfs of `sizeBytes` on `dir` (created if missing). */
export function mountTmpfs(dir: string, sizeBytes: number): void {
  fs.mkdirSync(dir, { recursive: true });
  try {
    run('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0700`, 'tmpfs', dir]);
  } catch (error) {
    throw new Error(
      `cannot mount a ${sizeBytes}-byte tmpfs on ${dir} (the disk-full test needs root and mount(8)): ${stderrOf(error)}`,
    );
  }
}

/** Unmounts `dir`; falls back to a lazy unmount so a busy mount never outlives the test. */
export function unmountTmpfs(dir: string): void {
  try {
    run('umount', [dir]);
  } catch (error) {
    run('umount', ['-l', dir]);
    throw new Error(`umount ${dir} failed (lazily unmounted instead): ${stderrOf(error)}`);
  }
}

/** Runs fn with a tmpfs mounted on `dir`; always unmounts, even when fn throws. */
export async function withTmpfs<T>(dir: string, sizeBytes: number, fn: () => Promise<T>): Promise<T> {
  mountTmpfs(dir, sizeBytes);
  try {
    return await fn();
  } finally {
    unmountTmpfs(dir);
  }
}

/** Free bytes on the filesystem holding `dir`, as an unprivileged writer sees it. */
export function freeBytes(dir: string): number {
  const stats = fs.statfsSync(dir);
  return stats.bavail * stats.bsize;
}

/**
 * Appends to `file` until at most `leaveFreeBytes` are free on its filesystem (0: until ENOSPC);
 * returns the bytes written. Writing in chunks tolerates space the store takes concurrently (its
 * allocator pre-allocates segments in the background), where one big write would hit ENOSPC.
 */
export function fillUp(file: string, leaveFreeBytes = 0, chunkBytes = 64 * 1024): number {
  const chunk = Buffer.alloc(chunkBytes, 0x5a);
  const fd = fs.openSync(file, 'a');
  let total = 0;
  try {
    for (let free = freeBytes(file); leaveFreeBytes === 0 || free > leaveFreeBytes; free = freeBytes(file)) {
      const length = leaveFreeBytes === 0 ? Math.min(chunk.length, Math.max(free, 1)) : Math.min(chunk.length, free - leaveFreeBytes);
      try {
        total += fs.writeSync(fd, chunk, 0, length);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOSPC') return total;
        throw error;
      }
    }
    return total;
  } finally {
    fs.closeSync(fd);
  }
}
