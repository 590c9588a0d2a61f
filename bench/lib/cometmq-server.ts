/**
 * The feature benchmarks' broker: `cometmq start` (name server + broker) as a child process on
 * free ports, over a fresh data directory under COMETMQ_BENCH_DIR (or the system temp dir).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startBenchProcess } from '../e2e/bench-process';

export interface CometmqServer {
  readonly namesrvAddr: string;
  /** Stops the child and removes its data directory. */
  stop(): Promise<void>;
}

/** `name` tells the data directory apart (cometmq-<name>-bench-XXXXXX). */
export async function startCometmqServer(name: string): Promise<CometmqServer> {
  const dataDir = fs.mkdtempSync(path.join(process.env['COMETMQ_BENCH_DIR'] ?? os.tmpdir(), `cometmq-${name}-bench-`));
  const removeDataDir = (): void => fs.rmSync(dataDir, { recursive: true, force: true });
  try {
    const server = await startBenchProcess(
      [path.join(__dirname, '..', '..', '..', 'bin', 'cometmq.js'), 'start', '--data-dir', dataDir, '--namesrv-port', '0', '--broker-port', '0'],
      /name server listening on port (\d+)/, / ready$/);
    return {
      namesrvAddr: `127.0.0.1:${server.port}`,
      stop: async () => {
        await server.stop();
        removeDataDir();
      },
    };
  } catch (err) {
    removeDataDir();
    throw err;
  }
}
