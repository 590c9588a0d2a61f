export { createClientConfig, clientOptionError } from './client-config';
export type { ClientOptions, ClientConfig } from './client-config';
export { ClientInstance } from './client-instance';
export type { BrokerAddress, ConsumerHeartbeatData, SubscriptionHeartbeatData, RouteChangeListener } from './client-instance';
export { messageQueueKey, compareMessageQueues } from './message-queue';
export type { MessageQueue } from './message-queue';
export { decodeTopicRouteData, buildTopicRouteInfo, sameRoute, PERM_READ, PERM_WRITE, MASTER_ID } from './route/topic-route-cache';
export type { TopicRouteData, TopicRouteInfo, RouteQueueData, RouteBrokerData } from './route/topic-route-cache';
