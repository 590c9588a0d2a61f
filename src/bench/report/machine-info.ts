/**
 * Describes the machine a benchmark ran on, so a stored report can be compared with another run:
 * CPU, cores, memory, kernel, Node.js version and the filesystem holding the data directory.
 */
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  kernel: string;
  /** Filesystem type of the data directory (ext4, xfs, tmpfs, ...), from `df -T`. */
  filesystem: string;
  /** The directory the filesystem figure is about. */
  dataDir: string;
}

/** Filesystem type of `dir` (`df -T`); 'unknown' when df is missing or the dir is gone. */
export function filesystemOf(dir: string): string {
  try {
    const last = execFileSync('df', ['-T', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n').pop();
    return last?.split(/\s+/)[1] ?? 'unknown';
  } catch {
    // Informative only: a report without the filesystem is still a report.
    return 'unknown';
  }
}

export function describeMachine(dataDir: string): MachineInfo {
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    kernel: `${os.type()} ${os.release()}`,
    filesystem: filesystemOf(dataDir),
    dataDir,
  };
}

/** One line for the top of a report. */
export function machineLine(m: MachineInfo): string {
  return `${m.cores} x ${m.cpu}, ${m.memoryGiB} GiB RAM, ${m.kernel}, Node.js ${m.node}, data on ${m.filesystem} (${m.dataDir})`;
}
