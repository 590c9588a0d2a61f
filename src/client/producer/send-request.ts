/**
 * Builds SEND_MESSAGE_V2 / SEND_BATCH_MESSAGE requests (the V2 header's one-letter keys) and the
 * per-message parts that go into them: the properties string (user properties, then TAGS, KEYS,
 * DELAY, WAIT, UNIQ_KEY) and the body, zlib-compressed from the threshold on (Java's `>=`). This runs
 * once per message: plain string concatenation for the properties, a self-writing header.
 */
import { deflateSync } from 'node:zlib';
import { MessageConst, MessageSysFlag } from '../../message/message-const';
import { SendMessageRequestHeaderV2 } from '../../protocol/headers/send-message-headers';
import { createFastRequest, type RemotingCommand } from '../../protocol/remoting-command';
import { RequestCode } from '../../protocol/request-code';
import { SerializeType } from '../../protocol/serialize-type';
import { keysText, type Message } from './message';

const SEP_NAME = '\u0001';
const SEP_PAIR = '\u0002';

export interface PreparedMessage {
  readonly body: Buffer;
  readonly sysFlag: number;
  readonly properties: string;
  readonly msgId: string;
  readonly flag: number;
}

export interface CompressionSettings {
  readonly overBytes: number;
  readonly level: number;
}

/**
 * Properties and body of one validated message. `compression` undefined means never compress
 * (batches: the broker stores each inner message as is). `extra` adds properties set by the
 * producer itself (the sharding key).
 */
export function prepareMessage(
  msg: Message,
  body: Buffer,
  msgId: string,
  compression: CompressionSettings | undefined,
  extra?: Readonly<Record<string, string>>,
): PreparedMessage {
  let properties = '';
  if (msg.properties !== undefined) {
    for (const name in msg.properties) {
      const value = msg.properties[name];
      if (value !== undefined) properties += name + SEP_NAME + value + SEP_PAIR;
    }
  }
  if (extra !== undefined) for (const name in extra) properties += name + SEP_NAME + extra[name]! + SEP_PAIR;
  if (msg.tags !== undefined && msg.tags !== '') properties += MessageConst.TAGS + SEP_NAME + msg.tags + SEP_PAIR;
  if (msg.keys !== undefined) properties += MessageConst.KEYS + SEP_NAME + keysText(msg.keys) + SEP_PAIR;
  if (msg.delayTimeLevel !== undefined && msg.delayTimeLevel > 0) {
    properties += MessageConst.DELAY + SEP_NAME + msg.delayTimeLevel + SEP_PAIR;
  }
  properties += MessageConst.WAIT + SEP_NAME + (msg.waitStoreMsgOK === false ? 'false' : 'true') + SEP_PAIR;
  properties += MessageConst.UNIQ_KEY + SEP_NAME + msgId + SEP_PAIR;

  let sysFlag = 0;
  let wireBody = body;
  if (compression !== undefined && body.length >= compression.overBytes) {
    const deflated = deflateSync(body, { level: compression.level });
    // Java keeps the deflated body even when it grew; an incompressible body goes as it is here.
    if (deflated.length < body.length) {
      wireBody = deflated;
      sysFlag |= MessageSysFlag.COMPRESSED_FLAG | MessageSysFlag.COMPRESSION_ZLIB_TYPE;
    }
  }
  return { body: wireBody, sysFlag, properties, msgId, flag: msg.flag ?? 0 };
}

export interface SendTarget {
  readonly producerGroup: string;
  readonly topic: string;
  readonly queueId: number;
  readonly defaultTopic: string;
  readonly defaultTopicQueueNums: number;
}

/**
 * Sends travel with RocketMQ's binary header (serialize type ROCKETMQ, what Java clients send with
 * rocketmq.serialize.type=ROCKETMQ; every broker reads it and answers in the same form): about a
 * third shorter than the JSON header and a fraction of its decode cost on both sides. The header
 * writes itself field by field (HeaderCodec.fields): no Record and no string per number.
 */
function sendRequest(target: SendTarget, sysFlag: number, bornTimestamp: number, flag: number, properties: string, isBatch: boolean, body: Buffer): RemotingCommand {
  const request = createFastRequest(RequestCode.SEND_MESSAGE_V2, SendMessageRequestHeaderV2.fields({
    producerGroup: target.producerGroup,
    topic: target.topic,
    defaultTopic: target.defaultTopic,
    defaultTopicQueueNums: target.defaultTopicQueueNums,
    queueId: target.queueId,
    sysFlag,
    bornTimestamp,
    flag,
    properties,
    reconsumeTimes: 0,
    unitMode: false,
    batch: isBatch,
  }), body);
  request.serializeTypeCurrentRPC = SerializeType.ROCKETMQ;
  return request;
}

export function sendMessageRequest(target: SendTarget, prepared: PreparedMessage, bornTimestamp: number): RemotingCommand {
  return sendRequest(target, prepared.sysFlag, bornTimestamp, prepared.flag, prepared.properties, false, prepared.body);
}

/**
 * A batch send; `body` is the encoded batch (protocol's encodeBatchBody). It goes as
 * SEND_MESSAGE_V2 with the batch flag (`m=true`), which every broker (Apache's and ours) treats
 * exactly like SEND_BATCH_MESSAGE (320).
 */
export function sendBatchRequest(target: SendTarget, body: Buffer, bornTimestamp: number): RemotingCommand {
  return sendRequest(target, 0, bornTimestamp, 0, MessageConst.WAIT + SEP_NAME + 'true' + SEP_PAIR, true, body);
}
