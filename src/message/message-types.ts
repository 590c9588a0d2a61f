/**
 * The message shapes shared by the store, later the broker and the clients. A stored record's layout
 * is described in record-layout.ts; these are its decoded and to-be-encoded forms.
 */

/** An IPv4 or IPv6 literal plus a port, as stored in BORNHOST / STOREHOST. */
export interface SocketAddress {
  readonly address: string;
  readonly port: number;
}

/** What a producer hands to the store; the store fills queue/physical offsets, store time and CRC. */
export interface MessageToStore {
  readonly topic: string;
  readonly queueId: number;
  readonly body: Buffer;
  /** User flag, opaque to the broker. Default 0. */
  readonly flag?: number;
  /** TAGS, KEYS, UNIQ_KEY, DELAY, WAIT, ... (names in message-const.ts). */
  readonly properties?: Readonly<Record<string, string>>;
  /**
   * The properties already in their wire form (`name\u0001value\u0002...`, as a producer sends
   * them); stored as they are instead of `properties`, so a broker need not decode and re-encode
   * what it only passes through.
   */
  readonly propertiesText?: string;
  /** Producer clock, ms. Default Date.now() at put time. */
  readonly bornTimestamp?: number;
  /** Default 127.0.0.1:0. */
  readonly bornHost?: SocketAddress;
  /** MessageSysFlag bits (COMPRESSED, MULTI_TAGS, transaction type). Host-v6 bits are derived. */
  readonly sysFlag?: number;
  readonly reconsumeTimes?: number;
  readonly preparedTransactionOffset?: number;
}

/** A decoded stored record (what a pull, a lookup by offset or a key query returns). */
export interface MessageExt {
  readonly topic: string;
  readonly queueId: number;
  readonly flag: number;
  /** A view into the buffer the record was decoded from (no copy). */
  readonly body: Buffer;
  readonly properties: Record<string, string>;
  readonly tags?: string;
  readonly keys?: string;
  readonly queueOffset: number;
  readonly commitLogOffset: number;
  readonly storeSize: number;
  readonly sysFlag: number;
  readonly bodyCRC: number;
  readonly bornTimestamp: number;
  readonly bornHost: SocketAddress;
  readonly storeTimestamp: number;
  readonly storeHost: SocketAddress;
  readonly reconsumeTimes: number;
  readonly preparedTransactionOffset: number;
  /** offsetMsgId: store host + physical offset as upper-case hex. */
  readonly msgId: string;
}
