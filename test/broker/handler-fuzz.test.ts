import assert from 'node:assert/strict';
import { test } from 'node:test';
import { brokerHandlers } from '../../src/broker/handlers/handler-table';
import { decodeRecords } from '../../src/message';
import { ResponseCode, createRequest } from '../../src/protocol';
import { SeededRandom, testSeed } from '../helpers/seeded-random';
import { pullRequest, sendV2Request, startBroker } from './broker-fixture';

const FIELDS = [
  'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm',
  'producerGroup', 'topic', 'defaultTopic', 'defaultTopicQueueNums', 'queueId', 'sysFlag', 'bornTimestamp', 'flag', 'properties',
  'reconsumeTimes', 'maxReconsumeTimes', 'batch', 'consumerGroup', 'queueOffset', 'maxMsgNums', 'commitOffset', 'subscription',
  'subVersion', 'expressionType', 'offset', 'group', 'delayLevel', 'timestamp', 'clientID', 'key', 'maxNum', 'beginTimestamp',
  'endTimestamp', 'readQueueNums', 'writeQueueNums', 'perm', 'topicFilterType', 'order', 'setZeroIfNotFound', '_UNIQUE_KEY_QUERY',
];
const VALUES = ['', '-1', '0', '1', '3', '31', '4096', '99999999999999999999', 'abc', 'true', 'false', '%RETRY%FuzzG', 'FuzzT', 'TBW102',
  'SCHEDULE_TOPIC_XXXX', '*', 'TagA || TagB', 'SQL92', 'a b', 'DELAY\u00012\u0002TAGS\u0001x\u0002', '\u0001\u0002', '1e3', ' 7 '];
/** Long-poll holds are kept short so every fuzzed pull is answered within the test. */
const SUSPEND_VALUES = ['0', '1', '5', 'x', '-5'];

test('fuzzed headers and bodies on every broker code: each gets an answer, the broker keeps serving, nothing stored is lost', async (t) => {
  const seed = testSeed();
  t.diagnostic(`seed ${seed} (COMETMQ_TEST_SEED to replay)`);
  const random = new SeededRandom(seed);
  const fx = await startBroker();
  try {
    const kept = await fx.invoke(sendV2Request({ topic: 'Keep', body: 'precious' }));
    assert.equal(kept.code, ResponseCode.SUCCESS);
    const answered = new Map<number, number>();
    const codes = brokerHandlers(fx.broker.context).map(([code]) => code);
    for (let i = 0; i < 400; i++) {
      const code = codes[random.int(0, codes.length - 1)] as number;
      const extFields: Record<string, string> = {};
      for (const field of FIELDS) {
        if (random.next() < 0.5) continue;
        extFields[field] = field === 'suspendTimeoutMillis'
          ? SUSPEND_VALUES[random.int(0, SUSPEND_VALUES.length - 1)] as string
          : VALUES[random.int(0, VALUES.length - 1)] as string;
      }
      extFields['suspendTimeoutMillis'] = SUSPEND_VALUES[random.int(0, SUSPEND_VALUES.length - 1)] as string;
      const bodyKind = random.int(0, 3);
      const body = bodyKind === 0 ? undefined
        : bodyKind === 1 ? random.fill(Buffer.alloc(random.int(0, 200)))
          : bodyKind === 2 ? Buffer.from(JSON.stringify({ clientID: 'x', consumerDataSet: [{ groupName: random.int(0, 1) === 0 ? 'G' : 5 }] }))
            : Buffer.from('{"clientID":');
      const response = await fx.invoke(createRequest(code, extFields, body), 5000);
      assert.equal(typeof response.code, 'number', `code ${code} with ${JSON.stringify(extFields)}`);
      answered.set(response.code, (answered.get(response.code) ?? 0) + 1);
    }
    t.diagnostic(`response codes: ${JSON.stringify(Object.fromEntries(answered))}`);
    assert.ok(answered.size >= 3, 'the fuzz reaches past header decoding into the handlers');
    const ok = await fx.invoke(sendV2Request({ topic: 'Keep', body: 'after' }));
    assert.equal(ok.code, ResponseCode.SUCCESS);
    await fx.dispatched();
    const pulled = await fx.invoke(pullRequest({ topic: 'Keep', queueOffset: 0 }));
    assert.deepEqual(decodeRecords(pulled.body ?? null).map((m) => m.body.toString()), ['precious', 'after']);
  } finally {
    await fx.close();
  }
});
