/** What every broker request handler works with (built once by BrokerController). */
import type { Clock } from '../common/clock';
import type { Logger } from '../common/logger';
import type { SocketAddress } from '../message/message-types';
import type { MessageStore } from '../store/message-store';
import type { BrokerConfig } from './broker-config';
import type { ConsumerFilterCache } from './filter/consumer-filter-cache';
import type { PullHoldService } from './long-polling/pull-hold-service';
import type { ConsumerOffsetManager } from './offset/consumer-offset-manager';
import type { ConsumerRegistry } from './registry/consumer-registry';
import type { ProducerRegistry } from './registry/producer-registry';
import type { QueueLockManager } from './registry/queue-lock-manager';
import type { SubscriptionGroupManager } from './subscription/subscription-group-manager';
import type { TopicConfigManager } from './topic/topic-config-manager';
import type { TransactionalMessageService } from './transaction/transactional-message-service';

export interface BrokerContext {
  readonly config: BrokerConfig;
  readonly store: MessageStore;
  readonly topics: TopicConfigManager;
  readonly offsets: ConsumerOffsetManager;
  readonly consumers: ConsumerRegistry;
  readonly producers: ProducerRegistry;
  readonly pullHold: PullHoldService;
  readonly locks: QueueLockManager;
  readonly groups: SubscriptionGroupManager;
  /** Compiled SQL92 subscriptions by (group, topic, expression). */
  readonly filters: ConsumerFilterCache;
  /** Half messages, END_TRANSACTION and the check service's state (broker/transaction). */
  readonly transactions: TransactionalMessageService;
  readonly clock: Clock;
  readonly logger: Logger;
  /** This broker's address as written into STOREHOST (brokerIP1:listenPort). */
  readonly storeHost: SocketAddress;
}
