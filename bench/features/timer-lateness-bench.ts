/**
 * Timer lateness when many messages fall due at once (RocketMQ 5 users report late delivery there):
 * `cometmq start` as a child process; this process sends `count` timer messages, all with the same
 * TIMER_DELIVER_MS (the due time D, `lead-ms` after the start so every send is in before it), and
 * a PushConsumer records, per message, lateness = receive time - D. Reported: lateness p50 .. max
 * (HdrHistogram), the broker's re-put span (last delivered store time - D) and the delivery
 * throughput (count / time from D to the last receive). Then the same for delay level 1 (1 s):
 * lateness = receive time - (born time + 1 s), sends spread over time as they go.
 *
 *   node dist/bench/features/timer-lateness-bench.js [--count 100000] [--lead-ms 20000] [--body 128] [--levels true]
 */
import { parseArgs } from 'node:util';
import { silentLogger } from '../../src/common/logger';
import { Producer } from '../../src/client/producer/producer';
import { PushConsumer } from '../../src/client/consumer/push-consumer';
import { startCometmqServer, type CometmqServer } from '../lib/cometmq-server';
import { LatencyRecorder, type LatencySummary } from '../lib/histogram';
import { fmt, markdownTable } from '../lib/table';
import { runMain, writeResults } from '../lib/write-results';

const QUEUES = 8;
const IN_FLIGHT = 512;
const LEVEL_1_MS = 1000;

interface CaseResult {
  readonly name: string;
  readonly count: number;
  readonly sendSeconds: number;
  /** Lateness at the consumer (receive time - due time), ms. */
  readonly latenessMs: LatencySummary;
  /** Lateness in the broker (store time of the delivered copy - due time), ms. */
  readonly brokerLatenessMs: LatencySummary;
  /** Messages delivered per second, from the (first) due time to the last receive. */
  readonly deliveredPerSec: number;
  /** Broker side: last delivered message's store time - due time, ms (timer case). */
  readonly reputSpanMs?: number;
}

runMain(async () => {
  const { values } = parseArgs({ options: {
    count: { type: 'string' }, 'lead-ms': { type: 'string' }, body: { type: 'string' }, levels: { type: 'string' }, out: { type: 'string' },
  } });
  const count = Number(values.count ?? 100_000);
  const leadMs = Number(values['lead-ms'] ?? 20_000);
  const body = Buffer.alloc(Number(values.body ?? 128), 'x');
  let server: CometmqServer | undefined;
  let producer: Producer | undefined;
  try {
    server = await startCometmqServer('timer');
    const { namesrvAddr } = server;
    producer = new Producer({ namesrvAddr, clientIP: '127.0.0.1', logger: silentLogger, defaultTopicQueueNums: QUEUES, sendMsgTimeoutMs: 30_000, groupName: 'PG_TIMER_BENCH' });
    await producer.start();
    const results: CaseResult[] = [];
    results.push(await runCase('timer: all due in the same ms', namesrvAddr, producer, count, body, leadMs, 'timer'));
    if (values.levels !== 'false') results.push(await runCase('delay level 1 (1 s)', namesrvAddr, producer, count, body, leadMs, 'level'));
    console.log(`\nTimer lateness: ${count} messages of ${body.length} B, one broker (async flush), consumer in another process than the broker\n`);
    const row = (r: CaseResult, where: string, l: LatencySummary): string[] => [
      r.name, where, fmt(l.p50, 1), fmt(l.p90, 1), fmt(l.p99, 1), fmt(l.p999, 1), fmt(l.max, 1)];
    console.log(markdownTable(['case', 'lateness at', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'max ms'],
      results.flatMap((r) => [row(r, 'broker (store time)', r.brokerLatenessMs), row(r, 'consumer (receive)', r.latenessMs)])));
    console.log('');
    console.log(markdownTable(['case', 'send s', 'delivered/s (due -> last receive)', 're-put span ms (due -> last store)'],
      results.map((r) => [r.name, fmt(r.sendSeconds, 1), fmt(r.deliveredPerSec), r.reputSpanMs === undefined ? '-' : fmt(r.reputSpanMs)])));
    writeResults('timer-lateness-bench', results, values.out);
  } finally {
    await producer?.shutdown();
    await server?.stop();
  }
});

async function runCase(
  name: string, namesrvAddr: string, producer: Producer, count: number, body: Buffer, leadMs: number, kind: 'timer' | 'level',
): Promise<CaseResult> {
  const topic = kind === 'timer' ? 'BenchTimer' : 'BenchDelayLevel';
  // A plain message creates the topic (8 queues) before the consumer looks it up; it is not measured.
  await producer.send({ topic, body: 'warm-up' });
  const recorder = new LatencyRecorder();
  const brokerRecorder = new LatencyRecorder();
  let received = 0;
  let lastReceive = 0;
  let lastStore = 0;
  let done!: () => void;
  const allReceived = new Promise<void>((resolve) => { done = resolve; });
  const consumer = new PushConsumer({
    namesrvAddr, groupName: `CG_${topic}`, instanceName: `bench-${topic}`, consumeFromWhere: 'FIRST_OFFSET', logger: silentLogger,
    pullBatchSize: 256, consumeMessageBatchMaxSize: 64, consumeThreadMax: 64,
  });
  consumer.subscribe(topic, '*');
  consumer.registerListener((msgs) => {
    const now = Date.now();
    for (const msg of msgs) {
      const due = kind === 'timer' ? Number(msg.properties['TIMER_DELIVER_MS']) : msg.bornTimestamp + LEVEL_1_MS;
      if (!Number.isFinite(due) || msg.body.length !== body.length) continue;
      recorder.recordNanos(Math.max(0, now - due) * 1e6);
      brokerRecorder.recordNanos(Math.max(0, msg.storeTimestamp - due) * 1e6);
      lastStore = Math.max(lastStore, msg.storeTimestamp);
      lastReceive = now;
      if (++received === count) done();
    }
    return 'CONSUME_SUCCESS';
  });
  await consumer.start();
  const sendStart = Date.now();
  const due = sendStart + leadMs;
  let issued = 0;
  const sender = async (): Promise<void> => {
    while (issued < count) {
      issued++;
      await producer.send(kind === 'timer' ? { topic, body, deliverTimeMs: due } : { topic, body, delayTimeLevel: 1 });
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, sender));
  const sendEnd = Date.now();
  if (kind === 'timer' && sendEnd > due) console.error(`warning: sends ended ${sendEnd - due} ms after the due time; use a larger --lead-ms`);
  await allReceived;
  await consumer.shutdown();
  const firstDue = kind === 'timer' ? due : sendStart + LEVEL_1_MS;
  const result: CaseResult = {
    name, count, sendSeconds: (sendEnd - sendStart) / 1000, latenessMs: toMs(recorder.summary()), brokerLatenessMs: toMs(brokerRecorder.summary()),
    deliveredPerSec: count / (Math.max(1, lastReceive - firstDue) / 1000),
  };
  return kind === 'timer' ? { ...result, reputSpanMs: lastStore - due } : result;
}

/** The recorder summarises in microseconds; lateness reads better in ms. */
function toMs(s: LatencySummary): LatencySummary {
  const ms = (us: number): number => Math.round(us / 10) / 100;
  return { count: s.count, p50: ms(s.p50), p90: ms(s.p90), p99: ms(s.p99), p999: ms(s.p999), max: ms(s.max), mean: ms(s.mean) };
}
