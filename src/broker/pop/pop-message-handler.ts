/**
 * POP_MESSAGE (200050): pops up to maxMsgNums (<= 32) messages of (group, topic) from one queue or
 * any (-1), and from the group's pop retry topic (first on every fifth request, else when the topic
 * did not fill the batch, as RocketMQ's popFromRetryProbability does), writes a checkpoint per queue
 * popped and answers with RocketMQ's PopMessageResponseHeader. Nothing there: held up to pollTime
 * (PopHoldService), then POLLING_TIMEOUT; POLLING_FULL when too many pops already wait.
 */
import type { MessageToStore } from '../../message/message-types';
import { encodeRecord, recordSize } from '../../message/record-encoder';
import { mqError } from '../../protocol/errors';
import { createResponse, releaseFrame, type RemotingCommand } from '../../protocol/remoting-command';
import { ResponseCode } from '../../protocol/response-code';
import { buildMsgOffsetInfo, buildReceiptHandle, buildStartOffsetInfo } from '../../protocol/headers/pop-extra-info';
import { PopInitMode, PopMessageRequestHeader, PopMessageResponseHeader, type PopMessageRequest } from '../../protocol/headers/pop-headers';
import type { BrokerContext } from '../broker-context';
import { subscriptionFilter, type SubscriptionFilter } from '../filter/message-filter';
import { mapPutStatus } from '../status-mapping';
import { isReadable } from '../topic/topic-config-manager';
import { hasPoppable, popOnce, type PoppedFromQueue } from './pop-engine';
import type { PopService } from './pop-service';
import { POP_CK } from './pop-records';

export const MAX_POP_BATCH = 32;
/** One request in this many pops the retry topic first (RocketMQ popFromRetryProbability 20%). */
const RETRY_FIRST_EVERY = 5;

interface PopOutcome {
  readonly response: RemotingCommand;
  readonly found: boolean;
}

export function createPopMessageHandler(broker: BrokerContext, pop: PopService) {
  let requests = 0;
  return async (request: RemotingCommand): Promise<RemotingCommand> => {
    const header = PopMessageRequestHeader.decodeFrom(request);
    const filter = checkPop(broker, header);
    const retryFirst = requests++ % RETRY_FIRST_EVERY === 0;
    const first = await executePop(broker, pop, header, filter, retryFirst);
    if (first.found || first.response.code !== ResponseCode.POLLING_TIMEOUT || header.pollTime <= 0) return first.response;
    releaseFrame(request);
    const deadline = broker.clock.now() + header.pollTime;
    return new Promise<RemotingCommand>((resolve) => {
      const park = (): void => {
        const isHeld = pop.hold.hold({
          topic: header.topic,
          deadline,
          isReady: () => hasPoppable(broker, pop, header),
          wake: (reason) => {
            if (reason === 'shutdown') {
              resolve(noMessage(broker, header, 0));
              return;
            }
            executePop(broker, pop, header, filter, false).then((again) => {
              // Only filtered-out messages arrived: wait on for a matching one.
              if (!again.found && reason === 'arrival' && again.response.code === ResponseCode.POLLING_TIMEOUT && broker.clock.now() < deadline) park();
              else resolve(again.response);
            }, (err: unknown) => resolve(createResponse((err as { responseCode?: number }).responseCode ?? ResponseCode.SYSTEM_ERROR, (err as Error).message)));
          },
        });
        if (!isHeld) resolve(createResponse(ResponseCode.POLLING_FULL, `the broker[${broker.config.brokerIP1}] pop polling is full`));
      };
      park();
    });
  };
}

