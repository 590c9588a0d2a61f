/**
 * The message-trace topic on the broker. With traceTopicEnable (RocketMQ's switch, off by default)
 * the broker creates msgTraceTopicName at start with one queue, read and write, as RocketMQ does;
 * an existing config of that topic is left as it is. With the switch off nothing is created here:
 * the first trace send creates the topic like any other one when autoCreateTopicEnable is on (our
 * default), and is refused TOPIC_NOT_EXIST otherwise (trace clients count that as lost records).
 */
import type { BrokerConfig } from '../broker-config';
import { PERM_READ, PERM_WRITE, type TopicConfigManager } from '../topic/topic-config-manager';

export function ensureTraceTopic(topics: TopicConfigManager, config: BrokerConfig): void {
  if (!config.traceTopicEnable || topics.get(config.msgTraceTopicName) !== undefined) return;
  topics.getOrCreateGroupTopic(config.msgTraceTopicName, 1, PERM_READ | PERM_WRITE);
}
