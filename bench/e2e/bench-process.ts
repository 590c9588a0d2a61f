/** A server the end-to-end bench runs as a child process: started, waited for by its output lines, stopped. */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { onOutputLines } from '../../src/bench/output-lines';

export interface BenchProcess {
  /** The port parsed from the first pattern's capture group. */
  readonly port: number;
  /** User + system CPU time the process has used so far, in microseconds (from /proc). */
  cpuMicros(): number;
  stop(): Promise<void>;
}

const START_DEADLINE_MS = 30_000;
/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

function processCpuMicros(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the ")" that ends the command name: state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) / USER_HZ) * 1e6;
}

/**
 * Runs `node <args>` and resolves once a line matches `portPattern` and then a line matches each
 * of `readyPatterns` (in any order after it); fails with the output if the process exits or the
 * deadline passes first.
 */
export function startBenchProcess(args: readonly string[], portPattern: RegExp, ...readyPatterns: RegExp[]): Promise<BenchProcess> {
  const child = spawn(process.execPath, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const lines: string[] = [];
    let port: number | undefined;
    const waiting = new Set(readyPatterns);
    const fail = (why: string): void => {
      clearTimeout(timer);
      void stop().then(() => reject(new Error(`${args.join(' ')}: ${why}\n${lines.join('\n')}`)));
    };
    const timer = setTimeout(() => fail('did not start in time'), START_DEADLINE_MS);
    let isReady = false;
    const onLine = (line: string): void => {
      // Lines are kept for the error message until the process is ready; later output is drained only.
      if (isReady) return;
      lines.push(line);
      const m = portPattern.exec(line);
      if (port === undefined && m?.[1] !== undefined) port = Number(m[1]);
      for (const p of waiting) if (p.test(line)) waiting.delete(p);
      if (port !== undefined && waiting.size === 0) {
        isReady = true;
        clearTimeout(timer);
        child.removeListener('close', onClose);
        resolve({ port, stop, cpuMicros: () => processCpuMicros(child.pid as number) });
      }
    };
    const onClose = (code: number | null): void => fail(`exited with ${code} before it was ready`);
    child.once('close', onClose);
    onOutputLines([child.stdout, child.stderr], onLine);
  });
}
