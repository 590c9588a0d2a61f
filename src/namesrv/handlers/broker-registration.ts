/**
 * Broker-facing codes: REGISTER_BROKER (103), UNREGISTER_BROKER (104), QUERY_DATA_VERSION (322),
 * BROKER_HEARTBEAT (904), and the drain pair WIPE_WRITE_PERM_OF_BROKER (205) /
 * ADD_WRITE_PERM_OF_BROKER (327). remoting-protocol.md §4.3, §4.4.
 */
import { crc32 } from 'node:zlib';
import { mqError } from '../../protocol/errors';
import { optionalBoolean, optionalInt, optionalString, requiredInt, requiredString } from '../../protocol/headers/header-fields';
import { createResponse, type RemotingCommand } from '../../protocol/remoting-command';
import { RequestCode } from '../../protocol/request-code';
import { ResponseCode } from '../../protocol/response-code';
import type { HandlerContext, RequestHandler } from '../../remoting/request-handler';
import { decodeDataVersion, decodeRegisterBrokerBody } from '../register-broker-body';
import { encodeDataVersion, encodeKvTable } from '../route-json';
import { NAMESPACE_ORDER_TOPIC_CONFIG } from '../route-types';
import type { NamesrvContext } from './namesrv-context';

export function brokerRegistrationHandlers(ns: NamesrvContext): Array<[number, RequestHandler]> {
  return [
    [RequestCode.REGISTER_BROKER, (req, ctx) => registerBroker(ns, req, ctx)],
    [RequestCode.UNREGISTER_BROKER, (req) => unregisterBroker(ns, req)],
    [RequestCode.QUERY_DATA_VERSION, (req) => queryDataVersion(ns, req)],
    [RequestCode.BROKER_HEARTBEAT, (req) => brokerHeartbeat(ns, req)],
    [RequestCode.WIPE_WRITE_PERM_OF_BROKER, (req) => setWritePerm(ns, req, false)],
    [RequestCode.ADD_WRITE_PERM_OF_BROKER, (req) => setWritePerm(ns, req, true)],
  ];
}

function registerBroker(ns: NamesrvContext, request: RemotingCommand, ctx: HandlerContext): RemotingCommand {
  const clusterName = requiredString(request, 'clusterName');
  const brokerAddr = requiredString(request, 'brokerAddr');
  const brokerName = requiredString(request, 'brokerName');
  const brokerId = requiredInt(request, 'brokerId');
  const haServerAddr = optionalString(request, 'haServerAddr') ?? '';
  const heartbeatTimeoutMs = optionalInt(request, 'heartbeatTimeoutMillis');
  const zoneName = optionalString(request, 'zoneName');
  const bodyCrc32 = optionalInt(request, 'bodyCrc32') ?? 0;
  const enableActingMaster = optionalBoolean(request, 'enableActingMaster');

  // CRC32 & 0x7FFFFFFF of the body as Java's UtilAll.crc32 computes it; 0 means unchecked.
  if (bodyCrc32 !== 0 && request.body !== undefined) {
    const actual = crc32(request.body) & 0x7fffffff;
    if (actual !== bodyCrc32) return createResponse(ResponseCode.SYSTEM_ERROR, 'crc32 not match');
  }
  const body = decodeRegisterBrokerBody(request.body, optionalBoolean(request, 'compressed') ?? false);

  const result = ns.routes.registerBroker({
    clusterName, brokerAddr, brokerName, brokerId, haServerAddr,
    ...(zoneName === undefined ? {} : { zoneName }),
    ...(heartbeatTimeoutMs === undefined || heartbeatTimeoutMs <= 0 ? {} : { heartbeatTimeoutMs }),
    ...(enableActingMaster === undefined ? {} : { enableActingMaster }),
    dataVersion: body.dataVersion,
    topicConfigs: body.topicConfigs,
    filterServerList: body.filterServerList,
    channel: ctx.connection,
  });
  if (result === undefined) return createResponse(ResponseCode.SYSTEM_ERROR, 'register broker failed');

  const ext: Record<string, string> = {};
  if (result.haServerAddr !== undefined) ext['haServerAddr'] = result.haServerAddr;
  if (result.masterAddr !== undefined) ext['masterAddr'] = result.masterAddr;
  const orderConf = ns.kv.getKvListByNamespace(NAMESPACE_ORDER_TOPIC_CONFIG);
  return createResponse(ResponseCode.SUCCESS, undefined, ext, orderConf === undefined ? undefined : encodeKvTable(orderConf));
}

function unregisterBroker(ns: NamesrvContext, request: RemotingCommand): RemotingCommand {
  ns.routes.unregisterBroker({
    clusterName: requiredString(request, 'clusterName'),
    brokerAddr: requiredString(request, 'brokerAddr'),
    brokerName: requiredString(request, 'brokerName'),
    brokerId: requiredInt(request, 'brokerId'),
  });
  return createResponse(ResponseCode.SUCCESS);
}

/** Answers header `changed` and, when the broker is known, the name server's copy of its DataVersion. */
function queryDataVersion(ns: NamesrvContext, request: RemotingCommand): RemotingCommand {
  const brokerAddr = requiredString(request, 'brokerAddr');
  if (request.body === undefined) throw mqError('ERR_BODY_MALFORMED', 'QUERY_DATA_VERSION needs a DataVersion body');
  const answer = ns.routes.queryDataVersion(brokerAddr, decodeDataVersion(request.body));
  const body = answer.nameServerVersion === undefined ? undefined : encodeDataVersion(answer.nameServerVersion);
  return createResponse(ResponseCode.SUCCESS, undefined, { changed: String(answer.changed) }, body);
}

/** Refreshes liveness only; an unknown broker must register in full first (answered SUCCESS all the same, as Java). */
function brokerHeartbeat(ns: NamesrvContext, request: RemotingCommand): RemotingCommand {
  ns.routes.touchBroker(requiredString(request, 'brokerAddr'));
  return createResponse(ResponseCode.SUCCESS);
}

function setWritePerm(ns: NamesrvContext, request: RemotingCommand, writable: boolean): RemotingCommand {
  const count = ns.routes.setWritePermOfBroker(requiredString(request, 'brokerName'), writable);
  return createResponse(ResponseCode.SUCCESS, undefined, { [writable ? 'addTopicCount' : 'wipeTopicCount']: String(count) });
}
