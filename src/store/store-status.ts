/**
 * Store outcome statuses (RocketMQ's PutMessageStatus / GetMessageStatus names) and the ONE table
 * that translates the addon's status numbers into them. The table is built from the addon's own
 * name -> number constants at load, and fails loudly if either side has a name the other lacks.
 */
import { MqError } from '../common/mq-error';
import type { NativeCodeTable } from './native/native-types';

export const PUT_STATUSES = [
  'PUT_OK',
  'FLUSH_DISK_TIMEOUT',
  'FLUSH_SLAVE_TIMEOUT',
  'SLAVE_NOT_AVAILABLE',
  'SERVICE_NOT_AVAILABLE',
  'CREATE_MAPPED_FILE_FAILED',
  'MESSAGE_ILLEGAL',
  'PROPERTIES_SIZE_EXCEEDED',
  'OS_PAGE_CACHE_BUSY',
  'UNKNOWN_ERROR',
] as const;
export type PutStatus = (typeof PUT_STATUSES)[number];

export const GET_STATUSES = [
  'FOUND',
  'NO_MATCHED_MESSAGE',
  'MESSAGE_WAS_REMOVING',
  'OFFSET_FOUND_NULL',
  'OFFSET_OVERFLOW_BADLY',
  'OFFSET_OVERFLOW_ONE',
  'OFFSET_TOO_SMALL',
  'NO_MATCHED_LOGIC_QUEUE',
  'NO_MESSAGE_IN_QUEUE',
] as const;
export type GetStatus = (typeof GET_STATUSES)[number];

/** Put statuses the native append can return (the rest are produced in TS). */
export const NATIVE_PUT_STATUSES: readonly PutStatus[] = [
  'PUT_OK',
  'CREATE_MAPPED_FILE_FAILED',
  'MESSAGE_ILLEGAL',
  'PROPERTIES_SIZE_EXCEEDED',
  'SERVICE_NOT_AVAILABLE',
  'UNKNOWN_ERROR',
];

/** Statuses with which the message was nevertheless stored ("success with caveat"). */
export function isStored(status: PutStatus): boolean {
  return status === 'PUT_OK' || status === 'FLUSH_DISK_TIMEOUT' || status === 'FLUSH_SLAVE_TIMEOUT' || status === 'SLAVE_NOT_AVAILABLE';
}

export class StatusTable {
  readonly #put: PutStatus[] = [];
  readonly #get: GetStatus[] = [];
  /** The native number of PUT_OK, compared on the hot path. */
  readonly putOk: number;

  constructor(nativePut: NativeCodeTable, nativeGet: NativeCodeTable) {
    fillTable(this.#put, nativePut, PUT_STATUSES, NATIVE_PUT_STATUSES, 'putStatus');
    fillTable(this.#get, nativeGet, GET_STATUSES, GET_STATUSES, 'getStatus');
    this.putOk = nativePut['PUT_OK'] as number;
  }

  putStatus(code: number): PutStatus {
    const status = this.#put[code];
    if (status === undefined) throw new MqError('ERR_STORE_UNKNOWN_STATUS', `native append returned unknown status ${code}`);
    return status;
  }

  getStatus(code: number): GetStatus {
    const status = this.#get[code];
    if (status === undefined) throw new MqError('ERR_STORE_UNKNOWN_STATUS', `native read returned unknown status ${code}`);
    return status;
  }
}

function fillTable<T extends string>(
  target: T[],
  native: NativeCodeTable,
  known: readonly T[],
  required: readonly T[],
  tableName: string,
): void {
  for (const [name, code] of Object.entries(native)) {
    if (!(known as readonly string[]).includes(name)) {
      throw new MqError('ERR_ADDON_MISMATCH', `addon constants.${tableName} has status ${name} unknown to TypeScript`);
    }
    if (!Number.isInteger(code) || code < 0 || code > 1024 || target[code] !== undefined) {
      throw new MqError('ERR_ADDON_MISMATCH', `addon constants.${tableName}.${name} has invalid or duplicate number ${code}`);
    }
    target[code] = name as T;
  }
  for (const name of required) {
    if (!(name in native)) {
      throw new MqError('ERR_ADDON_MISMATCH', `addon constants.${tableName} lacks status ${name}`);
    }
  }
}
