import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { decodeRecords } from '../../src/message';
import { RequestCode, ResponseCode, createRequest, type RemotingCommand } from '../../src/protocol';
import { sendV2Request, startBroker, type BrokerFixture } from './broker-fixture';
import { waitFor } from './wait-for';

const SUBSCRIPTION = 0x4;
const SUSPEND = 0x2;

interface SqlPull {
  readonly topic: string;
  readonly queueOffset: number;
  readonly expression?: string;
  readonly expressionType?: string;
  readonly group?: string;
  /** false = use the subscription registered by heartbeat (no SUBSCRIPTION bit). */
  readonly withSubscription?: boolean;
  readonly suspend?: boolean;
  readonly maxMsgNums?: number;
}

function pull(options: SqlPull): RemotingCommand {
  const sysFlag = (options.withSubscription === false ? 0 : SUBSCRIPTION) | (options.suspend === true ? SUSPEND : 0);
  return createRequest(RequestCode.PULL_MESSAGE, {
    consumerGroup: options.group ?? 'SqlGroup', topic: options.topic, queueId: '0', queueOffset: String(options.queueOffset),
    maxMsgNums: String(options.maxMsgNums ?? 32), sysFlag: String(sysFlag), commitOffset: '0', suspendTimeoutMillis: '20000',
    subscription: options.expression ?? '*', subVersion: '0', expressionType: options.expressionType ?? 'SQL92',
  });
}

function heartbeat(clientId: string, consumers: Array<{ group: string; topic: string; expression: string; type?: string }>, producerGroup?: string): RemotingCommand {
  const body = {
    clientID: clientId,
    consumerDataSet: consumers.map((c) => ({
      groupName: c.group, consumeType: 'CONSUME_PASSIVELY', messageModel: 'CLUSTERING', consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', unitMode: false,
      subscriptionDataSet: [{ classFilterMode: false, codeSet: [], expressionType: c.type ?? 'SQL92', subString: c.expression, subVersion: 1, tagsSet: [], topic: c.topic }],
    })),
    producerDataSet: producerGroup === undefined ? [] : [{ groupName: producerGroup }],
  };
  return createRequest(RequestCode.HEART_BEAT, {}, Buffer.from(JSON.stringify(body)));
}

function checkClientConfig(group: string, topic: string, expression: string, type: string): RemotingCommand {
  const body = { clientId: 'c1', group, subscriptionData: { classFilterMode: false, codeSet: [], expressionType: type, subString: expression, subVersion: 1, tagsSet: [], topic } };
  return createRequest(RequestCode.CHECK_CLIENT_CONFIG, {}, Buffer.from(JSON.stringify(body)));
}

function bodies(response: RemotingCommand): string[] {
  return decodeRecords(response.body ?? null).map((m) => m.body.toString());
}

let fx: BrokerFixture;

/** Sends `count` messages m0.. with a = i, b = x/y alternating, tags TagA/TagB alternating; waits for dispatch. */
async function sendMix(topic: string, count: number, first = 0): Promise<void> {
  for (let i = first; i < first + count; i++) {
    const sent = await fx.invoke(sendV2Request({ topic, body: `m${i}`, tags: i % 2 === 0 ? 'TagA' : 'TagB', properties: { a: String(i), b: i % 2 === 0 ? 'x' : 'y' } }));
    assert.equal(sent.code, ResponseCode.SUCCESS, sent.remark);
  }
  await fx.dispatched();
}

before(async () => {
  fx = await startBroker();
});

after(async () => {
  await fx.close();
});

