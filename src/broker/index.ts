export { BrokerController } from './broker-controller';
export type { BrokerControllerOptions } from './broker-controller';
export { createBrokerConfig, loadBrokerConfig, parseBrokerConf, DEFAULT_BROKER_CONFIG } from './broker-config';
export type { BrokerConfig, BrokerConfigSource, BrokerRole } from './broker-config';
export type { BrokerContext } from './broker-context';
export { TopicConfigManager, DEFAULT_TOPIC, PERM_READ, PERM_WRITE, PERM_INHERIT } from './topic/topic-config-manager';
export type { TopicConfig } from './topic/topic-config-manager';
export { ConsumerOffsetManager } from './offset/consumer-offset-manager';
export { mapPutStatus, mapGetStatus } from './status-mapping';

