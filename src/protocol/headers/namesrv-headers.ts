import { defineHeader, optional, required, type HeaderOf } from './header-schema';

/** GET_ROUTEINFO_BY_TOPIC (105). */
export const GetRouteInfoRequestHeader = defineHeader('GetRouteInfoRequestHeader', {
  topic: required('string'),
  acceptStandardJsonOnly: optional('boolean'),
});
export type GetRouteInfoRequest = HeaderOf<typeof GetRouteInfoRequestHeader.schema>;

/** REGISTER_BROKER (103). `bodyCrc32` 0 means unchecked; `zoneName` is an ext key. */
export const RegisterBrokerRequestHeader = defineHeader('RegisterBrokerRequestHeader', {
  brokerName: required('string'),
  brokerAddr: required('string'),
  clusterName: required('string'),
  haServerAddr: required('string'),
  brokerId: required('long'),
  heartbeatTimeoutMillis: optional('long'),
  enableActingMaster: optional('boolean'),
  compressed: optional('boolean'),
  bodyCrc32: optional('int'),
  zoneName: optional('string'),
});
export type RegisterBrokerRequest = HeaderOf<typeof RegisterBrokerRequestHeader.schema>;

export const RegisterBrokerResponseHeader = defineHeader('RegisterBrokerResponseHeader', {
  haServerAddr: optional('string'),
  masterAddr: optional('string'),
});
export type RegisterBrokerResponse = HeaderOf<typeof RegisterBrokerResponseHeader.schema>;

/** UNREGISTER_BROKER (104). */
export const UnregisterBrokerRequestHeader = defineHeader('UnRegisterBrokerRequestHeader', {
  brokerName: required('string'),
  brokerAddr: required('string'),
  clusterName: required('string'),
  brokerId: required('long'),
});
export type UnregisterBrokerRequest = HeaderOf<typeof UnregisterBrokerRequestHeader.schema>;

/** DELETE_TOPIC_IN_NAMESRV (216). */
export const DeleteTopicFromNamesrvRequestHeader = defineHeader('DeleteTopicFromNamesrvRequestHeader', {
  topic: required('string'),
  clusterName: optional('string'),
});
export type DeleteTopicFromNamesrvRequest = HeaderOf<typeof DeleteTopicFromNamesrvRequestHeader.schema>;

/** GET_TOPICS_BY_CLUSTER (224). */
export const GetTopicsByClusterRequestHeader = defineHeader('GetTopicsByClusterRequestHeader', {
  cluster: required('string'),
});

/** PUT_KV_CONFIG (100). */
export const PutKVConfigRequestHeader = defineHeader('PutKVConfigRequestHeader', {
  namespace: required('string'),
  key: required('string'),
  value: required('string'),
});
export type PutKVConfigRequest = HeaderOf<typeof PutKVConfigRequestHeader.schema>;

/** GET_KV_CONFIG (101) and DELETE_KV_CONFIG (102). */
export const KVConfigKeyRequestHeader = defineHeader('GetKVConfigRequestHeader', {
  namespace: required('string'),
  key: required('string'),
});
export type KVConfigKeyRequest = HeaderOf<typeof KVConfigKeyRequestHeader.schema>;

/** GET_KV_CONFIG answer. */
export const GetKVConfigResponseHeader = defineHeader('GetKVConfigResponseHeader', {
  value: optional('string'),
});

/** GET_KVLIST_BY_NAMESPACE (219). */
export const GetKVListByNamespaceRequestHeader = defineHeader('GetKVListByNamespaceRequestHeader', {
  namespace: required('string'),
});

/** WIPE_WRITE_PERM_OF_BROKER (205) / ADD_WRITE_PERM_OF_BROKER (327). */
export const BrokerNameRequestHeader = defineHeader('WipeWritePermOfBrokerRequestHeader', {
  brokerName: required('string'),
});