test('a pull with an SQL92 subscription returns only the matching messages of a mix; nextBeginOffset passes the rest', async () => {
  await sendMix('SqlMix', 12);
  const first = await fx.invoke(pull({ topic: 'SqlMix', queueOffset: 0, expression: "a >= 3 AND b = 'x'" }));
  assert.equal(first.code, ResponseCode.SUCCESS, first.remark);
  assert.deepEqual(bodies(first), ['m4', 'm6', 'm8', 'm10']);
  assert.equal(first.extFields['nextBeginOffset'], '12');

  const between = await fx.invoke(pull({ topic: 'SqlMix', queueOffset: 0, expression: "a BETWEEN 2 AND 5 OR TAGS IN ('TagB') AND a > 8" }));
  assert.deepEqual(bodies(between), ['m2', 'm3', 'm4', 'm5', 'm9', 'm11']);

  const page = await fx.invoke(pull({ topic: 'SqlMix', queueOffset: 0, expression: 'a > 6', maxMsgNums: 4 }));
  assert.deepEqual(bodies(page), [], 'a page of four entries holds no match');
  assert.equal(page.code, ResponseCode.PULL_RETRY_IMMEDIATELY);
  assert.equal(page.remark, 'NO_MATCHED_MESSAGE');
  assert.equal(page.extFields['nextBeginOffset'], '4', 'the scanned, unmatched entries are skipped');

  const none = await fx.invoke(pull({ topic: 'SqlMix', queueOffset: 0, expression: 'missing IS NOT NULL' }));
  assert.equal(none.code, ResponseCode.PULL_RETRY_IMMEDIATELY);
  assert.equal(none.extFields['nextBeginOffset'], '12');
});

test('TAG subscriptions still filter as before on the same broker, next to SQL92 on TAGS', async () => {
  const tag = await fx.invoke(pull({ topic: 'SqlMix', queueOffset: 0, expression: 'TagB', expressionType: 'TAG' }));
  assert.deepEqual(bodies(tag), ['m1', 'm3', 'm5', 'm7', 'm9', 'm11']);
  const all = await fx.invoke(pull({ topic: 'SqlMix', queueOffset: 0, expression: '*', expressionType: 'TAG', maxMsgNums: 3 }));
  assert.deepEqual(bodies(all), ['m0', 'm1', 'm2']);
  const sqlTags = await fx.invoke(pull({ topic: 'SqlMix', queueOffset: 0, expression: "TAGS = 'TagB'" }));
  assert.deepEqual(bodies(sqlTags), bodies(tag));
});

test('a bad SQL92 expression in a pull is SUBSCRIPTION_PARSE_FAILED with the parser message', async () => {
  const response = await fx.invoke(pull({ topic: 'SqlMix', queueOffset: 0, expression: "a > 'x'" }));
  assert.equal(response.code, ResponseCode.SUBSCRIPTION_PARSE_FAILED);
  assert.match(response.remark ?? '', /column 3 \(offset 2\), at ">"/);
});

test('HEART_BEAT with a bad SQL92 expression: SUBSCRIPTION_PARSE_FAILED, that group unregistered, the rest registered', async () => {
  const response = await fx.invoke(heartbeat('client-bad', [
    { group: 'BadSqlGroup', topic: 'SqlMix', expression: 'a >' },
    { group: 'GoodSqlGroup', topic: 'SqlMix', expression: 'a > 1' },
  ], 'SqlProducers'));
  assert.equal(response.code, ResponseCode.SUBSCRIPTION_PARSE_FAILED);
  assert.match(response.remark ?? '', /BadSqlGroup.*SqlMix.*column 4 \(offset 3\), at the end of the expression/);
  assert.deepEqual(fx.broker.context.consumers.clientIds('BadSqlGroup'), []);
  assert.deepEqual(fx.broker.context.consumers.clientIds('GoodSqlGroup'), ['client-bad']);
  assert.equal(fx.broker.context.consumers.subscription('GoodSqlGroup', 'SqlMix')?.expressionType, 'SQL92');
  const list = await fx.invoke(createRequest(RequestCode.GET_CONSUMER_LIST_BY_GROUP, { consumerGroup: 'BadSqlGroup' }));
  assert.equal(list.code, ResponseCode.SYSTEM_ERROR, 'the refused group has no member');
});

test('a pull without the SUBSCRIPTION bit filters by the SQL92 expression the heartbeat registered (compiled once)', async () => {
  const registered = await fx.invoke(heartbeat('client-reg', [{ group: 'RegSqlGroup', topic: 'SqlMix', expression: "b = 'y' AND a < 6" }]));
  assert.equal(registered.code, ResponseCode.SUCCESS, registered.remark);
  const cached = fx.broker.context.filters.size;
  const response = await fx.invoke(pull({ topic: 'SqlMix', queueOffset: 0, group: 'RegSqlGroup', withSubscription: false, expression: 'ignored' }));
  assert.deepEqual(bodies(response), ['m1', 'm3', 'm5']);
  await fx.invoke(pull({ topic: 'SqlMix', queueOffset: 0, group: 'RegSqlGroup', withSubscription: false }));
  assert.equal(fx.broker.context.filters.size, cached, 'pulls reuse the heartbeat-compiled expression');
});

