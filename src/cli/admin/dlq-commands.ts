/**
 * `admin dlq resend`: puts a dead-lettered message back on the topic it was first sent to (its
 * RETRY_TOPIC property), as a new message with the same body, tags, keys and user properties, so
 * the group consumes it again from reconsumeTimes 0. Queues are append-only: the DLQ copy stays,
 * and the new message gets new ids (printed next to the DLQ id).
 */
import { inflateSync } from 'node:zlib';
import { silentLogger } from '../../common/logger';
import { Producer } from '../../client/producer/producer';
import { MessageConst, MessageSysFlag } from '../../message/message-const';
import type { MessageExt } from '../../message/message-types';
import { type AdminCommand, optionalOption, requiredOption } from './command';
import { messageByOffsetId } from './message-commands';

const DLQ_PREFIX = '%DLQ%';
const RESERVED: ReadonlySet<string> = new Set(Object.values(MessageConst));

/** The properties a producer may set again: everything but RocketMQ's own (TAGS and KEYS travel as fields). */
function userProperties(message: MessageExt): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.properties)) if (!RESERVED.has(name)) out[name] = value;
  return out;
}

export const dlqCommands: AdminCommand[] = [
  {
    name: 'dlq resend',
    usage: '-i offsetMsgId [-g producerGroup]  (a message of a %DLQ%<group> topic, sent again to its original topic)',
    options: { id: { type: 'string', short: 'i' }, group: { type: 'string', short: 'g' } },
    async run({ client, out, values }) {
      const id = requiredOption(values, 'id', 'i');
      const message = await messageByOffsetId(client, id);
      if (message === undefined) throw new Error(`no message with offset id '${id}' on a known broker`);
      if (!message.topic.startsWith(DLQ_PREFIX)) throw new Error(`message '${id}' is in topic '${message.topic}', not a ${DLQ_PREFIX}<group> topic`);
      const topic = message.properties[MessageConst.RETRY_TOPIC];
      if (topic === undefined || topic === '') throw new Error(`message '${id}' does not name its original topic (no ${MessageConst.RETRY_TOPIC} property)`);
      const compressed = (message.sysFlag & MessageSysFlag.COMPRESSED_FLAG) !== 0;
      const producer = new Producer({ groupName: optionalOption(values, 'group') ?? 'cometmq_cli_dlq_resend', namesrvAddr: client.namesrvAddr, logger: silentLogger });
      await producer.start();
      try {
        const result = await producer.send({
          topic,
          body: compressed ? inflateSync(message.body) : message.body,
          ...(message.tags === undefined ? {} : { tags: message.tags }),
          ...(message.keys === undefined ? {} : { keys: message.keys }),
          properties: userProperties(message),
          flag: message.flag,
        });
        const resent = { dlqMsgId: id, dlqTopic: message.topic, topic, msgId: result.msgId, offsetMsgId: result.offsetMsgId,
          queueId: result.messageQueue.queueId, queueOffset: result.queueOffset, sendStatus: result.sendStatus };
        out.emit({ resent }, () => `resent ${id} (${message.topic}) to ${topic}: ${result.sendStatus}, msgId ${result.msgId}, offsetMsgId ${result.offsetMsgId}, queue ${resent.queueId} offset ${resent.queueOffset}`);
      } finally {
        await producer.shutdown();
      }
    },
  },
];
