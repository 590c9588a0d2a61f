/** Registrations shared by the name-server tests: broker-a master/slave in DefaultCluster. */
import type { BrokerRegistration, TopicConfig } from '../../src/namesrv';

export function topic(name: string, queues = 4, perm = 6): TopicConfig {
  return { topicName: name, readQueueNums: queues, writeQueueNums: queues, perm, topicSysFlag: 0, topicFilterType: 'SINGLE_TAG', order: false };
}

export function registration(overrides: Partial<BrokerRegistration> = {}): BrokerRegistration {
  return {
    clusterName: 'DefaultCluster',
    brokerAddr: '127.0.0.1:10911',
    brokerName: 'broker-a',
    brokerId: 0,
    haServerAddr: '127.0.0.1:10912',
    enableActingMaster: false,
    dataVersion: { counter: 1, stateVersion: 0, timestamp: 1_700_000_000_000 },
    topicConfigs: [topic('T1')],
    filterServerList: [],
    channel: 'conn-master',
    ...overrides,
  };
}

export const SLAVE = {
  brokerAddr: '127.0.0.1:10921', brokerId: 1, haServerAddr: '127.0.0.1:10922', channel: 'conn-slave',
} as const;
