/**
 * Timer messages and delay levels across a kill -9 of the broker process: `cometmq namesrv` and
 * `cometmq broker` as children, timers (Message.deliverTimeMs) and delay levels (short levels in
 * broker.conf) sent through the SDK producer, the broker SIGKILLed while deliveries are under way
 * and started again on the same store: every message ends up in its real topic exactly once, none
 * before its due time.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Producer } from '../../src/client/producer/producer';
import { decodeRecords, type MessageExt } from '../../src/message';
import { ResponseCode } from '../../src/protocol';
import { RemotingClient } from '../../src/remoting';
import { pullRequest } from '../broker/broker-fixture';
import { Admin, CometmqProcess, pollUntil, startNamesrvAndBroker, stopCluster, type Cluster } from '../interop/cometmq-processes';

const TIMER_TOPIC = 'E2ETimerCrash';
const DELAY_TOPIC = 'E2EDelayCrash';
const QUEUES = 2;
const TIMERS = 300;
const DELAYED = 60;
const WAIT_MS = 30_000;
const BROKER_CONF = { messageDelayLevel: '1s 2s 3s', timerFlushIntervalMs: '1000', flushConsumerOffsetInterval: '1000' };

describe('timers and delay levels survive a kill -9 of the broker, delivered once', () => {
  let root: string;
  let cluster: Cluster;
  let restarted: CometmqProcess | undefined;
  let brokerAddr: string;
  const client = new RemotingClient();

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cometmq-timer-crash-'));
    cluster = await startNamesrvAndBroker(root, BROKER_CONF);
    brokerAddr = cluster.brokerAddr;
    const admin = new Admin(cluster);
    try {
      await admin.createTopic(TIMER_TOPIC, QUEUES);
      await admin.createTopic(DELAY_TOPIC, QUEUES);
    } finally {
      await admin.shutdown();
    }
  });

  after(async () => {
    await client.shutdown();
    await restarted?.stop();
    await stopCluster(cluster);
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** Every message of `topic` (all queues), read with plain pulls. */
  async function readAll(topic: string): Promise<MessageExt[]> {
    const out: MessageExt[] = [];
    for (let queueId = 0; queueId < QUEUES; queueId++) {
      let offset = 0;
      for (;;) {
        const response = await client.invokeSync(brokerAddr, pullRequest({ topic, queueId, queueOffset: offset, maxMsgNums: 32 }), 5000);
        if (response.code !== ResponseCode.SUCCESS) break;
        const messages = decodeRecords(response.body ?? null);
        if (messages.length === 0) break;
        out.push(...messages);
        offset = (messages[messages.length - 1] as MessageExt).queueOffset + 1;
      }
    }
    return out;
  }

  it('delivers every timer and delayed message once after the broker is SIGKILLed mid-delivery', async () => {
    const producer = new Producer({ groupName: 'PG_TIMER_CRASH', namesrvAddr: cluster.namesrvAddr, clientIP: '127.0.0.1' });
    await producer.start();
    const start = Date.now();
    const dueOf = new Map<string, number>();
    try {
      const sends: Promise<unknown>[] = [];
      for (let i = 0; i < TIMERS; i++) {
        // Spread over 1.5 .. 6 s: some are delivered before the kill, some after the restart.
        const due = start + 1500 + Math.floor((i * 4500) / TIMERS);
        dueOf.set(`t${i}`, due);
        sends.push(producer.send({ topic: TIMER_TOPIC, body: `t${i}`, deliverTimeMs: due }));
      }
      for (let i = 0; i < DELAYED; i++) sends.push(producer.send({ topic: DELAY_TOPIC, body: `d${i}`, delayTimeLevel: 1 + (i % 3) }));
      await Promise.all(sends);
    } finally {
      await producer.shutdown();
    }

    await pollUntil('the first timer deliveries', async () => (await readAll(TIMER_TOPIC)).length >= TIMERS / 5, WAIT_MS);
    const broker = cluster.processes[1] as CometmqProcess;
    await broker.kill();
    restarted = new CometmqProcess(['broker', '-c', path.join(root, 'broker.conf')]);
    const port = await restarted.waitForLine(/broker \S+ .* listening on port (\d+)/);
    await restarted.waitForLine(/ ready$/);
    brokerAddr = `127.0.0.1:${port}`;

    await pollUntil('every timer delivered', async () => new Set((await readAll(TIMER_TOPIC)).map((m) => m.body.toString())).size === TIMERS,
      WAIT_MS, () => restarted?.lines.join('\n') ?? '');
    await pollUntil('every delayed message delivered', async () => new Set((await readAll(DELAY_TOPIC)).map((m) => m.body.toString())).size === DELAYED, WAIT_MS);
    // A second copy could only come from the restart's first pass (it would re-put what was due by
    // then), which is over long before the last timer, due later, has been delivered.

    const timers = await readAll(TIMER_TOPIC);
    assert.equal(timers.length, TIMERS, 'each timer exactly once');
    for (const message of timers) {
      const due = dueOf.get(message.body.toString()) as number;
      assert.ok(message.storeTimestamp >= due, `${message.body.toString()} stored ${message.storeTimestamp - due} ms before its due time`);
    }
    const delayed = await readAll(DELAY_TOPIC);
    assert.equal(delayed.length, DELAYED, 'each delayed message exactly once');
    for (const message of delayed) assert.equal(message.properties['DELAY'], undefined);
  });
});
