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
