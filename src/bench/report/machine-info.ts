/**
 * Describes the machine a benchmark ran on, so a stored report can be compared with another run:
 * CPU, cores, memory, kernel, Node.js version, how idle CPUs wait, and the filesystem holding the
 * data directory.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  kernel: string;
  /**
   * How an idle CPU waits (Linux cpuidle driver; for haltpoll, the guest's poll limit). On a VM,
   * waking a halted vCPU costs tens of microseconds where a polling one wakes in a few, so
   * round-trip figures of two runs compare only with the same setting.
   */
  cpuIdle: string;
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

function readSys(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** The cpuidle driver, with guest_halt_poll_ns when it is haltpoll; 'unknown' off Linux. */
export function cpuIdleOf(): string {
  const driver = readSys('/sys/devices/system/cpu/cpuidle/current_driver');
  if (driver === undefined) return 'unknown';
  const pollNs = driver === 'haltpoll' ? readSys('/sys/module/haltpoll/parameters/guest_halt_poll_ns') : undefined;
  return pollNs === undefined ? driver : `${driver} (guest_halt_poll_ns=${pollNs})`;
}

export function describeMachine(dataDir: string): MachineInfo {
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    kernel: `${os.type()} ${os.release()}`,
    cpuIdle: cpuIdleOf(),
    filesystem: filesystemOf(dataDir),
    dataDir,
  };
}

/** One line for the top of a report. */
export function machineLine(m: MachineInfo): string {
  return `${m.cores} x ${m.cpu}, ${m.memoryGiB} GiB RAM, ${m.kernel}, CPU idle ${m.cpuIdle}, Node.js ${m.node}, data on ${m.filesystem} (${m.dataDir})`;
}
