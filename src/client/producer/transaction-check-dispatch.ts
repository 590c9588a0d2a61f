/**
 * CHECK_TRANSACTION_STATE arrives on a client instance's connection without a group in its header:
 * the group is the half message's PGROUP (as Java's ClientRemotingProcessor finds it). Each client
 * instance owns one dispatcher, which hands each check to the transactional producer of that group
 * registered on the instance (checks for groups with none here are logged and dropped).
 */
import { inflateSync } from 'node:zlib';
import type { Logger } from '../../common/logger';
import { MessageSysFlag } from '../../message/message-const';
import type { MessageExt } from '../../message/message-types';
import { decodeRecords } from '../../message/record-decoder';
import { CheckTransactionStateRequestHeader, type CheckTransactionStateRequest } from '../../protocol/headers/transaction-headers';
import { RequestCode } from '../../protocol/request-code';
import type { RequestHandler } from '../../remoting/request-handler';

export type CheckReceiver = (header: CheckTransactionStateRequest, message: MessageExt, brokerAddr: string) => void;

export class TransactionCheckDispatcher {
  readonly #receivers = new Map<string, CheckReceiver>();
  readonly #logger: Logger;

  /** `serve` registers the dispatcher's handler for CHECK_TRANSACTION_STATE on the instance. */
  constructor(logger: Logger, serve: (code: number, handler: RequestHandler) => void) {
    this.#logger = logger;
    serve(RequestCode.CHECK_TRANSACTION_STATE, (request, ctx) => {
      const header = CheckTransactionStateRequestHeader.decodeFrom(request);
      const [message] = decodeRecords(request.body ?? null);
      const receiver = message === undefined ? undefined : this.#receivers.get(message.properties['PGROUP'] ?? '');
      if (message === undefined || receiver === undefined) {
        this.#logger.warn(`transaction check for ${header.msgId ?? header.offsetMsgId ?? '?'}: no transactional producer of group ${message?.properties['PGROUP'] ?? '?'} here`);
        return null;
      }
      receiver(header, inflateIfCompressed(message), ctx.remoteAddress);
      return null;
    });
  }

  /** Routes checks for `group` to `receive`; returns the unregister function. */
  register(group: string, receive: CheckReceiver): () => void {
    this.#receivers.set(group, receive);
    return () => {
      if (this.#receivers.get(group) === receive) this.#receivers.delete(group);
    };
  }
}

function inflateIfCompressed(message: MessageExt): MessageExt {
  if ((message.sysFlag & MessageSysFlag.COMPRESSED_FLAG) === 0) return message;
  return { ...message, body: inflateSync(message.body) };
}