function checkPop(broker: BrokerContext, header: PopMessageRequest): SubscriptionFilter {
  const ip = broker.config.brokerIP1;
  if (!isReadable(broker.config.brokerPermission)) throw mqError('ERR_NO_PERMISSION', `the broker[${ip}] pop message is forbidden`);
  if (broker.config.brokerRole === 'SLAVE') throw mqError('ERR_NO_PERMISSION', `the broker[${ip}] is a slave; pop is served by the master`);
  if (header.maxMsgNums > MAX_POP_BATCH) throw mqError('ERR_INVALID_PARAMETER', `the broker[${ip}] pop message's num is greater than ${MAX_POP_BATCH}`);
  if (header.maxMsgNums < 1) throw mqError('ERR_INVALID_PARAMETER', `maxMsgNums[${header.maxMsgNums}] must be positive`);
  if (header.invisibleTime < 1) throw mqError('ERR_INVALID_PARAMETER', `invisibleTime[${header.invisibleTime}] must be positive`);
  if (header.order === true) throw mqError('ERR_INVALID_PARAMETER', 'orderly pop is not supported by this broker');
  if (header.initMode !== PopInitMode.MIN && header.initMode !== PopInitMode.MAX) {
    throw mqError('ERR_INVALID_PARAMETER', `initMode[${header.initMode}] must be 0 (MIN) or 1 (MAX)`);
  }
  const topicConfig = broker.topics.get(header.topic);
  if (topicConfig === undefined) throw mqError('ERR_TOPIC_NOT_EXIST', `topic[${header.topic}] not exist, apply first please!`);
  if (!isReadable(topicConfig.perm)) throw mqError('ERR_NO_PERMISSION', `the topic[${header.topic}] peeking message is forbidden`);
  if (header.queueId < -1 || header.queueId >= topicConfig.readQueueNums) {
    throw mqError('ERR_INVALID_PARAMETER', `queueId[${header.queueId}] is illegal, topic:[${header.topic}] topicConfig.readQueueNums:[${topicConfig.readQueueNums}] consumer:[${header.consumerGroup}]`);
  }
  const group = broker.groups.findOrCreate(header.consumerGroup);
  if (group === undefined) throw mqError('ERR_SUBSCRIPTION_GROUP_NOT_EXIST', `subscription group [${header.consumerGroup}] does not exist`);
  if (!group.consumeEnable) throw mqError('ERR_NO_PERMISSION', `subscription group no permission, ${header.consumerGroup}`);
  const expression = header.exp === undefined || header.exp === '' ? '*' : header.exp;
  return subscriptionFilter(broker, header.consumerGroup, header.topic, expression, header.expType ?? 'TAG');
}

async function executePop(
  broker: BrokerContext, pop: PopService, header: PopMessageRequest, filter: SubscriptionFilter, retryFirst: boolean,
): Promise<PopOutcome> {
  const batch = await popOnce(broker, pop, header, filter, retryFirst);
  if ('failed' in batch) {
    // The popped messages stay in flight in memory and come back after invisibleTime.
    const mapped = mapPutStatus(batch.failed.status, { isDiskFull: broker.store.isDiskFull, diskUsageRatio: -1, storeRemark: batch.failed.remark });
    return { response: createResponse(mapped.code, mapped.remark), found: false };
  }
  if (batch.queues.length === 0) return { response: noMessage(broker, header, batch.restNum), found: false };
  const { popTime, reviveQid, restNum, queues } = batch;
  const extFields = PopMessageResponseHeader.encode({
    popTime, invisibleTime: header.invisibleTime, reviveQid, restNum,
    startOffsetInfo: buildStartOffsetInfo(queues), msgOffsetInfo: buildMsgOffsetInfo(queues),
  });
  const body = Buffer.concat(queues.flatMap((q) => (q.topic === header.topic ? q.records : reencodeRetried(broker, header, q, popTime, reviveQid))));
  return { response: createResponse(ResponseCode.SUCCESS, 'FOUND', extFields, body), found: true };
}

/**
 * Retried messages go out under the topic the consumer asked for, with their receipt handle in
 * POP_CK (RocketMQ's default, popResponseReturnActualRetryTopic=false): the client cannot derive
 * it from startOffsetInfo once the topic is rewritten.
 */
function reencodeRetried(broker: BrokerContext, header: PopMessageRequest, q: PoppedFromQueue, popTime: number, reviveQid: number): Buffer[] {
  return q.messages.map((m) => {
    const handle = buildReceiptHandle({
      ckQueueOffset: q.startOffset, popTime, invisibleTime: header.invisibleTime, reviveQid, retryType: q.retryType,
      brokerName: broker.config.brokerName, queueId: q.queueId, msgQueueOffset: m.queueOffset,
    });
    const message: MessageToStore = {
      topic: header.topic, queueId: m.queueId, body: m.body, flag: m.flag, properties: { ...m.properties, [POP_CK]: handle },
      bornTimestamp: m.bornTimestamp, bornHost: m.bornHost, sysFlag: m.sysFlag, reconsumeTimes: m.reconsumeTimes,
      preparedTransactionOffset: m.preparedTransactionOffset,
    };
    const out = Buffer.alloc(recordSize(message, m.storeHost));
    encodeRecord(out, 0, message, m.storeHost, { bodyCRC: m.bodyCRC, queueOffset: m.queueOffset, physicalOffset: m.commitLogOffset, storeTimestamp: m.storeTimestamp });
    return out;
  });
}

function noMessage(broker: BrokerContext, header: PopMessageRequest, restNum: number): RemotingCommand {
  const extFields = PopMessageResponseHeader.encode({ popTime: broker.clock.now(), invisibleTime: header.invisibleTime, reviveQid: 0, restNum });
  return createResponse(ResponseCode.POLLING_TIMEOUT, 'NO_MESSAGE_IN_QUEUE', extFields);
}
