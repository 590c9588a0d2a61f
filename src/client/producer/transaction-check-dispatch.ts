/**
 * CHECK_TRANSACTION_STATE arrives on a client instance's connection without a group in its header:
 * the group is the half message's PGROUP (as Java's ClientRemotingProcessor finds it). One handler
 * per client instance dispatches each check to the transactional producer of that group there.
 */
import { inflateSync } from 'node:zlib';
import { MessageSysFlag, decodeRecords, type MessageExt } from '../../message';
import { CheckTransactionStateRequestHeader, RequestCode, type CheckTransactionStateRequest } from '../../protocol';
import type { ClientInstance } from '../client-instance';

export type CheckReceiver = (header: CheckTransactionStateRequest, message: MessageExt, brokerAddr: string) => void;

const receiversByInstance = new WeakMap<ClientInstance, Map<string, CheckReceiver>>();

/** Routes checks for `group` on `instance` to `receive`; returns the unregister function. */
export function registerCheckReceiver(instance: ClientInstance, group: string, receive: CheckReceiver): () => void {
  let receivers = receiversByInstance.get(instance);
  if (receivers === undefined) {
    const table = new Map<string, CheckReceiver>();
    receivers = table;
    receiversByInstance.set(instance, table);
    instance.onServerRequest(RequestCode.CHECK_TRANSACTION_STATE, (request, ctx) => {
      const header = CheckTransactionStateRequestHeader.decode(request.extFields);
      const [message] = decodeRecords(request.body ?? null);
      const receiver = message === undefined ? undefined : table.get(message.properties['PGROUP'] ?? '');
      if (message === undefined || receiver === undefined) {
        instance.logger.warn(`transaction check for ${header.msgId ?? header.offsetMsgId ?? '?'}: no transactional producer of group ${message?.properties['PGROUP'] ?? '?'} here`);
        return null;
      }
      receiver(header, inflateIfCompressed(message), ctx.remoteAddress);
      return null;
    });
  }
  receivers.set(group, receive);
  const table = receivers;
  return () => {
    if (table.get(group) === receive) table.delete(group);
  };
}

function inflateIfCompressed(message: MessageExt): MessageExt {
  if ((message.sysFlag & MessageSysFlag.COMPRESSED_FLAG) === 0) return message;
  return { ...message, body: inflateSync(message.body) };
}
