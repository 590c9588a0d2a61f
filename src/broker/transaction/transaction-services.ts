/** Builds the broker's transaction service and its check service from the broker config (one call in BrokerController). */
import type { Clock } from '../../common/clock';
import type { Logger } from '../../common/logger';
import type { SocketAddress } from '../../message/message-types';
import type { MessageStore } from '../../store/message-store';
import { parseDelayLevels } from '../../store/store-config';
import type { BrokerConfig } from '../broker-config';
import type { ConsumerOffsetManager } from '../offset/consumer-offset-manager';
import type { ProducerRegistry } from '../registry/producer-registry';
import { TransactionalMessageCheckService } from './transaction-check-service';
import { TransactionalMessageService } from './transactional-message-service';

export interface TransactionServices {
  readonly transactions: TransactionalMessageService;
  readonly checks: TransactionalMessageCheckService;
}

/** Loads the persisted progress (the offsets must be loaded first) and reads the half and op queues. */
export function createTransactionServices(
  config: BrokerConfig, store: MessageStore, offsets: ConsumerOffsetManager, producers: ProducerRegistry,
  storeHost: SocketAddress, clock: Clock, logger: Logger,
): TransactionServices {
  const transactions = new TransactionalMessageService({
    store, offsets, storeHost, delayLevelCount: parseDelayLevels(config.store.messageDelayLevel).length, clock, logger,
  });
  transactions.load();
  const checks = new TransactionalMessageCheckService(
    { intervalMs: config.transactionCheckInterval, timeoutMs: config.transactionTimeOut, checkMax: config.transactionCheckMax },
    { store, transactions, producers, storeHost, clock, logger },
  );
  return { transactions, checks };
}