test('CHECK_CLIENT_CONFIG: SUCCESS for TAG and a good expression, SUBSCRIPTION_PARSE_FAILED with the message for a bad one', async () => {
  assert.equal((await fx.invoke(checkClientConfig('G', 'SqlMix', 'TagA || TagB', 'TAG'))).code, ResponseCode.SUCCESS);
  assert.equal((await fx.invoke(checkClientConfig('G', 'SqlMix', 'a IS NOT NULL', 'SQL92'))).code, ResponseCode.SUCCESS);
  assert.equal((await fx.invoke(createRequest(RequestCode.CHECK_CLIENT_CONFIG, {}, Buffer.from('{}')))).code, ResponseCode.SUCCESS);
  const bad = await fx.invoke(checkClientConfig('G', 'SqlMix', "b IN ('x', 1)", 'SQL92'));
  assert.equal(bad.code, ResponseCode.SUBSCRIPTION_PARSE_FAILED);
  assert.match(bad.remark ?? '', /column 12 \(offset 11\), at "1": IN lists take string literals/);
  const malformed = await fx.invoke(createRequest(RequestCode.CHECK_CLIENT_CONFIG, {}, Buffer.from('{not json')));
  assert.equal(malformed.code, ResponseCode.SYSTEM_ERROR);
});

test('a long-polled SQL92 pull is not answered by a non-matching arrival, and answers with the matching one', async () => {
  const held = fx.broker.context.pullHold.heldCount;
  const pending = fx.invoke(pull({ topic: 'SqlMix', queueOffset: 12, expression: "b = 'x' AND a >= 100", suspend: true }), 30_000);
  await waitFor(() => fx.broker.context.pullHold.heldCount === held + 1, 5000);
  await sendMix('SqlMix', 1, 101); // b = 'y': no match, the pull stays parked
  await sendMix('SqlMix', 1, 102); // b = 'x', a >= 100: the answer
  const response = await pending;
  assert.equal(response.code, ResponseCode.SUCCESS, response.remark);
  assert.deepEqual(bodies(response), ['m102']);
  assert.equal(response.extFields['nextBeginOffset'], '14');
});

test('with enablePropertyFilter=false SQL92 is refused as Apache does (SYSTEM_ERROR and its remark); TAG is served', async () => {
  const off = await startBroker(undefined, { enablePropertyFilter: false });
  try {
    const sent = await off.invoke(sendV2Request({ topic: 'SqlOff', body: 'v', tags: 'T', properties: { a: '1' } }));
    assert.equal(sent.code, ResponseCode.SUCCESS, sent.remark);
    await off.dispatched();
    const remark = 'The broker does not support consumer to filter message by SQL92';
    const pulled = await off.invoke(pull({ topic: 'SqlOff', queueOffset: 0, expression: 'a = 1' }));
    assert.equal(pulled.code, ResponseCode.SYSTEM_ERROR);
    assert.equal(pulled.remark, remark);
    const checked = await off.invoke(checkClientConfig('G', 'SqlOff', 'a = 1', 'SQL92'));
    assert.equal(checked.code, ResponseCode.SYSTEM_ERROR);
    assert.equal(checked.remark, remark);
    const registered = await off.invoke(heartbeat('client-off', [{ group: 'OffGroup', topic: 'SqlOff', expression: 'not even parsed >' }]));
    assert.equal(registered.code, ResponseCode.SUCCESS, 'Apache registers the subscription and refuses its pulls');
    const tag = await off.invoke(pull({ topic: 'SqlOff', queueOffset: 0, expression: 'T', expressionType: 'TAG' }));
    assert.deepEqual(bodies(tag), ['v']);
  } finally {
    await off.close();
  }
});
