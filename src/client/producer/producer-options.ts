/** Producer options (DefaultMQProducer's settings), validated at construction. */
import { createClientConfig, clientOptionError, nonNegativeInt, positiveInt, type ClientConfig, type ClientOptions } from '../client-config';
import type { ClientInstance } from '../client-instance';
import type { TraceOptions } from '../trace/trace-options';

export interface ProducerOptions extends ClientOptions, TraceOptions {
  /** Producer group; required. */
  readonly groupName: string;
  /** Timeout of one send attempt. Default 3,000 ms. */
  readonly sendMsgTimeoutMs?: number;
  /** Extra attempts after a retriable failure, each on another broker when there is one. Default 2. */
  readonly retryTimesWhenSendFailed?: number;
  /** Bodies larger than this are zlib-compressed (COMPRESSED sysflag). Default 4,096 bytes. */
  readonly compressMsgBodyOverHowmuch?: number;
  /** zlib level 0..9. Default 5 (as Java). */
  readonly compressLevel?: number;
  /** Largest body (or batch body) accepted. Default 4 MiB. */
  readonly maxMessageSize?: number;
  /** Avoid brokers after slow or failed sends (latency table). Default false, as in Java. */
  readonly sendLatencyFaultEnable?: boolean;
  /** Also retry when the broker stored the message but missed a flush or slave wish. Default false. */
  readonly retryAnotherBrokerWhenNotStoreOK?: boolean;
  /** Topic whose route stands in for an unknown topic (auto-creation on the broker). Default TBW102. */
  readonly createTopicKey?: string;
  /** Queues an auto-created topic gets. Default 4. */
  readonly defaultTopicQueueNums?: number;
  /** Share an existing client instance (its lifecycle stays with its owner). */
  readonly clientInstance?: ClientInstance;
  /**
   * Plain sends of one topic made in the same callback go as one batch request (RocketMQ 5's
   * autoBatch; see auto-batch.ts). Default false.
   */
  readonly autoBatch?: boolean;
  /** Largest automatic batch, in encoded bytes. Default 32 KiB (as Java). */
  readonly batchMaxBytes?: number;
}

export interface ProducerConfig {
  readonly groupName: string;
  readonly client: ClientConfig | undefined;
  readonly sendMsgTimeoutMs: number;
  readonly retryTimesWhenSendFailed: number;
  readonly compressMsgBodyOverHowmuch: number;
  readonly compressLevel: number;
  readonly maxMessageSize: number;
  readonly sendLatencyFaultEnable: boolean;
  readonly retryAnotherBrokerWhenNotStoreOK: boolean;
  readonly createTopicKey: string;
  readonly defaultTopicQueueNums: number;
  readonly autoBatch: boolean;
  readonly batchMaxBytes: number;
}

const GROUP_PATTERN = /^[%|a-zA-Z0-9_-]{1,120}$/;

export function createProducerConfig(options: ProducerOptions): ProducerConfig {
  if (typeof options !== 'object' || options === null) throw clientOptionError('producer options must be an object');
  if (typeof options.groupName !== 'string' || !GROUP_PATTERN.test(options.groupName)) {
    throw clientOptionError(`groupName must be 1-120 characters of [%|a-zA-Z0-9_-], got ${JSON.stringify(options.groupName)}`);
  }
  if (options.groupName === 'DEFAULT_PRODUCER' || options.groupName === 'CLIENT_INNER_PRODUCER') {
    throw clientOptionError(`groupName ${options.groupName} is reserved`);
  }
  const compressLevel = nonNegativeInt(options.compressLevel, 'compressLevel', 5);
  if (compressLevel > 9) throw clientOptionError(`compressLevel must be 0..9, got ${compressLevel}`);
  const maxMessageSize = positiveInt(options.maxMessageSize, 'maxMessageSize', 4 * 1024 * 1024);
  const batchMaxBytes = positiveInt(options.batchMaxBytes, 'batchMaxBytes', 32 * 1024);
  if (batchMaxBytes > maxMessageSize) throw clientOptionError(`batchMaxBytes (${batchMaxBytes}) cannot exceed maxMessageSize (${maxMessageSize})`);
  for (const name of ['sendLatencyFaultEnable', 'retryAnotherBrokerWhenNotStoreOK', 'autoBatch'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'boolean') throw clientOptionError(`${name} must be a boolean`);
  }
  return Object.freeze({
    groupName: options.groupName,
    // A shared instance brings its own client config; otherwise the client options are checked here.
    client: options.clientInstance === undefined ? createClientConfig(options) : undefined,
    sendMsgTimeoutMs: positiveInt(options.sendMsgTimeoutMs, 'sendMsgTimeoutMs', 3000),
    retryTimesWhenSendFailed: nonNegativeInt(options.retryTimesWhenSendFailed, 'retryTimesWhenSendFailed', 2),
    compressMsgBodyOverHowmuch: positiveInt(options.compressMsgBodyOverHowmuch, 'compressMsgBodyOverHowmuch', 4096),
    compressLevel,
    maxMessageSize,
    sendLatencyFaultEnable: options.sendLatencyFaultEnable ?? false,
    retryAnotherBrokerWhenNotStoreOK: options.retryAnotherBrokerWhenNotStoreOK ?? false,
    createTopicKey: options.createTopicKey ?? 'TBW102',
    defaultTopicQueueNums: positiveInt(options.defaultTopicQueueNums, 'defaultTopicQueueNums', 4),
    autoBatch: options.autoBatch ?? false,
    batchMaxBytes,
  });
}
