/**
 * Interoperability: CometMQ driven by ali-ons 3.12, an existing third-party RocketMQ client from npm
 * (pure JavaScript, remoting protocol), unchanged. CometMQ runs as real `cometmq` processes on
 * loopback; the client runs in this process. Produce (sync sends with tags and keys), consume with a
 * tag subscription (only matching tags, each once, offsets committed), and retries through
 * CONSUMER_SEND_MSG_BACK, %RETRY%<group> and the delay-level scheduler (1 s levels so the test stays short).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Consumer, Message, type SendResult } from 'ali-ons';
import { withTempDir } from '../helpers/temp-dir';
import { AliOnsClients } from './ali-ons-clients';
import { Admin, pollUntil, startNamesrvAndBroker, startStandalone, stopCluster, type Cluster } from './cometmq-processes';

const CONSUME_DEADLINE_MS = 30_000;

interface Delivery {
  readonly body: string;
  readonly msgId: string;
  readonly tags: string | null;
  readonly keys: string | undefined;
  readonly reconsumeTimes: number;
  readonly properties: Readonly<Record<string, string>>;
}

function delivery(message: Message): Delivery {
  const keys = message.keys;
  return {
    body: message.body.toString('utf8'), msgId: message.msgId, tags: message.tags,
    keys: Array.isArray(keys) ? keys.join(' ') : keys, reconsumeTimes: message.reconsumeTimes, properties: { ...message.properties },
  };
}

/** Runs `body` against a cluster, then closes the clients and stops the processes; all must exit cleanly. */
async function withCluster(start: () => Promise<Cluster>, body: (cluster: Cluster, admin: Admin, clients: AliOnsClients) => Promise<void>): Promise<void> {
  const cluster = await start();
  const admin = new Admin(cluster);
  const clients = new AliOnsClients(cluster.namesrvAddr);
  let codes: (number | null)[] = [];
  try {
    await body(cluster, admin, clients);
  } finally {
    try {
      await clients.closeAll();
      await admin.shutdown();
    } finally {
      codes = await stopCluster(cluster);
    }
  }
  assert.deepEqual(codes, cluster.processes.map(() => 0), `cometmq exit codes; output:\n${cluster.processes.map((p) => p.lines.join('\n')).join('\n')}`);
}

test('ali-ons against `cometmq start`: sync sends with tags and keys, a tag subscription receives only its tags, each once', { timeout: 60_000 }, () =>
  withTempDir('interop-tags', (dir) => withCluster(() => startStandalone(dir), async (_cluster, admin, clients) => {
    const topic = 'InteropTags';
    const group = 'InteropTagGroup';
    const queueNums = 4;
    await admin.createTopic(topic, queueNums);

    const producer = await clients.producer('InteropTagProducer', 'tags-producer');
    const tagCycle = ['TagA', 'TagB', 'TagC', null] as const;
    const sent = new Map<string, { tags: string | null; result: SendResult }>();
    for (let i = 0; i < 24; i++) {
      const tags = tagCycle[i % tagCycle.length]!;
      const message = new Message(topic, tags, `body-${i}`);
      message.keys = [`key-${i}`, 'interop'];
      const result = await producer.send(message);
      assert.equal(result.sendStatus, 'SEND_OK', `send ${i}`);
      assert.match(result.msgId, /^[0-9A-F]{32}$/, 'msgId is the 16-byte offset id in upper-case hex');
      assert.ok(Number(result.messageQueue.queueId) >= 0 && Number(result.messageQueue.queueId) < queueNums, 'queue id within the topic');
      assert.ok(Number(result.queueOffset) >= 0, 'queue offset');
      sent.set(`body-${i}`, { tags, result });
    }
    assert.equal(new Set([...sent.values()].map((s) => s.result.msgId)).size, sent.size, 'every send has its own msgId');
    assert.ok(new Set([...sent.values()].map((s) => Number(s.result.messageQueue.queueId))).size > 1, 'sends spread over queues');

    const received: Delivery[] = [];
    const consumer = clients.consumer(group, 'tags-consumer');
    consumer.subscribe(topic, 'TagA || TagC', async (message) => {
      received.push(delivery(message));
    });
    await consumer.ready();

    const expected = [...sent.entries()].filter(([, s]) => s.tags === 'TagA' || s.tags === 'TagC').map(([body]) => body);
    // Done when every matching message arrived and the group committed every queue to its end
    // (non-matching messages are skipped by the broker's tag filter, so the offsets pass them too).
    await pollUntil('consumption of every matching message', async () =>
      received.length >= expected.length && (await admin.hasCommittedAll(group, topic, queueNums)),
    CONSUME_DEADLINE_MS, () => `received ${received.map((r) => r.body).join(',')}; client: ${clients.problems.join('\n')}`);

    assert.deepEqual(received.map((r) => r.body).sort(), [...expected].sort(), 'exactly the TagA and TagC messages, each once');
    for (const r of received) {
      const s = sent.get(r.body)!;
      assert.equal(r.tags, s.tags, `tag of ${r.body}`);
      assert.equal(r.keys, `key-${r.body.slice('body-'.length)} interop`, `keys of ${r.body}`);
      assert.equal(r.msgId, s.result.msgId, `the msgId the client derives from the stored record equals the send's (${r.body})`);
      assert.equal(r.reconsumeTimes, 0);
    }
    assert.deepEqual(clients.unexpectedProblems(/updateTopicPublishInfo\(\) prev is not null/), [], 'the client reported no errors');
  })),
);

