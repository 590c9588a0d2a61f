/**
 * PULL_MESSAGE (11) and LITE_PULL_MESSAGE (361): checks, the subscription (from the header or the
 * heartbeat), the commit-offset piggyback, the store read with the tag-code filter followed by an
 * exact TAGS match, and long polling: a PULL_NOT_FOUND with the SUSPEND flag is parked in the
 * PullHoldService and answered by its re-execution (remoting-protocol.md §5.4).
 */
import { forEachRecord } from '../../message/record-decoder';
import { mqError } from '../../protocol/errors';
import {
  PullMessageRequestHeader,
  PullMessageResponseHeader,
  PullSysFlag,
  type PullMessageRequest,
} from '../../protocol/headers/pull-message-headers';
import { createFastResponse, createResponse, releaseFrame, type RemotingCommand } from '../../protocol/remoting-command';
import { ResponseCode } from '../../protocol/response-code';
import type { GetMessageResult } from '../../store/message-store';
import type { BrokerContext } from '../broker-context';
import { passesEveryRecord, recordMatches, subscriptionFilter, type SubscriptionFilter } from '../filter/message-filter';
import { mapGetStatus, suggestWhichBrokerId } from '../status-mapping';
import { isReadable } from '../topic/topic-config-manager';

/** Which slave a lagging consumer is sent to (SubscriptionGroupConfig default). */
const WHICH_BROKER_WHEN_CONSUME_SLOWLY = 1;

type PullHeader = PullMessageRequest;

export function createPullMessageHandler(broker: BrokerContext) {
  return (request: RemotingCommand): RemotingCommand | Promise<RemotingCommand> => {
    // Read straight from a binary header's bytes when it came in that form.
    const header = PullMessageRequestHeader.decodeFrom(request);
    const filter = checkPull(broker, header);
    if ((header.sysFlag & PullSysFlag.COMMIT_OFFSET) !== 0 && header.commitOffset >= 0 && broker.config.brokerRole !== 'SLAVE') {
      broker.offsets.commitOffset(header.consumerGroup, header.topic, header.queueId, header.commitOffset);
    }
    const { response } = executePull(broker, header, filter);
    const mayHold = (header.sysFlag & PullSysFlag.SUSPEND) !== 0 && response.code === ResponseCode.PULL_NOT_FOUND;
    if (!mayHold) return response;
    releaseFrame(request);
    const holdMs = broker.config.longPollingEnable ? header.suspendTimeoutMillis : broker.config.shortPollingTimeMills;
    const deadline = broker.clock.now() + Math.max(0, holdMs);
    return new Promise<RemotingCommand>((resolve) => {
      // The re-execution reads from the client's offset again and never commits the offset again
      // (Apache: brokerAllowSuspend=false). When only non-matching tags arrived before the deadline,
      // the pull is parked again past them, so it answers as soon as a matching message arrives.
      const park = (wakeAfterOffset: number): void => broker.pullHold.hold({
        topic: header.topic,
        queueId: header.queueId,
        queueOffset: wakeAfterOffset,
        deadline,
        wake: (reason) => {
          let again: RemotingCommand;
          let next: number;
          try {
            ({ response: again, nextBeginOffset: next } = executePull(broker, header, filter));
          } catch (err) {
            resolve(createResponse(ResponseCode.SYSTEM_ERROR, (err as Error).message));
            return;
          }
          const isAllFiltered = again.code === ResponseCode.PULL_RETRY_IMMEDIATELY && again.remark === 'NO_MATCHED_MESSAGE';
          if (reason === 'arrival' && isAllFiltered && next > wakeAfterOffset && broker.clock.now() < deadline) park(next);
          else resolve(again);
        },
      });
      park(header.queueOffset);
    });
  };
}

