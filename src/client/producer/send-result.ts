/** What a successful send returns (SendResult.java) and how a send response becomes one. */
import { responseError } from '../../protocol/errors';
import { SendMessageResponseHeader } from '../../protocol/headers/send-message-headers';
import type { RemotingCommand } from '../../protocol/remoting-command';
import { ResponseCode } from '../../protocol/response-code';
import type { MessageQueue } from '../message-queue';

export type SendStatus = 'SEND_OK' | 'FLUSH_DISK_TIMEOUT' | 'FLUSH_SLAVE_TIMEOUT' | 'SLAVE_NOT_AVAILABLE';

export interface SendResult {
  /** All four statuses mean "stored"; the last three say a durability wish was not met in time. */
  readonly sendStatus: SendStatus;
  /** The client id (UNIQ_KEY); a batch gives the ids comma-separated. */
  readonly msgId: string;
  /** The broker's offset id (store host + commit-log offset); comma-separated for a batch. */
  readonly offsetMsgId: string;
  readonly messageQueue: MessageQueue;
  /** Offset in the queue (the first one for a batch). */
  readonly queueOffset: number;
  readonly regionId?: string | undefined;
}

function statusOf(code: number): SendStatus | undefined {
  switch (code) {
    case ResponseCode.SUCCESS: return 'SEND_OK';
    case ResponseCode.FLUSH_DISK_TIMEOUT: return 'FLUSH_DISK_TIMEOUT';
    case ResponseCode.FLUSH_SLAVE_TIMEOUT: return 'FLUSH_SLAVE_TIMEOUT';
    case ResponseCode.SLAVE_NOT_AVAILABLE: return 'SLAVE_NOT_AVAILABLE';
    default: return undefined;
  }
}

/** The SendResult of a stored send, or the catalogue error of any other response. */
export function sendResultFrom(response: RemotingCommand, queue: MessageQueue, msgId: string): SendResult {
  const sendStatus = statusOf(response.code);
  if (sendStatus === undefined) throw responseError(response.code, response.remark);
  // Read from the binary header's bytes when it came in that form (no Record of strings per send).
  const header = SendMessageResponseHeader.decodeFrom(response);
  const messageQueue = header.queueId !== queue.queueId ? { ...queue, queueId: header.queueId } : queue;
  return { sendStatus, msgId, offsetMsgId: header.msgId, messageQueue, queueOffset: header.queueOffset, regionId: header.msgRegion };
}
