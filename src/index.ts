/** Public entry of the cometmq package: the store, the servers and the wire vocabulary. */
export * from './common';
export * from './message';
export * from './store';
export { BrokerController, createBrokerConfig, loadBrokerConfig, parseBrokerConf } from './broker';
export type { BrokerConfig, BrokerControllerOptions } from './broker';
export { NamesrvController, createNamesrvConfig } from './namesrv';
export type { NamesrvConfig, NamesrvControllerOptions } from './namesrv';
export { RequestCode, ResponseCode, createRequest, createResponse } from './protocol';
export type { RemotingCommand } from './protocol';
export { RemotingClient, RemotingServer } from './remoting';
export { Producer, PushConsumer, LitePullConsumer, ClientInstance, MessageModel, ConsumeFromWhere } from './client';
export type {
  ProducerOptions,
  SendResult,
  SendStatus,
  Message,
  PushConsumerOptions,
  LitePullConsumerOptions,
  ConcurrentListener,
  ConsumeConcurrentlyStatus,
  MessageQueue,
} from './client';
