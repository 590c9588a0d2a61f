export type {
  MessageStore,
  MessageStoreDeps,
  PutCompletion,
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
export { NativeMessageStore } from './native-message-store';
export { GroupCommitService } from './flush/group-commit';
export type { FlushOutcome, FlushWaiter } from './flush/group-commit';
export { CleanService, statfsDiskUsage } from './clean-service';
export type { DiskUsageProbe } from './clean-service';
export { loadAddon } from './native/binding';
