import { MqError } from '../common/mq-error';
import { ResponseCode } from './response-code';

/**
 * The error catalogue: every failure code of CometMQ with the RocketMQ response code it maps to on
 * the wire, whether a client may retry it, and a one-line description (docs/errors.md documents each
 * one; a test keeps the two in step and scans the sources for codes missing here).
 *
 * Codes named after a ResponseCode are what a client reports for that response; the others are
 * local (transport, codec, store) and carry the response code a server answers when one of them
 * escapes a handler. Client-only transport failures use RocketMQ's client-side RPC_* codes.
 */
export interface ErrorSpec {
  readonly responseCode: number;
  readonly retriable: boolean;
  readonly description: string;
}

const R = ResponseCode;

export const ErrorCatalogue = {
  // Failures answered by a server (ResponseCode names).
  ERR_SYSTEM_ERROR: { responseCode: R.SYSTEM_ERROR, retriable: true, description: 'The server failed while handling the request; the remark says why.' },
  ERR_SYSTEM_BUSY: { responseCode: R.SYSTEM_BUSY, retriable: true, description: 'The server is under flow control (in-flight limit, slow append, long send queue); retry shortly.' },
  ERR_REQUEST_CODE_NOT_SUPPORTED: { responseCode: R.REQUEST_CODE_NOT_SUPPORTED, retriable: false, description: 'The server has no handler for the request code.' },
  ERR_TRANSACTION_FAILED: { responseCode: R.TRANSACTION_FAILED, retriable: false, description: 'A transactional operation failed.' },
  ERR_TRANSACTION_HALF_NOT_FOUND: { responseCode: R.SYSTEM_ERROR, retriable: false, description: 'END_TRANSACTION names no half message at its commitLogOffset (RocketMQ: "Find prepared transaction message failed").' },
  ERR_TRANSACTION_GROUP_WRONG: { responseCode: R.SYSTEM_ERROR, retriable: false, description: "END_TRANSACTION's producerGroup is not the half message's PGROUP (RocketMQ: \"The producer group wrong\")." },
  ERR_TRANSACTION_OFFSET_WRONG: { responseCode: R.SYSTEM_ERROR, retriable: false, description: "END_TRANSACTION's tranStateTableOffset is not the half message's queue offset." },
  ERR_FLUSH_DISK_TIMEOUT: { responseCode: R.FLUSH_DISK_TIMEOUT, retriable: false, description: 'The message is stored but the synchronous flush did not finish in time.' },
  ERR_SLAVE_NOT_AVAILABLE: { responseCode: R.SLAVE_NOT_AVAILABLE, retriable: false, description: 'The message is stored but no slave was available for synchronous replication.' },
  ERR_FLUSH_SLAVE_TIMEOUT: { responseCode: R.FLUSH_SLAVE_TIMEOUT, retriable: false, description: 'The message is stored but the slave did not acknowledge in time.' },
  ERR_MESSAGE_ILLEGAL: { responseCode: R.MESSAGE_ILLEGAL, retriable: false, description: 'The message is malformed or too large (body, properties or batch topic).' },
  ERR_SERVICE_NOT_AVAILABLE: { responseCode: R.SERVICE_NOT_AVAILABLE, retriable: true, description: 'The broker cannot take writes now (store not writable, disk full, slave role, shutting down).' },
  ERR_VERSION_NOT_SUPPORTED: { responseCode: R.VERSION_NOT_SUPPORTED, retriable: false, description: 'The request version is not supported.' },
  ERR_NO_PERMISSION: { responseCode: R.NO_PERMISSION, retriable: true, description: 'Topic, group or broker permissions forbid the operation.' },
  ERR_TOPIC_NOT_EXIST: { responseCode: R.TOPIC_NOT_EXIST, retriable: true, description: 'The topic has no route (name server) or no config (broker).' },
  ERR_TOPIC_EXIST_ALREADY: { responseCode: R.TOPIC_EXIST_ALREADY, retriable: false, description: 'The topic already exists.' },
  ERR_QUERY_NOT_FOUND: { responseCode: R.QUERY_NOT_FOUND, retriable: false, description: 'The offset, message or config entry asked for does not exist.' },
  ERR_SUBSCRIPTION_PARSE_FAILED: { responseCode: R.SUBSCRIPTION_PARSE_FAILED, retriable: false, description: 'The subscription expression cannot be parsed.' },
  ERR_SUBSCRIPTION_NOT_EXIST: { responseCode: R.SUBSCRIPTION_NOT_EXIST, retriable: true, description: 'The pull carries no subscription and none was registered by heartbeat.' },
  ERR_SUBSCRIPTION_NOT_LATEST: { responseCode: R.SUBSCRIPTION_NOT_LATEST, retriable: true, description: "The registered subscription is older than the pull's subVersion." },
  ERR_SUBSCRIPTION_GROUP_NOT_EXIST: { responseCode: R.SUBSCRIPTION_GROUP_NOT_EXIST, retriable: false, description: 'The consumer group is unknown and auto-creation is off.' },
  ERR_FILTER_DATA_NOT_EXIST: { responseCode: R.FILTER_DATA_NOT_EXIST, retriable: true, description: 'The SQL92 filter data is missing on the broker.' },
  ERR_FILTER_DATA_NOT_LATEST: { responseCode: R.FILTER_DATA_NOT_LATEST, retriable: true, description: 'The SQL92 filter data on the broker is out of date.' },
  ERR_INVALID_PARAMETER: { responseCode: R.INVALID_PARAMETER, retriable: false, description: 'A request parameter is invalid (topic name, queue id, ...).' },
  ERR_NO_BUYER_ID: { responseCode: R.NO_BUYER_ID, retriable: true, description: 'Unit deployment: the request lacks a buyer id.' },
  ERR_NOT_IN_CURRENT_UNIT: { responseCode: R.NOT_IN_CURRENT_UNIT, retriable: true, description: 'Unit deployment: the request belongs to another unit.' },
  ERR_CONSUMER_NOT_ONLINE: { responseCode: R.CONSUMER_NOT_ONLINE, retriable: false, description: 'The consumer group or client has no live connection.' },
  ERR_CONSUME_MSG_TIMEOUT: { responseCode: R.CONSUME_MSG_TIMEOUT, retriable: false, description: 'A client did not consume a directly pushed message in time.' },
  ERR_BROKER_NOT_EXIST: { responseCode: R.BROKER_NOT_EXIST, retriable: true, description: 'The named broker is unknown.' },
  ERR_ILLEGAL_OPERATION: { responseCode: R.ILLEGAL_OPERATION, retriable: false, description: 'The operation is not allowed in this state.' },
  ERR_GO_AWAY: { responseCode: R.GO_AWAY, retriable: true, description: 'The server is shutting down; use another one.' },
  ERR_NO_MESSAGE: { responseCode: R.NO_MESSAGE, retriable: false, description: 'POP: the acked offset is outside its queue, or the receipt handle is no longer in flight (acked or visible again).' },
  ERR_POLLING_FULL: { responseCode: R.POLLING_FULL, retriable: true, description: 'POP: too many long-polling pops already wait on this topic (popPollingSize); retry shortly.' },

  // Protocol codec (a request that cannot be read as its code's header or body).
  ERR_HEADER_FIELD_MISSING: { responseCode: R.SYSTEM_ERROR, retriable: false, description: 'A mandatory extFields entry of the request header is absent.' },
  ERR_HEADER_FIELD_MALFORMED: { responseCode: R.SYSTEM_ERROR, retriable: false, description: 'An extFields entry cannot be read as its declared type.' },
  ERR_BODY_MALFORMED: { responseCode: R.SYSTEM_ERROR, retriable: false, description: 'A JSON request body cannot be parsed or lacks a required field.' },

  // Transport (the connection is closed; never answered on the wire).
  ERR_FRAME_TOO_LARGE: { responseCode: R.SYSTEM_ERROR, retriable: false, description: 'A frame declares a length over the 16 MiB limit; the connection closes.' },
  ERR_FRAME_MALFORMED: { responseCode: R.SYSTEM_ERROR, retriable: false, description: 'A frame has a negative or too short length, or a header length past the frame; the connection closes.' },
  ERR_HEADER_MALFORMED: { responseCode: R.SYSTEM_ERROR, retriable: false, description: 'A frame header is not valid JSON or ROCKETMQ binary; the connection closes.' },
  ERR_REMOTING_CONNECT: { responseCode: R.RPC_SEND_TO_CHANNEL_FAILED, retriable: true, description: 'The TCP connection to the address could not be made.' },
  ERR_REMOTING_TIMEOUT: { responseCode: R.RPC_TIME_OUT, retriable: true, description: 'No response arrived within the request timeout.' },
  ERR_REMOTING_CLOSED: { responseCode: R.RPC_SEND_TO_CHANNEL_FAILED, retriable: true, description: 'The connection closed before the response arrived.' },
  ERR_REMOTING_SHUTDOWN: { responseCode: R.RPC_SEND_TO_CHANNEL_FAILED, retriable: false, description: 'The remoting client or server has been shut down.' },
  ERR_INVALID_ADDRESS: { responseCode: R.RPC_ADDR_IS_NULL, retriable: false, description: 'An address is not a valid "host:port" (or IP literal).' },

  // Message format (src/message).
  ERR_INVALID_MESSAGE_ID: { responseCode: R.SYSTEM_ERROR, retriable: false, description: 'An offset message id is not 32 or 56 hex characters.' },
  ERR_PROPERTIES_SIZE_EXCEEDED: { responseCode: R.MESSAGE_ILLEGAL, retriable: false, description: 'Encoded message properties exceed 32767 bytes.' },
  ERR_RECORD_CORRUPT: { responseCode: R.SYSTEM_ERROR, retriable: false, description: 'A stored message record cannot be decoded.' },
  ERR_BUFFER_TOO_SMALL: { responseCode: R.SYSTEM_ERROR, retriable: false, description: 'A caller-supplied buffer cannot hold the data asked for.' },
  ERR_INVALID_ARGUMENT: { responseCode: R.SYSTEM_ERROR, retriable: false, description: 'An argument passed to a library function is invalid.' },

  // Storage engine (src/store, native/).
  ERR_ADDON_NOT_FOUND: { responseCode: R.SERVICE_NOT_AVAILABLE, retriable: false, description: 'The native storage addon was not built or cannot be found.' },
  ERR_ADDON_LOAD_FAILED: { responseCode: R.SERVICE_NOT_AVAILABLE, retriable: false, description: 'The native storage addon exists but failed to load.' },
  ERR_ADDON_MISMATCH: { responseCode: R.SERVICE_NOT_AVAILABLE, retriable: false, description: 'The native addon does not match the TypeScript record layout or ABI.' },
  ERR_STORE_CONFIG_INVALID: { responseCode: R.SYSTEM_ERROR, retriable: false, description: 'A store config value is out of range (the message names the key).' },
  ERR_STORE_NOT_OPEN: { responseCode: R.SERVICE_NOT_AVAILABLE, retriable: true, description: 'The store is not started or already shut down.' },
  ERR_STORE_SHUTDOWN: { responseCode: R.SERVICE_NOT_AVAILABLE, retriable: true, description: 'The store is shutting down; the operation was not performed.' },
  ERR_STORE_LOCKED: { responseCode: R.SERVICE_NOT_AVAILABLE, retriable: false, description: 'Another process or handle has the store directory open.' },
  ERR_STORE_CORRUPT: { responseCode: R.SYSTEM_ERROR, retriable: false, description: 'Damage before the tail of the CommitLog, or an unreadable ConsumeQueue or index file.' },
  ERR_STORE_FOREIGN_FILE: { responseCode: R.SYSTEM_ERROR, retriable: false, description: 'An unexpected file or directory is in the store directory.' },
  ERR_STORE_INVALID_DISPATCH: { responseCode: R.SYSTEM_ERROR, retriable: false, description: 'A dispatch request handed to the native index or queue is inconsistent.' },
  ERR_STORE_UNKNOWN_STATUS: { responseCode: R.SYSTEM_ERROR, retriable: false, description: 'The native store returned a status the TypeScript side does not know.' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ErrorCatalogue;

/** The one way to build a catalogue error: code, wire code and retriable flag come from the table. */
export function mqError(code: ErrorCode, message: string, cause?: unknown): MqError {
  const spec: ErrorSpec = ErrorCatalogue[code];
  return new MqError(code, message, {
    responseCode: spec.responseCode,
    retriable: spec.retriable,
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Catalogue code a client reports for a non-success response code (ERR_<name>, else ERR_SYSTEM_ERROR). */
export function errorCodeForResponse(responseCode: number): ErrorCode {
  for (const [name, value] of Object.entries(ResponseCode)) {
    if (value === responseCode) {
      const code = `ERR_${name}`;
      if (Object.hasOwn(ErrorCatalogue, code)) return code as ErrorCode;
      break;
    }
  }
  return 'ERR_SYSTEM_ERROR';
}

/**
 * The error a client raises for a response it cannot use: catalogue code and retriable flag from the
 * response code, which is kept as-is (also for codes the catalogue maps elsewhere).
 */
export function responseError(responseCode: number, remark: string | undefined): MqError {
  const code = errorCodeForResponse(responseCode);
  return new MqError(code, remark ?? `response code ${responseCode}`, {
    responseCode,
    retriable: ErrorCatalogue[code].retriable,
  });
}
