/**
 * KV codes: PUT_KV_CONFIG (100), GET_KV_CONFIG (101), DELETE_KV_CONFIG (102),
 * GET_KVLIST_BY_NAMESPACE (219). remoting-protocol.md §4.4.
 */
import { requiredString } from '../../protocol/headers/header-fields';
import { createResponse, type RemotingCommand } from '../../protocol/remoting-command';
import { RequestCode } from '../../protocol/request-code';
import { ResponseCode } from '../../protocol/response-code';
import type { RequestHandler } from '../../remoting/request-handler';
import { encodeKvTable } from '../route-json';
import type { NamesrvContext } from './namesrv-context';

export function kvConfigHandlers(ns: NamesrvContext): Array<[number, RequestHandler]> {
  return [
    [RequestCode.PUT_KV_CONFIG, (req) => putKvConfig(ns, req)],
    [RequestCode.GET_KV_CONFIG, (req) => getKvConfig(ns, req)],
    [RequestCode.DELETE_KV_CONFIG, (req) => deleteKvConfig(ns, req)],
    [RequestCode.GET_KVLIST_BY_NAMESPACE, (req) => getKvListByNamespace(ns, req)],
  ];
}

function putKvConfig(ns: NamesrvContext, request: RemotingCommand): RemotingCommand {
  const namespace = requiredString(request, 'namespace');
  const key = requiredString(request, 'key');
  const value = request.extFields['value'];
  if (value === undefined) return createResponse(ResponseCode.SYSTEM_ERROR, 'namespace or key or value is null');
  ns.kv.put(namespace, key, value);
  return createResponse(ResponseCode.SUCCESS);
}

function getKvConfig(ns: NamesrvContext, request: RemotingCommand): RemotingCommand {
  const namespace = requiredString(request, 'namespace');
  const key = requiredString(request, 'key');
  const value = ns.kv.get(namespace, key);
  if (value === undefined) return createResponse(ResponseCode.QUERY_NOT_FOUND, `No config item, Namespace: ${namespace} Key: ${key}`);
  return createResponse(ResponseCode.SUCCESS, undefined, { value });
}

function deleteKvConfig(ns: NamesrvContext, request: RemotingCommand): RemotingCommand {
  ns.kv.delete(requiredString(request, 'namespace'), requiredString(request, 'key'));
  return createResponse(ResponseCode.SUCCESS);
}

function getKvListByNamespace(ns: NamesrvContext, request: RemotingCommand): RemotingCommand {
  const namespace = requiredString(request, 'namespace');
  const table = ns.kv.getKvListByNamespace(namespace);
  if (table === undefined) return createResponse(ResponseCode.QUERY_NOT_FOUND, `No config item, Namespace: ${namespace}`);
  return createResponse(ResponseCode.SUCCESS, undefined, {}, encodeKvTable(table));
}
