/**
 * Transaction throughput: `cometmq start` (name server + broker) as a child process, a
 * TransactionProducer in this process sending with 64 calls in flight. Each call is a half message,
 * a local transaction that commits at once, and the one-way END_TRANSACTION. Reported: calls/s and
 * the call's latency percentiles, the rate at which committed messages became visible in the topic
 * (the last END_TRANSACTION applied), and, as a ceiling from the same run, plain sync sends with the
 * same concurrency (a transaction costs one more append for the real message and one for the op).
 *
 *   node dist/bench/features/transaction-bench.js [--count 20000] [--concurrency 64] [--body 256]
 */
import { parseArgs } from 'node:util';
import { silentLogger } from '../../src/common/logger';
import { Producer } from '../../src/client/producer/producer';
import { TransactionProducer } from '../../src/client/producer/transaction-producer';
import { createRequest } from '../../src/protocol/remoting-command';
import { RequestCode } from '../../src/protocol/request-code';
import { ResponseCode } from '../../src/protocol/response-code';
import { startCometmqServer, type CometmqServer } from '../lib/cometmq-server';
import { LatencyRecorder, type LatencySummary } from '../lib/histogram';
import { fmt, markdownTable } from '../lib/table';
import { runMain, writeResults } from '../lib/write-results';

const QUEUES = 8;
const WARMUP = 2000;

interface CaseResult {
  readonly name: string;
  readonly count: number;
  readonly callsPerSec: number;
  readonly visiblePerSec: number;
  readonly latencyUs: LatencySummary;
}

runMain(async () => {
  const { values } = parseArgs({ options: { count: { type: 'string' }, concurrency: { type: 'string' }, body: { type: 'string' }, out: { type: 'string' } } });
  const count = Number(values.count ?? 20_000);
  const concurrency = Number(values.concurrency ?? 64);
  const body = Buffer.alloc(Number(values.body ?? 256), 'x');
  let server: CometmqServer | undefined;
  let tx: TransactionProducer | undefined;
  let plain: Producer | undefined;
  try {
    server = await startCometmqServer('tx');
    const { namesrvAddr } = server;
    const common = { namesrvAddr, clientIP: '127.0.0.1', logger: silentLogger, defaultTopicQueueNums: QUEUES, sendMsgTimeoutMs: 10_000 };
    tx = new TransactionProducer({
      ...common, groupName: 'PG_TX_BENCH', instanceName: 'tx-bench',
      transactionListener: { executeLocalTransaction: () => 'COMMIT_MESSAGE', checkLocalTransaction: () => 'COMMIT_MESSAGE' },
    });
    await tx.start();
    plain = new Producer({ ...common, groupName: 'PG_PLAIN_BENCH', instanceName: 'plain-bench' });
    await plain.start();
    const instance = tx.producer.clientInstance;
    const visible = async (topic: string): Promise<number> => {
      const route = await instance.topicRoute(topic, { refresh: true });
      let total = 0;
      for (const q of route.publishQueues) {
        const response = await instance.invoke(instance.masterAddress(q.brokerName)!, createRequest(RequestCode.GET_MAX_OFFSET, { topic, queueId: String(q.queueId) }));
        if (response.code === ResponseCode.SUCCESS) total += Number(response.extFields['offset']);
      }
      return total;
    };
    const txProducer = tx;
    const plainProducer = plain;
    const results: CaseResult[] = [];
    for (const [name, send] of [
      ['transaction (half + commit)', (topic: string) => txProducer.sendMessageInTransaction({ topic, body })],
      ['plain sync send (ceiling)', (topic: string) => plainProducer.send({ topic, body })],
    ] as const) {
      const topic = `BenchTx${results.length}`;
      await runCalls(WARMUP, concurrency, () => send(topic), new LatencyRecorder());
      const before = await visible(topic);
      const recorder = new LatencyRecorder();
      const started = process.hrtime.bigint();
      await runCalls(count, concurrency, () => send(topic), recorder);
      const callsNanos = Number(process.hrtime.bigint() - started);
      // END_TRANSACTION is one-way: wait until the broker has applied every commit.
      while ((await visible(topic)) - before < count) await new Promise((resolve) => setTimeout(resolve, 5));
      const visibleNanos = Number(process.hrtime.bigint() - started);
      results.push({ name, count, callsPerSec: count / (callsNanos / 1e9), visiblePerSec: count / (visibleNanos / 1e9), latencyUs: recorder.summary() });
    }
    console.log(`\nTransactions: ${count} messages of ${body.length} B, ${concurrency} in flight, one broker (async flush)\n`);
    console.log(markdownTable(['case', 'calls/s', 'committed visible/s', 'p50 us', 'p90 us', 'p99 us', 'p99.9 us', 'max us'], results.map((r) => [
      r.name, fmt(r.callsPerSec), fmt(r.visiblePerSec), fmt(r.latencyUs.p50), fmt(r.latencyUs.p90), fmt(r.latencyUs.p99), fmt(r.latencyUs.p999), fmt(r.latencyUs.max),
    ])));
    writeResults('transaction-bench', results, values.out);
  } finally {
    await tx?.shutdown();
    await plain?.shutdown();
    await server?.stop();
  }
});

/** `total` calls with `concurrency` in flight, each call's latency recorded. */
async function runCalls(total: number, concurrency: number, call: () => Promise<unknown>, recorder: LatencyRecorder): Promise<void> {
  let issued = 0;
  const worker = async (): Promise<void> => {
    while (issued < total) {
      issued++;
      const t0 = process.hrtime.bigint();
      await call();
      recorder.recordNanos(Number(process.hrtime.bigint() - t0));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
}
