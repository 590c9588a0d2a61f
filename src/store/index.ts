export type {
  MessageStore,
  MessageStoreDeps,
  PutMessageResult,
  GetMessageResult,
  GetMessageFilter,
  QueryMessageResult,
  RecoveryReport,
  QueueInfo,
  CleanReport,
  StoreStats,
} from './message-store';
export { PUT_STATUSES, GET_STATUSES, isStored } from './store-status';
export type { PutStatus, GetStatus } from './store-status';
export { createStoreConfig, DEFAULT_STORE_CONFIG, StoreConfigError, parseDelayLevels, parseDeleteWhen } from './store-config';
export type { MessageStoreConfig, StoreConfigInput, FlushDiskType } from './store-config';