function checkPull(broker: BrokerContext, header: PullHeader): SubscriptionFilter {
  if (!isReadable(broker.config.brokerPermission)) {
    throw mqError('ERR_NO_PERMISSION', `the broker[${broker.config.brokerIP1}] pulling message is forbidden`);
  }
  const topicConfig = broker.topics.get(header.topic);
  if (topicConfig === undefined) {
    throw mqError('ERR_TOPIC_NOT_EXIST', `topic[${header.topic}] not exist, apply first please! https://rocketmq.apache.org/docs/bestPractice/06FAQ`);
  }
  if (!isReadable(topicConfig.perm)) throw mqError('ERR_NO_PERMISSION', `the topic[${header.topic}] pulling message is forbidden`);
  if (header.queueId < 0 || header.queueId >= topicConfig.readQueueNums) {
    throw mqError('ERR_INVALID_PARAMETER', `queueId[${header.queueId}] is illegal, topic:[${header.topic}] topicConfig.readQueueNums:[${topicConfig.readQueueNums}] consumer:[${header.consumerGroup}]`);
  }
  // Apache creates the group's config on its first pull when autoCreateSubscriptionGroup is on.
  const group = broker.groups.findOrCreate(header.consumerGroup);
  if (group === undefined) {
    throw mqError('ERR_SUBSCRIPTION_GROUP_NOT_EXIST', `subscription group [${header.consumerGroup}] does not exist, https://rocketmq.apache.org/docs/bestPractice/06FAQ`);
  }
  if (!group.consumeEnable) throw mqError('ERR_NO_PERMISSION', `subscription group no permission, ${header.consumerGroup}`);
  if (header.maxMsgNums < 1) throw mqError('ERR_INVALID_PARAMETER', `maxMsgNums[${header.maxMsgNums}] must be positive`);
  if (header.queueOffset < 0) throw mqError('ERR_INVALID_PARAMETER', `queueOffset[${header.queueOffset}] must not be negative`);
  if ((header.sysFlag & PullSysFlag.SUBSCRIPTION) !== 0) return subscriptionFilter(broker, header.consumerGroup, header.topic, header.subscription, header.expressionType);
  const registered = broker.consumers.subscription(header.consumerGroup, header.topic);
  if (registered === undefined) {
    throw mqError('ERR_SUBSCRIPTION_NOT_EXIST', `the consumer's subscription not exist, group: ${header.consumerGroup}`);
  }
  if (registered.subVersion < header.subVersion) {
    throw mqError('ERR_SUBSCRIPTION_NOT_LATEST', `the consumer's subscription not latest, group: ${header.consumerGroup}`);
  }
  return subscriptionFilter(broker, header.consumerGroup, header.topic, registered.subString, registered.expressionType);
}

/** One read of the store, mapped to the response (every outcome carries the four offset fields). */
function executePull(broker: BrokerContext, header: PullHeader, filter: SubscriptionFilter): { response: RemotingCommand; nextBeginOffset: number } {
  const result = broker.store.getMessage(header.topic, header.queueId, header.queueOffset, header.maxMsgNums,
    filter.codes.length > 0 ? { tagsCodes: filter.codes } : undefined);
  let status = result.status;
  let body: Buffer | undefined;
  if (status === 'FOUND') {
    body = exactTagMatch(result, filter);
    if (body === undefined) status = 'NO_MATCHED_MESSAGE';
  }
  const mapped = mapGetStatus(status, header.queueOffset);
  const fields = PullMessageResponseHeader.fields({
    suggestWhichBrokerId: suggestWhichBrokerId(result.suggestPullingFromSlave,
      broker.groups.get(header.consumerGroup)?.whichBrokerWhenConsumeSlowly ?? WHICH_BROKER_WHEN_CONSUME_SLOWLY),
    nextBeginOffset: result.nextBeginOffset,
    minOffset: result.minOffset,
    maxOffset: result.maxOffset,
  });
  return { response: createFastResponse(mapped.code, mapped.remark, fields, body), nextBeginOffset: result.nextBeginOffset };
}

/**
 * The records whose TAGS really are subscribed (the ConsumeQueue filter compares hash codes only).
 * Returns the store's buffer untouched when nothing is dropped, undefined when everything is.
 */
function exactTagMatch(result: GetMessageResult, filter: SubscriptionFilter): Buffer | undefined {
  const records = result.records;
  if (records === null) return undefined;
  if (passesEveryRecord(filter)) return records;
  const kept: Buffer[] = [];
  let dropped = 0;
  forEachRecord(records, (message, offset) => {
    if (recordMatches(filter, message)) kept.push(records.subarray(offset, offset + message.storeSize));
    else dropped++;
  });
  if (kept.length === 0) return undefined;
  return dropped === 0 ? records : Buffer.concat(kept);
}
