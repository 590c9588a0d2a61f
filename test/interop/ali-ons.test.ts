/**
 * Interoperability: CometMQ driven by ali-ons 3.12, an existing third-party RocketMQ client from npm
 * (pure JavaScript, remoting protocol), unchanged. CometMQ runs as real `cometmq` processes on
 * loopback; the client runs in this process. Produce (sync sends with tags and keys), consume with a
 * tag subscription (only matching tags, each once, offsets committed), and retries through
 * CONSUMER_SEND_MSG_BACK, %RETRY%<group> and the delay-level scheduler (1 s levels so the test stays short)
 * up to the dead-letter queue; then compressed/binary/non-ASCII messages and a delayed send, a group
 * member process killed mid-stream, and a broker restart under a connected client.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { test } from 'node:test';
import { Consumer, Message, type SendResult } from 'ali-ons';
import { withTempDir } from '../helpers/temp-dir';
import { AliOnsClients } from './ali-ons-clients';
import { Admin, CometmqProcess, freePort, pollUntil, startNamesrvAndBroker, startStandalone, stopCluster, type Cluster } from './cometmq-processes';

const CONSUME_DEADLINE_MS = 30_000;
const STUCK_CONSUMER = path.join(__dirname, 'children', 'ali-ons-stuck-consumer.js');

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

test('ali-ons against `cometmq start`: sync sends with tags and keys, a tag subscription receives only its tags, each once; an SQL92 subscription is filtered by the broker', { timeout: 60_000 }, () =>
  withTempDir('interop-tags', (dir) => withCluster(() => startStandalone(dir), async (_cluster, admin, clients) => {
    const topic = 'InteropTags';
    const group = 'InteropTagGroup';
    const queueNums = 4;
    await admin.createTopic(topic, queueNums);

    const producer = await clients.producer('InteropTagProducer', 'tags-producer');
    // null becomes the literal tag "null"; '' passes ali-ons' own client-side tag filter (it lets
    // untagged messages through), so only the broker's filter keeps it from this subscription.
    const tagCycle = ['TagA', 'TagB', 'TagC', null, ''] as const;
    const sent = new Map<string, { tags: string | null; result: SendResult }>();
    for (let i = 0; i < 25; i++) {
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
    // ali-ons commits past a queue's trailing non-matching messages only when a pull comes back
    // empty, i.e. after the long poll expires: a short hold keeps the wait for full commits short.
    const consumer = clients.consumer(group, 'tags-consumer', { brokerSuspendMaxTimeMillis: 1000 });
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

    // SQL92 (enablePropertyFilter is on by default in CometMQ, docs/filters.md): ali-ons filters
    // nothing itself for SQL92, so only the broker's evaluation keeps the other messages away.
    const sqlReceived: string[] = [];
    const sqlConsumer = clients.consumer('InteropSqlGroup', 'sql-consumer');
    sqlConsumer.subscribe(topic, { expressionType: 'SQL92', subString: "TAGS = 'TagB'" }, async (message) => {
      sqlReceived.push(message.body.toString('utf8'));
    });
    await sqlConsumer.ready();
    const sqlExpected = [...sent.entries()].filter(([, s]) => s.tags === 'TagB').map(([body]) => body);
    await pollUntil('the SQL92 matches', () => sqlReceived.length >= sqlExpected.length, CONSUME_DEADLINE_MS, () => clients.problems.join('\n'));
    assert.deepEqual(sqlReceived.sort(), sqlExpected.sort(), 'exactly the TagB messages, each once');
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

test('ali-ons against `cometmq start`: compressed, binary and non-ASCII messages, a delayed send, and a restarted consumer resumes at its committed offset', { timeout: 60_000 }, () =>
  withTempDir('interop-bodies', (dir) => withCluster(() => startStandalone(dir), async (_cluster, admin, clients) => {
    const topic = 'InteropBodies';
    const group = 'InteropBodiesGroup';
    const queueNums = 2;
    const tag = 'Tåg✓';
    await admin.createTopic(topic, queueNums);
    const producer = await clients.producer('InteropBodiesProducer', 'bodies-producer');

    // Over 4 KiB ali-ons zlib-compresses the body and sets sysFlag 1; the consumer must get it back inflated.
    const bodies = new Map<string, Buffer>([
      ['large', Buffer.concat([randomBytes(6000), Buffer.alloc(6000, 'a')])],
      ['binary', Buffer.from([0, 1, 2, 0xfe, 0xff, 0x01, 0x02])],
      ['unicode', Buffer.from('héllo wörld ✓ 消息', 'utf8')],
    ]);
    for (const [name, body] of bodies) {
      const message = new Message(topic, tag, body);
      message.keys = [`ключ-${name}`];
      assert.equal((await producer.send(message)).sendStatus, 'SEND_OK', `send ${name}`);
    }
    const delayed = new Message(topic, tag, 'delayed');
    (delayed as Message & { delayTimeLevel: number }).delayTimeLevel = 1;
    assert.equal((await producer.send(delayed)).sendStatus, 'SEND_OK', 'delayed send');

    const first: Delivery[] = [];
    const consumer = clients.consumer(group, 'bodies-consumer-1');
    consumer.subscribe(topic, tag, async (message) => {
      first.push({ ...delivery(message), body: message.body.toString('base64') });
    });
    await consumer.ready();
    await pollUntil('every message, the delayed one included', async () =>
      first.length >= bodies.size + 1 && (await admin.hasCommittedAll(group, topic, queueNums)),
    CONSUME_DEADLINE_MS, () => `received ${first.length}; client: ${clients.problems.join('\n')}`);

    const byKeys = new Map(first.map((d) => [d.keys, d]));
    assert.equal(first.length, bodies.size + 1, 'each message once');
    for (const [name, body] of bodies) {
      const got = byKeys.get(`ключ-${name}`);
      assert.ok(got !== undefined, `${name} arrived with its non-ASCII key`);
      assert.equal(got.body, body.toString('base64'), `${name}: the body round-trips byte for byte`);
      assert.equal(got.tags, tag, `${name}: the non-ASCII tag round-trips (and matched the broker's tag-code filter)`);
    }
    const delayedDelivery = first.find((d) => Buffer.from(d.body, 'base64').toString('utf8') === 'delayed');
    assert.ok(delayedDelivery !== undefined, 'the delayed message arrived');
    assert.equal(delayedDelivery.properties['REAL_TOPIC'], topic, 'it went through the delay scheduler back to its topic');
    assert.equal(delayedDelivery.properties['DELAY'], undefined, 'the scheduler drops DELAY on delivery, as Apache does');

    // close() commits offsets and then unregisters on the same connection; a new member of the group
    // must start where the first one stopped.
    await consumer.close();
    const second: string[] = [];
    const restarted = clients.consumer(group, 'bodies-consumer-2');
    restarted.subscribe(topic, tag, async (message) => {
      second.push(message.body.toString('utf8'));
    });
    await restarted.ready();
    assert.equal((await producer.send(new Message(topic, tag, 'after-restart'))).sendStatus, 'SEND_OK');
    await pollUntil('the message sent after the restart', async () =>
      second.includes('after-restart') && (await admin.hasCommittedAll(group, topic, queueNums)),
    CONSUME_DEADLINE_MS, () => `received ${second.join(',')}; client: ${clients.problems.join('\n')}`);
    assert.deepEqual(second, ['after-restart'], 'nothing consumed before the restart is delivered again');
    assert.deepEqual(clients.unexpectedProblems(/updateTopicPublishInfo\(\) prev is not null/), [], 'the client reported no errors');
  })),
);

test('ali-ons consumers in separate processes: a member killed mid-stream has its unacknowledged messages redelivered to the survivor', { timeout: 60_000 }, () =>
  withTempDir('interop-failover', (dir) => withCluster(() => startStandalone(dir), async (cluster, admin, clients) => {
    const topic = 'InteropFailover';
    const group = 'InteropFailoverGroup';
    const queueNums = 4;
    await admin.createTopic(topic, queueNums);
    const producer = await clients.producer('InteropFailoverProducer', 'failover-producer');
    const bodies = Array.from({ length: 20 }, (_, i) => `m-${i}`);
    for (const body of bodies) assert.equal((await producer.send(new Message(topic, 'TagF', body))).sendStatus, 'SEND_OK');

    // The other member: a separate process whose listener never returns, so nothing it holds is acked.
    const stuck = new CometmqProcess([cluster.namesrvAddr, topic, group], STUCK_CONSUMER);
    const received = new Set<string>();
    let held: string;
    try {
      held = await stuck.waitForLine(/^received (.+)$/);
      const survivor = clients.consumer(group, 'failover-survivor');
      survivor.subscribe(topic, '*', async (message) => {
        received.add(message.body.toString('utf8'));
      });
      await survivor.ready();
      assert.deepEqual((await admin.consumerIds(group)).sort(), ['127.0.0.1@failover-survivor', '127.0.0.1@stuck-consumer']);
    } finally {
      await stuck.kill();
    }
    // The broker notices the closed connection and drops the member, so the survivor's next
    // rebalance takes every queue, from the committed offsets the killed member never advanced.
    await pollUntil('the killed member leaving the group', async () =>
      (await admin.consumerIds(group)).join() === '127.0.0.1@failover-survivor', CONSUME_DEADLINE_MS);

    await pollUntil('every message at the survivor', async () =>
      received.size === bodies.length && (await admin.hasCommittedAll(group, topic, queueNums)),
    CONSUME_DEADLINE_MS, () => `survivor got ${[...received].join(',')}; killed member printed ${stuck.lines.join('\n')}; client: ${clients.problems.join('\n')}`);
    assert.ok(received.has(held), `the message the killed member held (${held}) was redelivered to the survivor`);
    assert.deepEqual([...received].sort(), [...bodies].sort());
    assert.deepEqual(clients.unexpectedProblems(/updateTopicPublishInfo\(\) prev is not null/), [], 'the survivor reported no errors');
  })),
);

test('ali-ons across a broker restart: the client reconnects, committed offsets survive, nothing is delivered twice', { timeout: 60_000 }, () =>
  withTempDir('interop-restart', async (dir) => {
    const ports = { namesrv: await freePort(), broker: await freePort() };
    const topic = 'InteropRestart';
    const group = 'InteropRestartGroup';
    const queueNums = 2;
    let cluster = await startStandalone(dir, ports);
    let admin = new Admin(cluster);
    const clients = new AliOnsClients(cluster.namesrvAddr);
    const exitCodes: (number | null)[] = [];
    try {
      await admin.createTopic(topic, queueNums);
      const producer = await clients.producer('InteropRestartProducer', 'restart-producer');
      const received: string[] = [];
      const consumer = clients.consumer(group, 'restart-consumer');
      consumer.subscribe(topic, '*', async (message) => {
        received.push(message.body.toString('utf8'));
      });
      await consumer.ready();
      const send = async (body: string): Promise<void> => {
        assert.equal((await producer.send(new Message(topic, 'TagS', body))).sendStatus, 'SEND_OK', `send ${body}`);
      };
      const before = Array.from({ length: 10 }, (_, i) => `before-${i}`);
      for (const body of before) await send(body);
      await pollUntil('consumption before the restart', async () =>
        received.length >= before.length && (await admin.hasCommittedAll(group, topic, queueNums)), CONSUME_DEADLINE_MS);

      // A graceful stop persists the committed offsets; the same ports and data dir come back.
      await admin.shutdown();
      exitCodes.push(...(await stopCluster(cluster)));
      cluster = await startStandalone(dir, ports);
      admin = new Admin(cluster);

      const after = Array.from({ length: 10 }, (_, i) => `after-${i}`);
      for (const body of after) await send(body);
      await pollUntil('consumption after the restart', async () =>
        received.length >= before.length + after.length && (await admin.hasCommittedAll(group, topic, queueNums)),
      CONSUME_DEADLINE_MS, () => `received ${received.join(',')}; client: ${clients.problems.join('\n')}`);
      assert.deepEqual([...received].sort(), [...before, ...after].sort(), 'every message once, none redelivered after the restart');
      // Connection errors while the broker was down are expected client noise here, so the client's
      // problem log is not asserted on in this test.
    } finally {
      try {
        await clients.closeAll();
        await admin.shutdown();
      } finally {
        exitCodes.push(...(await stopCluster(cluster)));
      }
    }
    assert.deepEqual(exitCodes, [0, 0], 'both cometmq runs exit cleanly');
  }),
);
