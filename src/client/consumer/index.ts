export { PushConsumer } from './push-consumer';
export type { PushConsumerOptions } from './push-consumer-options';
export { LitePullConsumer } from './lite-pull-consumer';
export type { LitePullConsumerOptions } from './lite-pull-consumer';
export { MessageModel, ConsumeFromWhere } from './consumer-types';
export type {
  ConcurrentListener,
  ConsumeConcurrentlyStatus,
  ConsumeContext,
  ConsumeFromWhereName,
  MessageModelName,
} from './consumer-types';
export { ProcessQueue } from './process-queue';
export { RemoteBrokerOffsetStore, LocalFileOffsetStore, defaultOffsetDir } from './offset-store';
export type { OffsetStore } from './offset-store';
export { MessageSelector } from './message-selector';
export type { ExpressionType, SubscriptionExpression } from './message-selector';
export type { ConsumeOrderlyContext, ConsumeOrderlyStatus, OrderlyListener } from './consume-orderly-types';
