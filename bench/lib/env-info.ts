import { describeMachine, type MachineInfo } from '../../src/bench/report/machine-info';

/** The machine description lives with the report (src/bench/report) so `cometmq bench` reports share it. */
export type EnvInfo = MachineInfo;

/** Describes the machine so a stored result can be compared with another run. */
export function envInfo(dir: string): EnvInfo {
  return describeMachine(dir);
}

/** Anonymous resident memory of this process in bytes (RssAnon: heap, buffers; not file mappings). */
export function rssAnonBytes(): number {
  const status = require('node:fs').readFileSync('/proc/self/status', 'utf8') as string;
  const match = /RssAnon:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

/** Machine-wide CPU time so far, in clock ticks: all of it, and what the hypervisor stole. */
export interface CpuTicks {
  readonly total: number;
  readonly steal: number;
}

/** From the first line of /proc/stat (user nice system idle iowait irq softirq steal ...); zeros elsewhere. */
export function machineCpuTicks(): CpuTicks {
  try {
    const line = (require('node:fs').readFileSync('/proc/stat', 'utf8') as string).split('\n', 1)[0] ?? '';
    const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
    return { total: fields.reduce((sum, v) => sum + v, 0), steal: fields[7] ?? 0 };
  } catch {
    return { total: 0, steal: 0 };
  }
}

/**
 * Share (%) of the machine's CPU time the hypervisor gave to other guests between two readings:
 * on a shared VM, a case that ran while it was high measured the neighbours as much as us.
 */
export function stealPercent(before: CpuTicks, after: CpuTicks): number {
  const total = after.total - before.total;
  return total > 0 ? (100 * (after.steal - before.steal)) / total : 0;
}
