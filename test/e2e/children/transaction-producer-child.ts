/**
 * Child process: one of OUR TransactionProducers, configured by a JSON argument. Prints JSON lines:
 * {"event":"ready"} once started; in mode "hang" it sends one transactional message whose local
 * transaction never finishes and prints {"event":"half-sent","body":...} once it is stored (the test then
 * SIGKILLs it); in mode "checker" it only answers checks, printing {"event":"checked","body":...,
 * "transactionId":...,"state":...} — COMMIT_MESSAGE for bodies listed in `committedBodies` (the
 * "database" of committed local transactions), ROLLBACK_MESSAGE otherwise. SIGTERM shuts it down.
 */
import { TransactionProducer } from '../../../src/client/producer/transaction-producer';
import type { LocalTransactionState } from '../../../src/client/producer/transaction-listener';
import { childConfig, emit } from './child-io';

interface ChildConfig {
  namesrvAddr: string;
  group: string;
  instanceName: string;
  mode: 'hang' | 'checker';
  topic?: string;
  body?: string;
  committedBodies?: string[];
}

const config = childConfig<ChildConfig>('transaction-producer-child');
const committed = new Set(config.committedBodies ?? []);

const producer = new TransactionProducer({
  namesrvAddr: config.namesrvAddr, groupName: config.group, instanceName: config.instanceName, clientIP: '127.0.0.1',
  transactionListener: {
    // Called once the half message is stored; "hang": the process dies in the middle of its local transaction.
    executeLocalTransaction: (msg) => {
      emit({ event: 'half-sent', body: typeof msg.body === 'string' ? msg.body : msg.body.toString('utf8') });
      return new Promise<LocalTransactionState>(() => undefined);
    },
    checkLocalTransaction: (msg) => {
      const body = msg.body.toString('utf8');
      const state: LocalTransactionState = committed.has(body) ? 'COMMIT_MESSAGE' : 'ROLLBACK_MESSAGE';
      emit({ event: 'checked', body, transactionId: msg.transactionId, topic: msg.topic, state });
      return state;
    },
  },
});

process.on('SIGTERM', () => {
  producer.shutdown().then(() => process.exit(0), () => process.exit(1));
});

async function main(): Promise<void> {
  await producer.start();
  emit({ event: 'ready' });
  if (config.mode === 'hang') {
    // Never resolves: the local transaction never ends.
    producer.sendMessageInTransaction({ topic: config.topic!, body: config.body! }).catch((err: Error) => {
      console.error(`half send failed: ${err.message}`);
      process.exit(1);
    });
  }
}

main().catch((err: Error) => {
  console.error(`child failed: ${err.message}`);
  process.exit(1);
});
