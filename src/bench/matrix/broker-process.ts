/**
 * One benchmark broker: `cometmq start` as a child on a fresh data directory, ports chosen by the
 * kernel (port 0, read back from its log), the cell's settings as --set key=value. Ready once the
 * name server lists the broker. Stopped with SIGKILL: its data directory is thrown away, so a clean
 * store shutdown buys nothing and costs a lot (it fsyncs every ConsumeQueue file: ~30 s after a run
 * over 10,000 topics on a disk with 15 ms fsyncs), and the next cell inherits no writeback.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequest } from '../../protocol/remoting-command';
import { RequestCode } from '../../protocol/request-code';
import { ResponseCode } from '../../protocol/response-code';
import { RemotingClient } from '../../remoting/remoting-client';
import { CometmqChild } from './child-process';

const START_DEADLINE_MS = 30_000;
const KILL_WAIT_MS = 10_000;
const PROBLEM_LINE = /\[cometmq-store\]|error|fail|warn|too many|refus/i;

export interface BrokerProcess {
  readonly namesrvAddr: string;
  readonly brokerAddr: string;
  readonly dataDir: string;
  /**
   * What the broker logged as going wrong since it started (the store's own lines, failures,
   * warnings), e.g. ConsumeQueue files it could not map past vm.max_map_count: the cell's
   * sends may have been answered while the broker was failing behind them.
   */
  problems(): string[];
  /** Stops the broker and removes its data directory. */
  stop(): Promise<void>;
}

/** Starts a broker whose data lives in a new directory under `dataRoot`; rejects (and cleans up) if it does not come up. */
export async function startBrokerProcess(dataRoot: string, settings: Readonly<Record<string, string>>, signal?: AbortSignal): Promise<BrokerProcess> {
  const dataDir = fs.mkdtempSync(path.join(dataRoot, 'cometmq-bench-broker-'));
  const args = ['start', '--data-dir', dataDir, '--namesrv-port', '0', '--broker-port', '0'];
  for (const [key, value] of Object.entries(settings)) args.push('--set', `${key}=${value}`);
  const child = new CometmqChild(args);
  const stop = async (): Promise<void> => {
    try {
      await child.stop('SIGKILL', KILL_WAIT_MS);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  };
  try {
    const namesrvPort = (await child.waitForLine(/name server listening on port (\d+)/, START_DEADLINE_MS, signal))[1];
    const brokerPort = (await child.waitForLine(/broker \S+ .* listening on port (\d+)/, START_DEADLINE_MS, signal))[1];
    await child.waitForLine(/ ready$/, START_DEADLINE_MS, signal);
    const namesrvAddr = `127.0.0.1:${namesrvPort}`;
    const brokerAddr = `127.0.0.1:${brokerPort}`;
    await waitUntilListed(namesrvAddr, brokerAddr, signal);
    return { namesrvAddr, brokerAddr, dataDir, stop, problems: () => child.linesMatching(PROBLEM_LINE) };
  } catch (err) {
    await stop();
    throw new Error(`broker did not start: ${(err as Error).message}`);
  }
}

/** The broker answers once the name server's cluster info names it (registration done). */
async function waitUntilListed(namesrvAddr: string, brokerAddr: string, signal?: AbortSignal): Promise<void> {
  const client = new RemotingClient();
  const deadline = Date.now() + START_DEADLINE_MS;
  try {
    for (;;) {
      if (signal?.aborted === true) throw new Error('interrupted');
      const response = await client.invokeSync(namesrvAddr, createRequest(RequestCode.GET_BROKER_CLUSTER_INFO, {}), 5000);
      if (response.code === ResponseCode.SUCCESS && (response.body?.toString('utf8') ?? '').includes(brokerAddr)) return;
      if (Date.now() > deadline) throw new Error(`the name server at ${namesrvAddr} did not list ${brokerAddr} within ${START_DEADLINE_MS} ms`);
      // Registration is asynchronous to 'ready' only on a slow start: poll briefly.
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await client.shutdown();
  }
}
