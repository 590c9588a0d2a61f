/**
 * The SendMessageResponseHeader of a stored send (remoting-protocol.md §5.1), as FastExtFields:
 * in the binary header form it is written straight from the offsets (the message id as hex of the
 * physical offset, queue offsets as digits), which spares the broker a concatenated id and two
 * number-to-string conversions per send; the JSON form and readers get the same fields as strings.
 */
import { physicalOffsetHex } from '../../message/message-id';
import type { BinaryExtFieldsSink, FastExtFields } from '../../protocol/remoting-command';

export interface SendResponseValues {
  /** The store host's part of every offset message id (offsetMessageIdPrefix). */
  readonly msgIdPrefix: string;
  /** The first stored record's physical offset; its offset id is the msgId of a single send. */
  readonly physicalOffset: number;
  /** A batch's comma-joined ids, which replace the single id. */
  readonly batchMsgIds: string | undefined;
  readonly queueId: number;
  readonly queueOffset: number;
  readonly region: string;
  readonly traceOn: boolean;
  readonly transactionId: string | undefined;
}

export class SendResponseFields implements FastExtFields {
  readonly #v: SendResponseValues;

  constructor(values: SendResponseValues) {
    this.#v = values;
  }

  toExtFields(): Record<string, string> {
    const v = this.#v;
    const fields: Record<string, string> = {
      msgId: v.batchMsgIds ?? v.msgIdPrefix + physicalOffsetHex(v.physicalOffset),
      queueId: String(v.queueId),
      queueOffset: String(v.queueOffset),
      MSG_REGION: v.region,
      TRACE_ON: v.traceOn ? 'true' : 'false',
    };
    if (v.transactionId !== undefined) fields['transactionId'] = v.transactionId;
    return fields;
  }

  writeBinary(out: BinaryExtFieldsSink): void {
    const v = this.#v;
    if (v.batchMsgIds !== undefined) out.text('msgId', v.batchMsgIds);
    else out.prefixedHex64('msgId', v.msgIdPrefix, v.physicalOffset);
    out.decimal('queueId', v.queueId);
    out.decimal('queueOffset', v.queueOffset);
    out.text('MSG_REGION', v.region);
    out.text('TRACE_ON', v.traceOn ? 'true' : 'false');
    if (v.transactionId !== undefined) out.text('transactionId', v.transactionId);
  }
}