test('ali-ons against `cometmq namesrv` + `cometmq broker -c`: a failed message is retried through %RETRY%<group>, then dead-lettered', { timeout: 60_000 }, () =>
  withTempDir('interop-retry', (dir) => withCluster(() => startNamesrvAndBroker(dir, { messageDelayLevel: '1s 1s 1s' }), async (_cluster, admin, clients) => {
    const topic = 'InteropRetry';
    const group = 'InteropRetryGroup';
    const retryTopic = `%RETRY%${group}`;
    const queueNums = 2;
    await admin.createTopic(topic, queueNums);

    const producer = await clients.producer('InteropRetryProducer', 'retry-producer');
    const sent = new Map<string, SendResult>();
    for (const body of ['throws-once', 'asks-retry-once', 'succeeds', 'always-fails']) {
      const message = new Message(topic, 'TagR', body);
      message.keys = [body];
      sent.set(body, await producer.send(message));
    }

    const deliveries = new Map<string, Delivery[]>();
    const consumer = clients.consumer(group, 'retry-consumer', { maxReconsumeTimes: 2 });
    consumer.subscribe(topic, 'TagR', async (message) => {
      const d = delivery(message);
      const seen = deliveries.get(d.body) ?? [];
      seen.push(d);
      deliveries.set(d.body, seen);
      if (d.body === 'always-fails' || (d.body === 'throws-once' && seen.length === 1)) throw new Error(`deliberate failure of ${d.body}`);
      if (d.body === 'asks-retry-once' && seen.length === 1) return Consumer.ACTION_RETRY;
      return undefined;
    });
    await consumer.ready();

    const count = (body: string): number => deliveries.get(body)?.length ?? 0;
    const dlqTopic = `%DLQ%${group}`;
    await pollUntil('retries and the dead letter', async () =>
      count('throws-once') >= 2 && count('asks-retry-once') >= 2 && count('succeeds') >= 1 && count('always-fails') >= 3 &&
      (await admin.maxOffset(dlqTopic, 0).catch(() => 0)) >= 1 &&
      (await admin.hasCommittedAll(group, topic, queueNums)) && (await admin.hasCommittedAll(group, retryTopic, 1)),
    CONSUME_DEADLINE_MS, () => `deliveries ${JSON.stringify([...deliveries])}; client: ${clients.problems.join('\n')}`);

    assert.equal(count('succeeds'), 1, 'a message consumed successfully is delivered once');
    assert.equal(count('throws-once'), 2, 'a listener that throws once gets the message again, once');
    assert.equal(count('asks-retry-once'), 2, 'ACTION_RETRY once gets the message again, once');
    assert.equal(count('always-fails'), 3, 'maxReconsumeTimes 2: the first delivery and two retries, then the dead-letter queue');
    for (const body of ['throws-once', 'asks-retry-once', 'always-fails']) {
      const [first, ...retries] = deliveries.get(body)!;
      assert.equal(first!.msgId, sent.get(body)!.msgId, `${body}: first delivery is the original`);
      retries.forEach((retry, index) => {
        assert.equal(retry.reconsumeTimes, index + 1, `${body}: reconsume count of retry ${index + 1}`);
        assert.notEqual(retry.msgId, first!.msgId, `${body}: a retry is a new record`);
        assert.equal(retry.properties['RETRY_TOPIC'], topic, `${body}: the retry names its original topic`);
        assert.equal(retry.properties['ORIGIN_MESSAGE_ID'], first!.msgId, `${body}: the retry names the original message`);
        // Set by the broker's delay scheduler: the copy went through SCHEDULE_TOPIC_XXXX to the
        // retry topic (the client's own fallback, a plain send, would not carry it).
        assert.equal(retry.properties['REAL_TOPIC'], retryTopic, `${body}: scheduled into ${retryTopic}`);
        assert.equal(retry.keys, body, `${body}: keys survive the retry`);
      });
    }
    assert.equal(await admin.maxOffset(retryTopic, 0), 4, 'four retry copies were stored in the retry topic');
    assert.equal(await admin.maxOffset(dlqTopic, 0), 1, 'one message dead-lettered');
    assert.deepEqual(clients.unexpectedProblems(/deliberate failure|updateTopicPublishInfo\(\) prev is not null/), [], 'no client errors besides the deliberate ones');
  })),
);
