/**
 * The `cometmq` command: the only place that reads argv and the environment. Every failure ends
 * as one line on stderr and a non-zero exit (bin/cometmq.js prints it).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { runAdmin } from './admin';
import { BENCH_COMMAND_USAGE } from './bench-usage';
import { CONSUME_USAGE, runConsume } from './consume';
import { PRODUCE_USAGE, runProduce } from './produce';
import { runBroker, runNamesrv, runStandalone } from './servers';
import { runStoreSmoke } from './store-smoke';

const USAGE = `usage: cometmq <command> [options]

commands:
  start [--data-dir DIR] [--namesrv-port 9876] [--broker-port 10911] [--flush ASYNC_FLUSH|SYNC_FLUSH]
        [--set key=value ...]   (any broker.conf setting, e.g. --set maxTransferCountOnMessageInMemory=256)
        a name server and a broker in one process (data in ~/.cometmq by default)
  namesrv [--home DIR] [--port 9876]      a name server alone
  broker -c broker.conf                    a broker configured by a RocketMQ-style broker.conf
  store-check [--data-dir DIR] [--messages N]
        append and read back N messages through the embedded store, and report
  admin <subcommand> [-n namesrvAddr] [--json]
        topics (create, update, delete, list, route, status), cluster list, broker status,
        consumer progress and connections, message by-id and by-key, trace ('cometmq admin help')
  ${PRODUCE_USAGE}
        send messages with the SDK producer and print each SendResult (a summary past 20)
  ${CONSUME_USAGE}
        print messages as they arrive; exits after N or on Ctrl-C, committing offsets
  ${BENCH_COMMAND_USAGE}
        benchmarks against an embedded broker or a cluster ('cometmq bench help')
  help                                     this text

The name server address defaults to 127.0.0.1:9876.`;

export function defaultHome(): string {
  return process.env['COMETMQ_HOME'] ?? path.join(os.homedir(), '.cometmq');
}

function log(line: string): void {
  console.log(`${new Date().toISOString()} ${line}`);
}

function port(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--${name} must be a port number (0-65535), got '${value}'`);
  return n;
}

function flushDiskType(value: string | undefined): 'ASYNC_FLUSH' | 'SYNC_FLUSH' {
  if (value === undefined || value === 'ASYNC_FLUSH' || value === 'SYNC_FLUSH') return value ?? 'ASYNC_FLUSH';
  throw new Error(`--flush must be ASYNC_FLUSH or SYNC_FLUSH, got '${value}'`);
}

/** `--set key=value` options: broker.conf lines given on the command line. */
function brokerSettings(pairs: readonly string[]): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`--set takes key=value (a broker.conf line), got '${pair}'`);
    settings[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return settings;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'start': {
      const { values } = parseArgs({
        args,
        options: {
          'data-dir': { type: 'string' }, 'namesrv-port': { type: 'string' }, 'broker-port': { type: 'string' }, flush: { type: 'string' },
          set: { type: 'string', multiple: true },
        },
      });
      await runStandalone({
        brokerSettings: brokerSettings(values.set ?? []),
        dataDir: values['data-dir'] ?? defaultHome(),
        namesrvPort: port(values['namesrv-port'], 9876, 'namesrv-port'),
        brokerPort: port(values['broker-port'], 10911, 'broker-port'),
        flushDiskType: flushDiskType(values.flush),
        log,
      });
      return 0;
    }
    case 'namesrv': {
      const { values } = parseArgs({ args, options: { home: { type: 'string' }, port: { type: 'string' } } });
      await runNamesrv(values.home ?? path.join(defaultHome(), 'namesrv'), port(values.port, 9876, 'port'), log);
      return 0;
    }
    case 'broker': {
      const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' } } });
      if (values.config === undefined) throw new Error('broker needs -c broker.conf');
      await runBroker(values.config, log);
      return 0;
    }
    case 'store-check': {
      const { values } = parseArgs({ args, options: { 'data-dir': { type: 'string' }, messages: { type: 'string' } } });
      const messages = values.messages === undefined ? 200_000 : Number(values.messages);
      if (!Number.isInteger(messages) || messages <= 0) throw new Error(`--messages must be a positive integer, got '${values.messages}'`);
      await runStoreSmoke({ dataDir: values['data-dir'] ?? path.join(defaultHome(), 'store-check'), messages, log });
      return 0;
    }
    case 'admin':
      await runAdmin(args);
      return 0;
    case 'produce':
      await runProduce(args);
      return 0;
    case 'consume':
      await runConsume(args);
      return 0;
    case 'bench': {
      // Loaded on demand: the harness and its peers' client libraries are not for the servers.
      const { runBench } = await import('./bench');
      return runBench(args);
    }
    case 'help':
    case '--help':
      console.log(USAGE);
      return 0;
    case undefined:
      console.error(USAGE);
      return 1;
    default:
      throw new Error(`unknown command '${command}' (try 'cometmq help')`);
  }
}
