/**
 * THE one place store outcomes become wire codes (style.md §7): PutStatus -> send response code +
 * remark, GetStatus -> pull response code + remark, with exhaustive switches a new status cannot
 * slip past (the `never` checks fail to compile). Remarks follow Apache RocketMQ's wording.
 */
import { ResponseCode } from '../protocol/response-code';
import type { GetStatus, PutStatus } from '../store/store-status';

export interface MappedStatus {
  readonly code: number;
  readonly remark: string | undefined;
}

/** What the put-status mapping needs to know about the store when it explains a refusal. */
export interface PutStatusContext {
  readonly isDiskFull: boolean;
  /** Disk usage ratio 0..1, or -1 when not measured yet. */
  readonly diskUsageRatio: number;
  /** The store's own explanation, if it gave one. */
  readonly storeRemark?: string | undefined;
}

export function mapPutStatus(status: PutStatus, context: PutStatusContext): MappedStatus {
  switch (status) {
    case 'PUT_OK':
      return { code: ResponseCode.SUCCESS, remark: undefined };
    case 'FLUSH_DISK_TIMEOUT':
      return { code: ResponseCode.FLUSH_DISK_TIMEOUT, remark: undefined };
    case 'FLUSH_SLAVE_TIMEOUT':
      return { code: ResponseCode.FLUSH_SLAVE_TIMEOUT, remark: undefined };
    case 'SLAVE_NOT_AVAILABLE':
      return { code: ResponseCode.SLAVE_NOT_AVAILABLE, remark: undefined };
    case 'SERVICE_NOT_AVAILABLE':
      return {
        code: ResponseCode.SERVICE_NOT_AVAILABLE,
        remark: context.isDiskFull
          ? `service not available now, maybe disk full, CL: ${formatRatio(context.diskUsageRatio)}, maybe your broker machine memory too small.`
          : `service not available now. It may be caused by one of the following reasons: the broker's disk is full, messages are put to the slave, message store has been shut down, etc.${suffix(context.storeRemark)}`,
      };
    case 'CREATE_MAPPED_FILE_FAILED':
      return { code: ResponseCode.SYSTEM_ERROR, remark: 'create mapped file failed, server is busy or broken.' };
    case 'MESSAGE_ILLEGAL':
    case 'PROPERTIES_SIZE_EXCEEDED':
      return {
        code: ResponseCode.MESSAGE_ILLEGAL,
        remark: `the message is illegal, maybe msg body or properties length not matched. msg body length limit 128k, msg properties length limit 32k.${suffix(context.storeRemark)}`,
      };
    case 'OS_PAGE_CACHE_BUSY':
      return { code: ResponseCode.SYSTEM_BUSY, remark: '[PC_SYNCHRONIZED]broker busy, start flow control for a while' };
    case 'UNKNOWN_ERROR':
      return { code: ResponseCode.SYSTEM_ERROR, remark: `UNKNOWN_ERROR${suffix(context.storeRemark)}` };
    default:
      return unreachable(status);
  }
}

/**
 * Pull outcome -> response code. `requestedQueueOffset` decides NO_MESSAGE_IN_QUEUE /
 * NO_MATCHED_LOGIC_QUEUE: offset 0 on an empty queue is "nothing yet" (held by long polling), any
 * other offset was moved. The remark is the store status name, as Apache sends it.
 */
export function mapGetStatus(status: GetStatus, requestedQueueOffset: number): MappedStatus {
  switch (status) {
    case 'FOUND':
      return { code: ResponseCode.SUCCESS, remark: status };
    case 'NO_MATCHED_MESSAGE':
    case 'MESSAGE_WAS_REMOVING':
      return { code: ResponseCode.PULL_RETRY_IMMEDIATELY, remark: status };
    case 'NO_MESSAGE_IN_QUEUE':
    case 'NO_MATCHED_LOGIC_QUEUE':
      return { code: requestedQueueOffset === 0 ? ResponseCode.PULL_NOT_FOUND : ResponseCode.PULL_OFFSET_MOVED, remark: status };
    case 'OFFSET_OVERFLOW_ONE':
    case 'OFFSET_FOUND_NULL':
      return { code: ResponseCode.PULL_NOT_FOUND, remark: status };
    case 'OFFSET_OVERFLOW_BADLY':
    case 'OFFSET_TOO_SMALL':
      return { code: ResponseCode.PULL_OFFSET_MOVED, remark: status };
    default:
      return unreachable(status);
  }
}

/** 0 = the master; the slave id when the store says the consumer lags past the in-memory ratio. */
export function suggestWhichBrokerId(suggestPullingFromSlave: boolean, whichBrokerWhenConsumeSlowly: number): number {
  return suggestPullingFromSlave ? whichBrokerWhenConsumeSlowly : 0;
}

function formatRatio(ratio: number): string {
  return ratio < 0 ? 'unknown' : ratio.toFixed(2);
}

function suffix(remark: string | undefined): string {
  return remark === undefined || remark === '' ? '' : ` (${remark})`;
}

function unreachable(status: never): never {
  throw new TypeError(`unmapped store status ${String(status)}`);
}
