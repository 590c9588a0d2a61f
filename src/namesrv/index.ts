export { NamesrvController } from './namesrv-controller';
export type { NamesrvControllerOptions, NamesrvServer, NamesrvServerOptions } from './namesrv-controller';
export { createNamesrvConfig, DEFAULT_NAMESRV_CONFIG } from './namesrv-config';
export type { NamesrvConfig, NamesrvConfigInput } from './namesrv-config';
export { RouteInfoManager, DEFAULT_BROKER_EXPIRY_MS } from './route-info-manager';
export type { BrokerLiveInfo, UnregisterTarget, RouteInfoManagerOptions } from './route-info-manager';
export { KvConfigManager } from './kv-config-manager';
export { BrokerHousekeeping } from './broker-housekeeping';
export { namesrvHandlers, registerNamesrvHandlers } from './handlers/handler-table';
export type { NamesrvContext } from './handlers/namesrv-context';
export { decodeRegisterBrokerBody, decodeDataVersion } from './register-broker-body';
export type { RegisterBrokerBody } from './register-broker-body';
export {
  encodeTopicRouteData, encodeClusterInfo, encodeTopicList, encodeKvTable, encodeDataVersion,
  wantsStandardJson, STANDARD_JSON_MIN_VERSION,
} from './route-json';
export * from './route-types';
