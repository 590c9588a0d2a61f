/**
 * CONSUMER_SEND_MSG_BACK (36): a consumer failed a message; the broker stores a copy in
 * %RETRY%<group> on the delay-level schedule (level 3 + reconsumeTimes when the client asks 0), or
 * in %DLQ%<group> once reconsumeTimes reaches maxReconsumeTimes (16) or the client asks a negative
 * level (remoting-protocol.md §5.8).
 */
import { MessageConst } from '../../message/message-const';
import type { MessageToStore } from '../../message/message-types';
import { mqError } from '../../protocol/errors';
import { optionalInt, optionalString, requiredInt, requiredString } from '../../protocol/headers/header-fields';
import { createResponse, type RemotingCommand } from '../../protocol/remoting-command';
import { ResponseCode } from '../../protocol/response-code';
import { parseDelayLevels } from '../../store/store-config';
import { isStored } from '../../store/store-status';
import type { BrokerContext } from '../broker-context';
import { applyDelayLevel } from '../delay/delay-redirect';
import { mapPutStatus } from '../status-mapping';
import { DLQ_GROUP_TOPIC_PREFIX, PERM_READ, PERM_WRITE, RETRY_GROUP_TOPIC_PREFIX, isWriteable } from '../topic/topic-config-manager';

/** Request version from which maxReconsumeTimes in the header is honoured (V3_4_9). */
const VERSION_WITH_MAX_RECONSUME_TIMES = 121;

export function createConsumerSendBackHandler(broker: BrokerContext) {
  const levelCount = parseDelayLevels(broker.config.store.messageDelayLevel).length;
  return async (request: RemotingCommand): Promise<RemotingCommand> => {
    const physicalOffset = requiredInt(request, 'offset');
    const group = requiredString(request, 'group');
    const delayLevel = requiredInt(request, 'delayLevel');
    const originMsgId = optionalString(request, 'originMsgId');
    const headerMax = optionalInt(request, 'maxReconsumeTimes', -1);
    const groupConfig = broker.groups.findOrCreate(group);
    if (groupConfig === undefined) throw mqError('ERR_SUBSCRIPTION_GROUP_NOT_EXIST', `subscription group not exist, ${group}`);
    const maxReconsumeTimes = request.version >= VERSION_WITH_MAX_RECONSUME_TIMES && headerMax >= 0 ? headerMax : groupConfig.retryMaxTimes;
    if (!isWriteable(broker.config.brokerPermission) || broker.config.brokerRole === 'SLAVE') {
      throw mqError('ERR_NO_PERMISSION', `the broker[${broker.config.brokerIP1}] sending message is forbidden`);
    }
    if (groupConfig.retryQueueNums <= 0) return createResponse(ResponseCode.SUCCESS);
    if (physicalOffset < 0) throw mqError('ERR_INVALID_PARAMETER', `offset ${physicalOffset} must not be negative`);
    const retryTopic = RETRY_GROUP_TOPIC_PREFIX + group;
    broker.topics.getOrCreateGroupTopic(retryTopic, groupConfig.retryQueueNums, PERM_READ | PERM_WRITE);
    const original = broker.store.lookMessageByOffset(physicalOffset);
    if (original === null) return createResponse(ResponseCode.SYSTEM_ERROR, `look message by offset failed, ${physicalOffset}`);

    const properties: Record<string, string> = { ...original.properties };
    properties[MessageConst.RETRY_TOPIC] ??= original.topic;
    properties[MessageConst.ORIGIN_MESSAGE_ID] ??= originMsgId !== undefined && originMsgId !== '' ? originMsgId : original.msgId;
    delete properties[MessageConst.DELAY];

    let target = { topic: retryTopic, queueId: Math.floor(Math.random() * groupConfig.retryQueueNums) };
    if (original.reconsumeTimes >= maxReconsumeTimes || delayLevel < 0) {
      target = { topic: DLQ_GROUP_TOPIC_PREFIX + group, queueId: 0 };
      broker.topics.getOrCreateGroupTopic(target.topic, 1, PERM_READ | PERM_WRITE);
    } else {
      properties[MessageConst.DELAY] = String(delayLevel === 0 ? 3 + original.reconsumeTimes : delayLevel);
      target = applyDelayLevel(properties, target, original.sysFlag, levelCount);
    }
    const message: MessageToStore = {
      topic: target.topic, queueId: target.queueId, body: original.body, flag: original.flag, properties,
      bornTimestamp: original.bornTimestamp, bornHost: original.bornHost, sysFlag: original.sysFlag,
      reconsumeTimes: original.reconsumeTimes + 1,
    };
    const result = await broker.store.putMessage(message);
    if (isStored(result.status)) return createResponse(ResponseCode.SUCCESS);
    const mapped = mapPutStatus(result.status, { isDiskFull: broker.store.isDiskFull, diskUsageRatio: -1, storeRemark: result.remark });
    return createResponse(mapped.code, mapped.remark);
  };
}
