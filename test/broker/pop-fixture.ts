/** POP requests as a RocketMQ 5 remoting client builds them, and reading their answers. */
import { decodeRecords, type MessageExt } from '../../src/message';
import { createRequest, RequestCode, type RemotingCommand } from '../../src/protocol';
import { buildReceiptHandle, parseReceiptHandle, parseStartOffsetInfo, receiptHandleOf } from '../../src/protocol/headers/pop-extra-info';

export interface PopOptions {
  readonly topic: string;
  readonly group?: string;
  readonly queueId?: number;
  readonly max?: number;
  readonly invisibleTime?: number;
  readonly pollTime?: number;
  readonly exp?: string;
  readonly expType?: string;
}

export function popRequest(o: PopOptions): RemotingCommand {
  const fields: Record<string, string> = {
    consumerGroup: o.group ?? 'PopG', topic: o.topic, queueId: String(o.queueId ?? -1), maxMsgNums: String(o.max ?? 32),
    invisibleTime: String(o.invisibleTime ?? 60_000), pollTime: String(o.pollTime ?? 0), bornTime: String(Date.now()), initMode: '0',
  };
  if (o.exp !== undefined) fields['exp'] = o.exp;
  if (o.expType !== undefined) fields['expType'] = o.expType;
  return createRequest(RequestCode.POP_MESSAGE, fields);
}

export interface Popped {
  readonly message: MessageExt;
  readonly handle: string;
}

/** The messages of a pop response, each with its receipt handle. */
export function poppedOf(response: RemotingCommand, brokerName = 'broker-a'): Popped[] {
  const f = response.extFields;
  const info = {
    popTime: Number(f['popTime']), invisibleTime: Number(f['invisibleTime']), reviveQid: Number(f['reviveQid']),
    startOffsets: parseStartOffsetInfo(f['startOffsetInfo']),
  };
  return decodeRecords(response.body ?? null).map((message) => ({ message, handle: receiptHandleOf(message, info, brokerName) }));
}

export function ackRequest(topic: string, p: Popped, group = 'PopG'): RemotingCommand {
  return createRequest(RequestCode.ACK_MESSAGE, {
    consumerGroup: group, topic, queueId: String(p.message.queueId), extraInfo: p.handle, offset: String(p.message.queueOffset),
  });
}

export function changeRequest(topic: string, p: Popped, invisibleTime: number, group = 'PopG'): RemotingCommand {
  return createRequest(RequestCode.CHANGE_MESSAGE_INVISIBLETIME, {
    consumerGroup: group, topic, queueId: String(p.message.queueId), extraInfo: p.handle, offset: String(p.message.queueOffset),
    invisibleTime: String(invisibleTime),
  });
}

/** The handle a successful CHANGE_MESSAGE_INVISIBLETIME gives (the client builds it from the answer). */
export function changedHandle(old: Popped, response: RemotingCommand): Popped {
  const h = parseReceiptHandle(old.handle);
  const f = response.extFields;
  const handle = buildReceiptHandle({
    ...h, ckQueueOffset: old.message.queueOffset, popTime: Number(f['popTime']), invisibleTime: Number(f['invisibleTime']),
    reviveQid: Number(f['reviveQid']),
  });
  return { message: old.message, handle };
}
