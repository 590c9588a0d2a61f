export { defineHeader, required, optional } from './header-schema';
export type { FieldType, FieldSpec, HeaderSchema, HeaderOf, HeaderCodec } from './header-schema';
export * from './send-message-headers';
export * from './pull-message-headers';
export * from './offset-headers';
export * from './namesrv-headers';
export * from './client-headers';
export { requiredString, optionalString, requiredInt, optionalInt, optionalBoolean } from './header-fields';
export * from './transaction-headers';
