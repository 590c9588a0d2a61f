/**
 * Consumer-group admin codes: UPDATE_AND_CREATE_SUBSCRIPTIONGROUP (200, body SubscriptionGroupConfig
 * JSON), GET_ALL_SUBSCRIPTIONGROUP_CONFIG (201) and DELETE_SUBSCRIPTIONGROUP (207, `groupName`).
 */
import { mqError } from '../../protocol/errors';
import { requiredString } from '../../protocol/headers/header-fields';
import { createResponse, type RemotingCommand } from '../../protocol/remoting-command';
import { ResponseCode } from '../../protocol/response-code';
import type { BrokerContext } from '../broker-context';
import { subscriptionGroupFromJson } from '../subscription/subscription-group-manager';

export function createUpdateSubscriptionGroupHandler(broker: BrokerContext) {
  return (request: RemotingCommand): RemotingCommand => {
    let config;
    try {
      config = subscriptionGroupFromJson(JSON.parse((request.body ?? Buffer.alloc(0)).toString('utf8')));
    } catch (err) {
      throw mqError('ERR_BODY_MALFORMED', `SubscriptionGroupConfig: ${(err as Error).message}`, err);
    }
    if (!/^[%|a-zA-Z0-9_-]{1,120}$/.test(config.groupName)) {
      throw mqError('ERR_INVALID_PARAMETER', `the group name[${config.groupName}] is illegal`);
    }
    broker.groups.update(config);
    return createResponse(ResponseCode.SUCCESS);
  };
}

export function createGetAllSubscriptionGroupHandler(broker: BrokerContext) {
  return (): RemotingCommand => createResponse(ResponseCode.SUCCESS, undefined, {}, Buffer.from(broker.groups.encode(), 'utf8'));
}

export function createDeleteSubscriptionGroupHandler(broker: BrokerContext) {
  return (request: RemotingCommand): RemotingCommand => {
    broker.groups.delete(requiredString(request, 'groupName'));
    return createResponse(ResponseCode.SUCCESS);
  };
}
