/**
 * Where SQL92 subscriptions are checked before any pull: HEART_BEAT (each SQL92 subscription is
 * compiled into the filter cache; a group whose expression does not parse is not registered and the
 * heartbeat is answered SUBSCRIPTION_PARSE_FAILED) and CHECK_CLIENT_CONFIG (46), which Java
 * consumers send at start() for every non-TAG subscription.
 */
import type { MqError } from '../../common/mq-error';
import { mqError } from '../../protocol/errors';
import { createResponse, type RemotingCommand } from '../../protocol/remoting-command';
import { ResponseCode } from '../../protocol/response-code';
import type { BrokerContext } from '../broker-context';
import type { ConsumerRegistration } from '../registry/consumer-registry';
import { SQL92 } from './message-filter';

export interface HeartbeatFilterCheck {
  /** The consumers to register: every one whose SQL92 subscriptions compiled. */
  readonly accepted: readonly ConsumerRegistration[];
  /** The first failure (SUBSCRIPTION_PARSE_FAILED naming group, topic and the parser's message). */
  readonly failure: MqError | undefined;
}

export function checkHeartbeatFilters(broker: BrokerContext, consumers: readonly ConsumerRegistration[]): HeartbeatFilterCheck {
  // With property filtering off, Apache registers SQL92 subscriptions and refuses their pulls.
  if (!broker.config.enablePropertyFilter) return { accepted: consumers, failure: undefined };
  const accepted: ConsumerRegistration[] = [];
  let failure: MqError | undefined;
  for (const consumer of consumers) {
    const problem = firstParseFailure(broker, consumer);
    if (problem === undefined) accepted.push(consumer);
    else failure ??= problem;
  }
  return { accepted, failure };
}

function firstParseFailure(broker: BrokerContext, consumer: ConsumerRegistration): MqError | undefined {
  for (const sub of consumer.subscriptions ?? []) {
    if (sub.expressionType !== SQL92) continue;
    try {
      broker.filters.get(consumer.groupName, sub.topic, sub.subString);
    } catch (err) {
      return mqError('ERR_SUBSCRIPTION_PARSE_FAILED', `group ${consumer.groupName}, topic ${sub.topic}: ${(err as Error).message}`, err);
    }
  }
  return undefined;
}

/**
 * CHECK_CLIENT_CONFIG (46), body CheckClientRequestBody {clientId, group, subscriptionData}: SUCCESS
 * for TAG (or no subscription), SYSTEM_ERROR while property filtering is off, else the compile
 * result: SUCCESS or SUBSCRIPTION_PARSE_FAILED with the parser's message as remark.
 */
export function createCheckClientConfigHandler(broker: BrokerContext) {
  return (request: RemotingCommand): RemotingCommand => {
    const body = decodeCheckClientBody(request.body);
    const sub = body.subscriptionData;
    if (sub === undefined || sub.expressionType === undefined || sub.expressionType === '' || sub.expressionType === 'TAG') {
      return createResponse(ResponseCode.SUCCESS);
    }
    if (!broker.config.enablePropertyFilter) {
      return createResponse(ResponseCode.SYSTEM_ERROR, `The broker does not support consumer to filter message by ${sub.expressionType}`);
    }
    if (sub.expressionType !== SQL92) {
      return createResponse(ResponseCode.SUBSCRIPTION_PARSE_FAILED, `expression type ${sub.expressionType} is not supported (TAG or SQL92)`);
    }
    try {
      broker.filters.get(body.group, sub.topic, sub.subString);
    } catch (err) {
      return createResponse(ResponseCode.SUBSCRIPTION_PARSE_FAILED, (err as Error).message);
    }
    return createResponse(ResponseCode.SUCCESS);
  };
}

interface CheckClientBody {
  readonly group: string;
  readonly subscriptionData: { readonly topic: string; readonly subString: string; readonly expressionType: string | undefined } | undefined;
}

function decodeCheckClientBody(body: Buffer | undefined): CheckClientBody {
  if (body === undefined || body.length === 0) return { group: '', subscriptionData: undefined };
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw mqError('ERR_BODY_MALFORMED', `CHECK_CLIENT_CONFIG body is not JSON: ${(err as Error).message}`, err);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw mqError('ERR_BODY_MALFORMED', 'CheckClientRequestBody must be an object');
  const record = json as Record<string, unknown>;
  const group = typeof record['group'] === 'string' ? record['group'] : '';
  const sub = record['subscriptionData'];
  if (sub === undefined || sub === null) return { group, subscriptionData: undefined };
  if (typeof sub !== 'object' || Array.isArray(sub)) throw mqError('ERR_BODY_MALFORMED', 'CheckClientRequestBody.subscriptionData must be an object');
  const s = sub as Record<string, unknown>;
  return {
    group,
    subscriptionData: {
      topic: typeof s['topic'] === 'string' ? s['topic'] : '',
      subString: typeof s['subString'] === 'string' ? s['subString'] : '',
      expressionType: typeof s['expressionType'] === 'string' ? s['expressionType'] : undefined,
    },
  };
}
