export { MqError, errorCode } from './mq-error';
export type { MqErrorOptions } from './mq-error';
export { systemClock, ManualClock } from './clock';
export type { Clock, TimerHandle } from './clock';
export { ConsoleLogger, silentLogger } from './logger';
export type { Logger, LogSink } from './logger';
export { Deferred } from './deferred';
export { IntSlotTable } from './int-slot-table';
export { AtomicFileWriter, writeConfigFileAtomically, writeConfigFileAtomicallyAsync, readConfigFile, parseJavaJson } from './config-file';
