/**
 * The `cometmq` command. The only place that reads argv and the environment.
 * Until the broker lands, `start` opens the embedded store in the default data directory, runs a
 * short append/read workload through it and reports what it measured and recovered.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { runStoreSmoke } from './store-smoke';

const USAGE = `usage: cometmq <command> [options]

commands:
  start [--data-dir DIR] [--messages N]   open the store (default ~/.cometmq/store), append and read N messages
  help                                     this text`;

export function defaultDataDir(): string {
  return process.env['COMETMQ_HOME'] ? path.join(process.env['COMETMQ_HOME'], 'store') : path.join(os.homedir(), '.cometmq', 'store');
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start': {
      const { values } = parseArgs({
        args: rest,
        options: { 'data-dir': { type: 'string' }, messages: { type: 'string' } },
        strict: true,
      });
      const messages = values.messages === undefined ? 200_000 : Number(values.messages);
      if (!Number.isInteger(messages) || messages <= 0) throw new Error(`--messages must be a positive integer, got ${values.messages}`);
      await runStoreSmoke({ dataDir: values['data-dir'] ?? defaultDataDir(), messages, log: (line) => console.log(line) });
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
      console.log(USAGE);
      return command === undefined ? 1 : 0;
    default:
      console.error(`cometmq: unknown command '${command}'\n${USAGE}`);
      return 1;
  }
}
