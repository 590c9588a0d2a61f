/**
 * Route and topic codes: GET_ROUTEINFO_BY_TOPIC (105), GET_BROKER_CLUSTER_INFO (106),
 * GET_ALL_TOPIC_LIST_FROM_NAMESERVER (206), GET_TOPICS_BY_CLUSTER (224), DELETE_TOPIC_IN_NAMESRV (216).
 * remoting-protocol.md §4.1, §4.2, §4.4.
 */
import { optionalBoolean, optionalString, requiredString } from '../../protocol/headers/header-fields';
import { createResponse, type RemotingCommand } from '../../protocol/remoting-command';
import { RequestCode } from '../../protocol/request-code';
import { ResponseCode } from '../../protocol/response-code';
import type { RequestHandler } from '../../remoting/request-handler';
import { encodeClusterInfo, encodeTopicList, encodeTopicRouteData, wantsStandardJson } from '../route-json';
import { NAMESPACE_ORDER_TOPIC_CONFIG } from '../route-types';
import type { NamesrvContext } from './namesrv-context';

/** FAQUrl.suggestTodo(APPLY_TOPIC_URL), appended to RocketMQ's TOPIC_NOT_EXIST remark. */
const APPLY_TOPIC_HINT = '\nSee https://rocketmq.apache.org/docs/bestPractice/06FAQ for further details.';

export function routeQueryHandlers(ns: NamesrvContext): Array<[number, RequestHandler]> {
  return [
    [RequestCode.GET_ROUTEINFO_BY_TOPIC, (req) => getRouteInfoByTopic(ns, req)],
    [RequestCode.GET_BROKER_CLUSTER_INFO, () => createResponse(ResponseCode.SUCCESS, undefined, {}, encodeClusterInfo(ns.routes.getAllClusterInfo()))],
    [RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER, () => getAllTopicList(ns)],
    [RequestCode.GET_TOPICS_BY_CLUSTER, (req) => getTopicsByCluster(ns, req)],
    [RequestCode.DELETE_TOPIC_IN_NAMESRV, (req) => deleteTopic(ns, req)],
  ];
}

function getRouteInfoByTopic(ns: NamesrvContext, request: RemotingCommand): RemotingCommand {
  const topic = requiredString(request, 'topic');
  const route = ns.routes.pickupTopicRouteData(topic);
  if (route === undefined) {
    return createResponse(ResponseCode.TOPIC_NOT_EXIST, `No topic route info in name server for the topic: ${topic}${APPLY_TOPIC_HINT}`);
  }
  const orderTopicConf = ns.config.orderMessageEnable ? ns.kv.get(NAMESPACE_ORDER_TOPIC_CONFIG, topic) : undefined;
  const standard = wantsStandardJson(request.version, optionalBoolean(request, 'acceptStandardJsonOnly') ?? false);
  const body = encodeTopicRouteData(orderTopicConf === undefined ? route : { ...route, orderTopicConf }, standard);
  return createResponse(ResponseCode.SUCCESS, undefined, {}, body);
}

function getAllTopicList(ns: NamesrvContext): RemotingCommand {
  if (!ns.config.enableAllTopicList) return createResponse(ResponseCode.SYSTEM_ERROR, 'disable');
  return createResponse(ResponseCode.SUCCESS, undefined, {}, encodeTopicList(ns.routes.getAllTopicList()));
}

function getTopicsByCluster(ns: NamesrvContext, request: RemotingCommand): RemotingCommand {
  if (!ns.config.enableTopicList) return createResponse(ResponseCode.SYSTEM_ERROR, 'disable');
  const cluster = requiredString(request, 'cluster');
  return createResponse(ResponseCode.SUCCESS, undefined, {}, encodeTopicList(ns.routes.getTopicsByCluster(cluster)));
}

function deleteTopic(ns: NamesrvContext, request: RemotingCommand): RemotingCommand {
  ns.routes.deleteTopic(requiredString(request, 'topic'), optionalString(request, 'clusterName'));
  return createResponse(ResponseCode.SUCCESS);
}
