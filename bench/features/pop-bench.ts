/**
 * POP throughput: `cometmq start` as a child process; a Producer in this process fills a topic of
 * 8 queues with --count messages, then --consumers SimpleConsumers of one group (each with
 * --loops receive loops in flight) receive batches of 32 and ack every message. Reported: pop+ack
 * messages/s from the first receive to the last ack, the ack call's latency percentiles, receive
 * calls, and messages delivered more than once (should be 0: nothing is left unacked).
 *
 *   node dist/bench/features/pop-bench.js [--count 100000] [--consumers 4] [--loops 2] [--body 256] [--batch-ack]
 *
 * --batch-ack acks each received batch with one BATCH_ACK_MESSAGE (SimpleConsumer.ackAll); the
 * ack latency is then per batch.
 */
import { parseArgs } from 'node:util';
import { silentLogger } from '../../src/common/logger';
import { Producer } from '../../src/client/producer/producer';
import { SimpleConsumer } from '../../src/client/consumer/simple-consumer';
import { startCometmqServer, type CometmqServer } from '../lib/cometmq-server';
import { LatencyRecorder } from '../lib/histogram';
import { fmt, markdownTable } from '../lib/table';
import { runMain, writeResults } from '../lib/write-results';

const QUEUES = 8;
const TOPIC = 'BenchPop';
const GROUP = 'CG_POP_BENCH';

runMain(async () => {
  const { values } = parseArgs({ options: {
    count: { type: 'string' }, 'batch-ack': { type: 'boolean' }, consumers: { type: 'string' }, loops: { type: 'string' }, body: { type: 'string' }, out: { type: 'string' },
  } });
  const count = Number(values.count ?? 100_000);
  const consumerCount = Number(values.consumers ?? 4);
  const loops = Number(values.loops ?? 2);
  const batchAck = values['batch-ack'] === true;
  const body = Buffer.alloc(Number(values.body ?? 256), 'x');
  let server: CometmqServer | undefined;
  let producer: Producer | undefined;
  const consumers: SimpleConsumer[] = [];
  try {
    server = await startCometmqServer('pop');
    const { namesrvAddr } = server;
    producer = new Producer({ namesrvAddr, clientIP: '127.0.0.1', logger: silentLogger, defaultTopicQueueNums: QUEUES, sendMsgTimeoutMs: 10_000, groupName: 'PG_POP_BENCH' });
    await producer.start();
    const sender = producer;
    let sent = 0;
    const produceStart = process.hrtime.bigint();
    await Promise.all(Array.from({ length: 64 }, async () => {
      while (sent < count) {
        sent++;
        await sender.send({ topic: TOPIC, body });
      }
    }));
    const produceSecs = Number(process.hrtime.bigint() - produceStart) / 1e9;

    for (let i = 0; i < consumerCount; i++) {
      const c = new SimpleConsumer({
        groupName: GROUP, namesrvAddr, subscriptions: { [TOPIC]: '*' }, awaitDurationMs: 1000, invisibleDurationMs: 60_000,
        initMode: 'min', requestTimeoutMs: 10_000, instanceName: `pop-bench-${i}`, logger: silentLogger,
      });
      await c.start();
      consumers.push(c);
    }
    const seen = new Map<string, number>();
    const acks = new LatencyRecorder();
    let receives = 0;
    let done = 0;
    const started = process.hrtime.bigint();
    await Promise.all(consumers.flatMap((c) => Array.from({ length: loops }, async () => {
      while (done < count) {
        const batch = await c.receive(32, 60_000);
        receives++;
        for (const m of batch) seen.set(m.messageId, (seen.get(m.messageId) ?? 0) + 1);
        if (batchAck && batch.length > 0) {
          const t0 = process.hrtime.bigint();
          await c.ackAll(batch);
          acks.recordNanos(Number(process.hrtime.bigint() - t0));
          done += batch.length;
          continue;
        }
        await Promise.all(batch.map(async (m) => {
          const t0 = process.hrtime.bigint();
          await c.ack(m);
          acks.recordNanos(Number(process.hrtime.bigint() - t0));
          done++;
        }));
      }
    })));
    const secs = Number(process.hrtime.bigint() - started) / 1e9;
    const duplicates = [...seen.values()].filter((n) => n > 1).length;
    const latency = acks.summary();
    const result = {
      count, consumers: consumerCount, loops, batchAck, bodyBytes: body.length, produceMsgsPerSec: count / produceSecs,
      popAckMsgsPerSec: done / secs, receives, messagesPerReceive: done / receives, distinct: seen.size, duplicates, ackLatencyUs: latency,
    };
    console.log(`\nPOP: ${count} messages of ${body.length} B, ${consumerCount} SimpleConsumers x ${loops} receive loops, batches of 32, every message acked ${batchAck ? 'with one BATCH_ACK_MESSAGE per batch' : 'one ACK_MESSAGE each'}\n`);
    console.log(markdownTable(['produce msg/s', 'pop+ack msg/s', 'receives', 'msgs/receive', 'duplicates', 'ack p50 us', 'ack p99 us', 'ack max us'], [[
      fmt(result.produceMsgsPerSec), fmt(result.popAckMsgsPerSec), receives, fmt(result.messagesPerReceive, 1), duplicates,
      fmt(latency.p50), fmt(latency.p99), fmt(latency.max),
    ]]));
    writeResults('pop-bench', result, values.out);
  } finally {
    for (const c of consumers) await c.shutdown();
    await producer?.shutdown();
    await server?.stop();
  }
});
