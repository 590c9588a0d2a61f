/**
 * POP under a seeded mix of consumer behaviour: three consumers of one group pop concurrently and,
 * per message, ack it, batch-ack it later, let it expire (shortened to 30 ms), or extend then ack it. Whatever the mix,
 * every message is finally acked, no acked message is popped again, and each message's delivery
 * count equals 1 + the times it was left to expire (reconsumeTimes follows it).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRequest, RequestCode, ResponseCode } from '../../src/protocol';
import { buildBatchAckBody } from '../../src/protocol/headers/pop-batch-ack';
import { SeededRandom, testSeed } from '../helpers/seeded-random';
import { startBroker, sendV2Request } from './broker-fixture';
import { ackRequest, changedHandle, changeRequest, poppedOf, popRequest, type Popped } from './pop-fixture';

const MESSAGES = 120;
const TOPIC = 'PopSoak';
const GROUP = 'PopSoakG';
/** Long enough that acks and changes always arrive in time; expiries are made by shortening. */
const INVISIBLE_MS = 10_000;
const SHORTENED_MS = 30;

test('seeded ack / batch ack / expire / extend mix: everything acked once, expiries redelivered with their count', async (t) => {
  const seed = testSeed();
  t.diagnostic(`seed ${seed} (COMETMQ_TEST_SEED to replay)`);
  const random = new SeededRandom(seed);
  const fx = await startBroker(undefined, { reviveInterval: 20 });
  try {
    fx.broker.context.topics.update({ topicName: TOPIC, readQueueNums: 4, writeQueueNums: 4, perm: 6, topicFilterType: 'SINGLE_TAG', topicSysFlag: 0, order: false });
    for (let i = 0; i < MESSAGES; i++) {
      assert.equal((await fx.invoke(sendV2Request({ topic: TOPIC, body: `k${i}`, queueId: i % 4 }))).code, ResponseCode.SUCCESS);
    }
    await fx.dispatched();
    const acked = new Set<string>();
    const deliveries = new Map<string, number>();
    const expiries = new Map<string, number>();
    const deadline = Date.now() + 25_000;

    const consumer = async (): Promise<void> => {
      while (acked.size < MESSAGES) {
        assert.ok(Date.now() < deadline, `only ${acked.size} of ${MESSAGES} acked before the deadline (seed ${seed})`);
        const response = await fx.invoke(popRequest({ topic: TOPIC, group: GROUP, max: random.int(1, 32), invisibleTime: INVISIBLE_MS, pollTime: 300 }), 5000);
        if (response.code !== ResponseCode.SUCCESS) continue;
        const batchLater: Popped[] = [];
        for (const p of poppedOf(response)) {
          const body = p.message.body.toString();
          assert.ok(!acked.has(body), `${body} popped again after it was acked (seed ${seed})`);
          deliveries.set(body, (deliveries.get(body) ?? 0) + 1);
          assert.equal(p.message.reconsumeTimes, expiries.get(body) ?? 0, `${body} reconsumeTimes (seed ${seed})`);
          const choice = random.next();
          if (choice < 0.45) {
            assert.equal((await fx.invoke(ackRequest(TOPIC, p, GROUP))).code, ResponseCode.SUCCESS);
            acked.add(body);
          } else if (choice < 0.7) {
            batchLater.push(p);
          } else if (choice < 0.85) {
            // Left to expire: shortened so that it comes back soon.
            const shortened = await fx.invoke(changeRequest(TOPIC, p, SHORTENED_MS, GROUP));
            assert.equal(shortened.code, ResponseCode.SUCCESS, shortened.remark);
            expiries.set(body, (expiries.get(body) ?? 0) + 1);
          } else {
            const changed = await fx.invoke(changeRequest(TOPIC, p, 5000, GROUP));
            assert.equal(changed.code, ResponseCode.SUCCESS, changed.remark);
            assert.equal((await fx.invoke(ackRequest(TOPIC, changedHandle(p, changed), GROUP))).code, ResponseCode.SUCCESS);
            acked.add(body);
          }
        }
        if (batchLater.length > 0) {
          const body = buildBatchAckBody('broker-a', GROUP, TOPIC, batchLater.map((p) => p.handle));
          assert.equal((await fx.invoke(createRequest(RequestCode.BATCH_ACK_MESSAGE, {}, body))).code, ResponseCode.SUCCESS);
          for (const p of batchLater) acked.add(p.message.body.toString());
        }
      }
    };
    await Promise.all([consumer(), consumer(), consumer()]);
    assert.equal(acked.size, MESSAGES);
    for (const [body, n] of deliveries) assert.equal(n, 1 + (expiries.get(body) ?? 0), `${body} deliveries (seed ${seed})`);
  } finally {
    await fx.close();
  }
});
