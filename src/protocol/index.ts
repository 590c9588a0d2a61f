export { RequestCode } from './request-code';
export type { RequestCodeName, RequestCodeValue } from './request-code';
export { ResponseCode, isStoredSendCode } from './response-code';
export type { ResponseCodeName, ResponseCodeValue } from './response-code';
export { LanguageCode, MQVersion, CURRENT_VERSION, languageFromByte, languageFromName } from './language-code';
export type { LanguageName } from './language-code';
export { SerializeType } from './serialize-type';
export type { SerializeTypeValue } from './serialize-type';
export {
  FLAG_RESPONSE,
  FLAG_ONEWAY,
  isResponse,
  isOneway,
  createRequest,
  createResponse,
  createResponseFor,
  createFastResponse,
  createFastRequest,
  createBinaryDecodedCommand,
  copyCommand,
  releaseFrame,
} from './remoting-command';
export { readBinaryString, checkBinaryExtFields, decodeBinaryExtFields } from './binary-ext-fields';
export type { RawExtFields } from './binary-ext-fields';
export type { RemotingCommand, FastExtFields, BinaryExtFieldsSink } from './remoting-command';
export { ErrorCatalogue, mqError, errorCodeForResponse, responseError } from './errors';
export type { ErrorSpec, ErrorCode } from './errors';
export * from './headers';
export { toFastjson, encodeFastjsonBody, javaDouble, JavaDouble, wantsStandardJson } from './fastjson-writer';
export type { FastjsonOptions } from './fastjson-writer';
export { parseFastjson } from './fastjson-parser';
export { decodeBatchBody, encodeBatchBody } from './batch-body';
export type { BatchEntry } from './batch-body';
export { SUB_ALL, MATCH_ALL, parseTagExpression, tagMatches } from './subscription';
export type { TagFilter } from './subscription';
export type { SubscriptionData } from './subscription-data';
