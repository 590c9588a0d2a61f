/** A server the end-to-end bench runs as a child process: started, waited for by its output lines, stopped. */
import { spawn } from 'node:child_process';

export interface BenchProcess {
  /** The port parsed from the first pattern's capture group. */
  readonly port: number;
  stop(): Promise<void>;
}

const START_DEADLINE_MS = 30_000;

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
    const onLine = (line: string): void => {
      lines.push(line);
      const m = portPattern.exec(line);
      if (port === undefined && m?.[1] !== undefined) port = Number(m[1]);
      for (const p of waiting) if (p.test(line)) waiting.delete(p);
      if (port !== undefined && waiting.size === 0) {
        clearTimeout(timer);
        child.removeListener('close', onClose);
        resolve({ port, stop });
      }
    };
    const onClose = (code: number | null): void => fail(`exited with ${code} before it was ready`);
    child.once('close', onClose);
    for (const stream of [child.stdout, child.stderr]) {
      stream.setEncoding('utf8');
      let partial = '';
      stream.on('data', (chunk: string) => {
        const parts = (partial + chunk).split('\n');
        partial = parts.pop() ?? '';
        for (const l of parts) if (l.length > 0) onLine(l);
      });
    }
  });
}
