/**
 * Ordered messages: `cometmq start` as a child process and, in this process, (1) sync sends through
 * the hash selector by order id (1,000 order ids; each sender owns a slice of them and sends their
 * steps in turn, so every order stays in sequence) against plain round-robin sync sends with the
 * same number of senders, and (2) draining the resulting backlog with an orderly PushConsumer
 * against a concurrent one (listeners that do nothing, so the figure is the consumer's own cost).
 *
 *   node dist/bench/features/ordered-send-bench.js [--count 20000] [--rounds 2] [--senders 16] [--orders 1000] [--body 256]
 */
import { parseArgs } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import { silentLogger } from '../../src/common/logger';
import { PushConsumer } from '../../src/client/consumer/push-consumer';
import { Producer, selectQueueByHash } from '../../src/client/producer/producer';
import { startCometmqServer, type CometmqServer } from '../lib/cometmq-server';
import { LatencyRecorder, type LatencySummary } from '../lib/histogram';
import { fmt, markdownTable } from '../lib/table';
import { runMain, writeResults } from '../lib/write-results';

const QUEUES = 8;
const WARMUP = 2000;

interface SendCase { readonly name: string; readonly count: number; readonly perSec: number; readonly latencyUs: LatencySummary }
interface ConsumeCase { readonly name: string; readonly count: number; readonly perSec: number }

runMain(async () => {
  const { values } = parseArgs({ options: { count: { type: 'string' }, senders: { type: 'string' }, orders: { type: 'string' }, body: { type: 'string' }, rounds: { type: 'string' }, out: { type: 'string' } } });
  const rounds = Number(values.rounds ?? 2);
  const count = Number(values.count ?? 20_000);
  const senders = Number(values.senders ?? 16);
  const orderCount = Number(values.orders ?? 1000);
  const body = Buffer.alloc(Number(values.body ?? 256), 'x');
  let server: CometmqServer | undefined;
  let producer: Producer | undefined;
  try {
    server = await startCometmqServer('ordered');
    const { namesrvAddr } = server;
    producer = new Producer({ namesrvAddr, clientIP: '127.0.0.1', logger: silentLogger, defaultTopicQueueNums: QUEUES, sendMsgTimeoutMs: 10_000, groupName: 'PG_ORDERED_BENCH' });
    await producer.start();
    const p = producer;
    const orders = Array.from({ length: orderCount }, (_, i) => `order-${i}`);

    // The two cases alternate for `rounds` rounds (a shared machine drifts); each case's figure is over all its rounds.
    const sendCases = [
      { name: 'ordered: selector by order id', topic: 'BenchOrdered', send: (topic: string, order: string) => p.send({ topic, body }, { selector: selectQueueByHash, selectorArg: order }) },
      { name: 'plain: round robin', topic: 'BenchPlain', send: (topic: string) => p.send({ topic, body }) },
    ].map((c) => ({ ...c, seconds: 0, recorder: new LatencyRecorder() }));
    for (const c of sendCases) await runSenders(WARMUP, senders, orders, (order) => c.send(c.topic, order), new LatencyRecorder());
    for (let round = 0; round < rounds; round++) {
      for (const c of sendCases) {
        const started = process.hrtime.bigint();
        await runSenders(count, senders, orders, (order) => c.send(c.topic, order), c.recorder);
        c.seconds += Number(process.hrtime.bigint() - started) / 1e9;
      }
    }
    const sendResults: SendCase[] = sendCases.map((c) => ({ name: c.name, count: count * rounds, perSec: (count * rounds) / c.seconds, latencyUs: c.recorder.summary() }));

    // Each consumer drains the ordered topic's whole backlog (warm-up included) from the beginning.
    const backlog = count * rounds + WARMUP;
    const consumeCases: ConsumeCase[] = [];
    for (const kind of ['orderly', 'concurrent'] as const) {
      const consumer = new PushConsumer({ groupName: `CG_ORDERED_BENCH_${kind}`, namesrvAddr, consumeFromWhere: 'FIRST_OFFSET', logger: silentLogger });
      consumer.subscribe('BenchOrdered', '*');
      if (kind === 'orderly') consumer.registerOrderlyListener(() => 'SUCCESS');
      else consumer.registerListener(() => 'CONSUME_SUCCESS');
      const started = process.hrtime.bigint();
      await consumer.start();
      while (consumer.consumedCount < backlog) await delay(5);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      await consumer.shutdown();
      consumeCases.push({ name: `${kind} listener`, count: backlog, perSec: backlog / seconds });
    }

    console.log(`\nOrdered sends: ${rounds} x ${count} sync sends of ${body.length} B, ${senders} senders, ${orderCount} order ids, ${QUEUES} queues, one broker (async flush)\n`);
    console.log(markdownTable(['case', 'sends/s', 'p50 us', 'p90 us', 'p99 us', 'p99.9 us', 'max us'], sendResults.map((r) => [
      r.name, fmt(r.perSec), fmt(r.latencyUs.p50), fmt(r.latencyUs.p90), fmt(r.latencyUs.p99), fmt(r.latencyUs.p999), fmt(r.latencyUs.max),
    ])));
    console.log(`\nConsuming the ordered topic's backlog (${backlog} messages, ${QUEUES} queues, no-op listener, start() included)\n`);
    console.log(markdownTable(['case', 'messages/s'], consumeCases.map((r) => [r.name, fmt(r.perSec)])));
    writeResults('ordered-send-bench', { sends: sendResults, consumes: consumeCases }, values.out);
  } finally {
    await producer?.shutdown();
    await server?.stop();
  }
});

/**
 * `total` sends by `senders` loops; sender i owns orders i, i+senders, ... and sends one step of
 * each in turn, so an order's steps are never in flight at once (they stay in sequence).
 */
async function runSenders(total: number, senders: number, orders: readonly string[], send: (order: string) => Promise<unknown>, recorder: LatencyRecorder): Promise<void> {
  let issued = 0;
  const sender = async (index: number): Promise<void> => {
    const mine = orders.filter((_, i) => i % senders === index);
    for (let n = 0; issued < total; n++) {
      issued++;
      const t0 = process.hrtime.bigint();
      await send(mine[n % mine.length]!);
      recorder.recordNanos(Number(process.hrtime.bigint() - t0));
    }
  };
  await Promise.all(Array.from({ length: senders }, (_, i) => sender(i)));
}
