/**
 * Wire-level pieces for the broker's transaction tests: half sends and END_TRANSACTION as a Java
 * producer builds them, and a producer connection (a real RemotingClient that heartbeats its group
 * and records the CHECK_TRANSACTION_STATE requests the broker sends it).
 */
import assert from 'node:assert/strict';
import { silentLogger } from '../../src/common';
import { decodeOffsetMessageId, decodeRecords, type MessageExt } from '../../src/message';
import {
  CheckTransactionStateRequestHeader,
  EndTransactionRequestHeader,
  RequestCode,
  ResponseCode,
  createRequest,
  type CheckTransactionStateRequest,
  type RemotingCommand,
} from '../../src/protocol';
import { RemotingClient } from '../../src/remoting';
import { pullRequest, sendV2Request, type BrokerFixture } from './broker-fixture';

/** Short periods so checks happen within a test; three checks before a discard. */
export const TX_BROKER_CONF = { transactionCheckInterval: 100, transactionTimeOut: 300, transactionCheckMax: 3 };

export const COMMIT = 8;
export const ROLLBACK = 12;

export interface HalfSent {
  readonly uniqKey: string;
  readonly queueOffset: number;
  readonly commitLogOffset: number;
}

let uniqCounter = 0;

export async function sendHalf(
  fx: BrokerFixture, topic: string, body: string, group: string, queueId = 0, extraProperties: Record<string, string> = {},
): Promise<HalfSent> {
  const uniqKey = `TXUNIQ${process.pid}${++uniqCounter}`;
  const request = sendV2Request({ topic, body, queueId, tags: 'TagA', properties: { ...extraProperties, TRAN_MSG: 'true', PGROUP: group, UNIQ_KEY: uniqKey } });
  request.extFields['a'] = group;
  request.extFields['f'] = '4';
  const response = await fx.invoke(request);
  assert.equal(response.code, ResponseCode.SUCCESS, response.remark);
  assert.equal(response.extFields['transactionId'], uniqKey);
  return {
    uniqKey,
    queueOffset: Number(response.extFields['queueOffset']),
    commitLogOffset: decodeOffsetMessageId(response.extFields['msgId'] ?? '').physicalOffset,
  };
}

export function endRequest(group: string, half: HalfSent, verdict: number, fromTransactionCheck = false): RemotingCommand {
  return createRequest(RequestCode.END_TRANSACTION, EndTransactionRequestHeader.encode({
    producerGroup: group, tranStateTableOffset: half.queueOffset, commitLogOffset: half.commitLogOffset,
    commitOrRollback: verdict, fromTransactionCheck, msgId: half.uniqKey, transactionId: half.uniqKey,
  }));
}

/** What a consumer pulls from `topic` queue `queueId` from offset 0 (dispatch awaited first). */
export async function readQueue(fx: BrokerFixture, topic: string, queueId = 0): Promise<MessageExt[]> {
  await fx.dispatched();
  const response = await fx.invoke(pullRequest({ topic, queueId, queueOffset: 0, maxMsgNums: 1000 }));
  return response.code === ResponseCode.SUCCESS ? decodeRecords(response.body ?? null) : [];
}

/** A system topic's queue 0 read from the store (consumers cannot pull these topics). */
export async function readSystemQueue(fx: BrokerFixture, topic: string): Promise<MessageExt[]> {
  await fx.dispatched();
  const result = fx.broker.context.store.getMessage(topic, 0, 0, 1000);
  return result.status === 'FOUND' ? result.messages() : [];
}

export interface ReceivedCheck {
  readonly header: CheckTransactionStateRequest;
  readonly message: MessageExt;
}

/** A producer's connection to the broker: heartbeats `group`, keeps every check it receives. */
export class ProducerConnection {
  readonly checks: ReceivedCheck[] = [];
  readonly #client = new RemotingClient({ logger: silentLogger });

  constructor(readonly addr: string, readonly group: string, readonly clientId = `tx-producer-${process.pid}`) {
    this.#client.registerHandler(RequestCode.CHECK_TRANSACTION_STATE, (request) => {
      const header = CheckTransactionStateRequestHeader.decode(request.extFields);
      const [message] = decodeRecords(request.body ?? null);
      if (message !== undefined) this.checks.push({ header, message });
      return null;
    });
  }

  async heartbeat(): Promise<void> {
    const body = Buffer.from(JSON.stringify({ clientID: this.clientId, producerDataSet: [{ groupName: this.group }], consumerDataSet: [] }));
    const response = await this.#client.invokeSync(this.addr, createRequest(RequestCode.HEART_BEAT, {}, body), 5000);
    assert.equal(response.code, ResponseCode.SUCCESS, response.remark);
  }

  /** Answers a check the way a producer does: END_TRANSACTION for the offsets the check named. */
  answer(check: ReceivedCheck, verdict: number): Promise<RemotingCommand> {
    const half = { uniqKey: check.header.msgId ?? '', queueOffset: check.header.tranStateTableOffset, commitLogOffset: check.header.commitLogOffset };
    return this.#client.invokeSync(this.addr, endRequest(this.group, half, verdict, true), 5000);
  }

  close(): Promise<void> {
    return this.#client.shutdown();
  }
}
