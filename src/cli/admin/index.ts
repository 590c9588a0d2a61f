/** `cometmq admin <noun> <verb> [options]`: finds the subcommand, parses its options, runs it. */
import { parseArgs } from 'node:util';
import { AdminClient, DEFAULT_NAMESRV } from './admin-client';
import { clusterCommands } from './cluster-commands';
import type { AdminCommand, Values } from './command';
import { consumerCommands } from './consumer-commands';
import { dlqCommands } from './dlq-commands';
import { messageCommands } from './message-commands';
import { runningInfoCommands } from './running-info-command';
import { createOutput } from './output';
import { topicCommands } from './topic-commands';
import { traceCommands } from './trace-commands';

const COMMANDS: readonly AdminCommand[] = [...topicCommands, ...clusterCommands, ...consumerCommands, ...runningInfoCommands, ...messageCommands, ...dlqCommands, ...traceCommands];

export function adminUsage(): string {
  return [
    'usage: cometmq admin <subcommand> [-n namesrvAddr (default 127.0.0.1:9876)] [--json] [options]',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(22)} ${c.usage}`.trimEnd()),
  ].join('\n');
}

export async function runAdmin(args: readonly string[]): Promise<void> {
  const [noun, verb, ...verbRest] = args;
  // A one-word command (`admin trace -i ...`) takes everything after its name as options.
  const single = COMMANDS.find((c) => c.name === noun);
  const rest = single !== undefined ? args.slice(1) : verbRest;
  if (noun === undefined || noun === 'help' || noun === '--help') {
    console.log(adminUsage());
    return;
  }
  const command = single ?? COMMANDS.find((c) => c.name === `${noun} ${verb ?? ''}`);
  if (command === undefined) {
    const verbs = COMMANDS.filter((c) => c.name.startsWith(`${noun} `)).map((c) => c.name.split(' ')[1]);
    if (verbs.length > 0) throw new Error(`unknown admin subcommand '${[noun, verb].filter(Boolean).join(' ')}' (${noun} takes: ${verbs.join(', ')})`);
    throw new Error(`unknown admin subcommand '${noun}' (try 'cometmq admin help')`);
  }
  const { values } = parseArgs({
    args: rest,
    options: { ...command.options, namesrv: { type: 'string', short: 'n' }, json: { type: 'boolean' } },
    strict: true,
    allowPositionals: false,
  });
  const client = new AdminClient(typeof values['namesrv'] === 'string' ? values['namesrv'] : DEFAULT_NAMESRV);
  try {
    await command.run({ client, out: createOutput(values['json'] === true), values: values as Values });
  } finally {
    await client.close();
  }
}
