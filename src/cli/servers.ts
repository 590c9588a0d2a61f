/**
 * Composition of the long-running commands: a name server, a broker, or both in one process
 * (`cometmq start`). Each runs until SIGINT/SIGTERM, then shuts down gracefully (the broker commits
 * consumer offsets and closes the store cleanly, so the next start is a fast, clean-exit recovery).
 */
import * as path from 'node:path';
import { createBrokerConfig, loadBrokerConfig, type BrokerConfig } from '../broker/broker-config';
import { BrokerController } from '../broker/broker-controller';
import { NamesrvController } from '../namesrv/namesrv-controller';

export interface StartOptions {
  readonly dataDir: string;
  readonly namesrvPort: number;
  readonly brokerPort: number;
  readonly flushDiskType: 'ASYNC_FLUSH' | 'SYNC_FLUSH';
  /** Further broker.conf settings (`--set key=value`); validated like the file's. */
  readonly brokerSettings?: Readonly<Record<string, string>>;
  readonly log: (line: string) => void;
}

interface Service {
  shutdown(): Promise<void>;
}

/** Resolves when the process is asked to stop; the services are shut down in reverse order. */
function runUntilSignal(services: readonly Service[], log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      log(`${signal}: shutting down`);
      (async () => {
        for (const service of [...services].reverse()) await service.shutdown();
      })().then(resolve, reject);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

async function startNamesrv(home: string, port: number, log: (line: string) => void): Promise<NamesrvController> {
  const namesrv = new NamesrvController({ config: { rocketmqHome: home, listenPort: port } });
  await namesrv.start();
  log(`name server listening on port ${namesrv.port} (home ${home})`);
  return namesrv;
}

async function startBroker(config: BrokerConfig, log: (line: string) => void): Promise<BrokerController> {
  const broker = new BrokerController(config);
  const recovery = await broker.start();
  log(
    `broker ${config.brokerName} (cluster ${config.brokerClusterName}, id ${config.brokerId}) listening on port ${broker.port}, ` +
      `store ${config.store.storePathRootDir}: ${recovery.lastExitOK ? 'clean' : 'recovered after an unclean'} exit, ` +
      `commit log ${recovery.minPhysicalOffset}..${recovery.maxPhysicalOffset}, name servers ${config.namesrvAddrs.join(';')}`,
  );
  return broker;
}

/** `cometmq start`: a standalone name server and broker sharing one data directory. */
export async function runStandalone(o: StartOptions): Promise<void> {
  const brokerConfig = (namesrvPort: number): BrokerConfig => createBrokerConfig({
    values: {
      namesrvAddr: `127.0.0.1:${namesrvPort}`,
      listenPort: o.brokerPort,
      storePathRootDir: path.join(o.dataDir, 'store'),
      flushDiskType: o.flushDiskType,
      ...o.brokerSettings,
    },
  });
  // A bad setting fails before anything listens.
  brokerConfig(o.namesrvPort);
  const namesrv = await startNamesrv(path.join(o.dataDir, 'namesrv'), o.namesrvPort, o.log);
  let broker: BrokerController;
  try {
    broker = await startBroker(brokerConfig(namesrv.port), o.log);
  } catch (err) {
    await namesrv.shutdown();
    throw err;
  }
  o.log('ready');
  await runUntilSignal([namesrv, broker], o.log);
}

export async function runNamesrv(home: string, port: number, log: (line: string) => void): Promise<void> {
  const namesrv = await startNamesrv(home, port, log);
  log('ready');
  await runUntilSignal([namesrv], log);
}

export async function runBroker(configFile: string, log: (line: string) => void): Promise<void> {
  const broker = await startBroker(loadBrokerConfig(configFile), log);
  log('ready');
  await runUntilSignal([broker], log);
}
