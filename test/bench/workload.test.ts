/**
 * Every `cometmq bench` workload run as an operator runs it (a child process of bin/cometmq.js with
 * --json) against one broker child, short runs of 2,000 messages. Counts are checked against what
 * the broker stored (topic stats through the admin client), not only the tool's own counters.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { BenchResult } from '../../src/bench/bench-result';
import { storedMessageCount } from '../../src/bench/cometmq-admin';
import { EmbeddedBroker } from '../../src/bench/embedded-broker';
import { runCometmqToEnd, type CliResult } from '../helpers/cometmq-cli';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir';

const RUN_DEADLINE_MS = 60_000;

let broker: EmbeddedBroker;
let brokerDir: string;
let outDir: string;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly result: BenchResult;
}

function cometmq(args: readonly string[]): Promise<CliResult> {
  return runCometmqToEnd(args, RUN_DEADLINE_MS);
}

let runs = 0;
async function bench(kind: string, args: readonly string[]): Promise<Run> {
  const json = path.join(outDir, `run-${runs++}.json`);
  const out = await cometmq(['bench', kind, '--namesrv', broker.namesrvAddr, '--json', json, ...args]);
  assert.equal(out.code, 0, `cometmq bench ${kind} ${args.join(' ')} failed:\n${out.stderr}\n${out.stdout}`);
  return { ...out, result: JSON.parse(fs.readFileSync(json, 'utf8')) as BenchResult };
}

/** One-way sends are counted when handed to the socket: the broker stores them a moment later. */
async function eventuallyStored(topic: string, expected: number): Promise<number> {
  const deadline = Date.now() + 10_000;
  let stored = await storedMessageCount(broker.namesrvAddr, topic);
  while (stored < expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    stored = await storedMessageCount(broker.namesrvAddr, topic);
  }
  return stored;
}

before(async () => {
  brokerDir = makeTempDir('bench-workload-broker');
  outDir = makeTempDir('bench-workload-out');
  broker = await EmbeddedBroker.start({ dataDir: brokerDir, flushDiskType: 'ASYNC_FLUSH', brokerSettings: {} });
});

after(async () => {
  await broker?.stop();
  removeTempDir(brokerDir);
  removeTempDir(outDir);
});

test('bench producer: 2,000 acknowledged sends are 2,000 stored messages, with per-second lines and percentiles', async () => {
  const { result, stdout } = await bench('producer', ['--topic', 'WlProducer', '--messages', '2000', '--threads', '16']);
  assert.equal(result.kind, 'producer');
  assert.equal(result.target, 'cometmq');
  assert.equal(result.sent, 2000);
  assert.equal(result.sendFailures + result.responseFailures, 0);
  assert.equal(await storedMessageCount(broker.namesrvAddr, 'WlProducer'), 2000);
  assert.equal(result.latency.count, 2000, 'one round trip per request');
  assert.ok(result.latency.p50 > 0 && result.latency.p50 <= result.latency.p99 && result.latency.p99 <= result.latency.max);
  assert.ok(result.percentileCurve.length > 10 && result.percentileCurve.at(-1)!.percentile > 99.99);
  assert.ok(result.perSecond.length >= 1);
  assert.equal(result.perSecond.reduce((sum, s) => sum + (s.sent ?? 0), 0), 2000, 'the per-second windows add up to the total');
  assert.match(stdout, /Send TPS: [\d,]+ {2}Max RT\(ms\): [\d.]+ {2}Average RT\(ms\): [\d.]+ {2}Send Failed: 0 {2}Response Failed: 0/);
  assert.match(stdout, /\[Complete\] Send Total: 2,000/);
  assert.match(stdout, /p50 .* p90 .* p99 .* p99\.9 .* p99\.99 .* max /);
  assert.equal(result.options['messages'], 2000);
  assert.equal(result.options['threads'], 16);
});

test('bench producer --topics 4 --batch 10: batches spread over four topics, every message stored', async () => {
  const { result } = await bench('producer', ['--topic', 'WlSpread', '--topics', '4', '--queues', '2', '--batch', '10', '--messages', '2000']);
  assert.equal(result.sent, 2000);
  assert.equal(result.latency.count, 200, 'one round trip per batch request');
  const perTopic = await Promise.all([0, 1, 2, 3].map((i) => storedMessageCount(broker.namesrvAddr, `WlSpread-${i}`)));
  assert.deepEqual(perTopic, [500, 500, 500, 500]);
});

test('bench producer --mode oneway --batch 4: every handed-off message reaches the store', async () => {
  const { result } = await bench('producer', ['--topic', 'WlOneway', '--mode', 'oneway', '--batch', '4', '--messages', '2000']);
  assert.equal(result.sent, 2000);
  assert.equal(await eventuallyStored('WlOneway', 2000), 2000);
});

test('bench producer --rate: the sends of every second stay within the schedule', async () => {
  const rate = 400;
  const { result } = await bench('producer', ['--topic', 'WlRate', '--rate', String(rate), '--duration', '2.5', '--threads', '8']);
  // The schedule holds 2.5 s × 400 = 1,000 sends: no more, and (nothing failing) no fewer.
  assert.equal(result.sent, 1000);
  assert.equal(await storedMessageCount(broker.namesrvAddr, 'WlRate'), 1000);
  let cumulative = 0;
  for (const s of result.perSecond) {
    cumulative += s.sent ?? 0;
    // By the end of a window at most the requests due by then have been sent (the first one is due at 0).
    assert.ok(cumulative <= Math.floor(s.endSeconds! * rate) + 1, `${cumulative} sends by ${s.endSeconds} s exceeds the schedule of ${rate}/s`);
  }
  assert.ok(result.serviceTime !== undefined && result.serviceTime.count === 1000, 'a paced run also reports the uncorrected service time');
  assert.equal(result.latency.count, 1000);
});

test('bench producer --warmup: the warm-up second is sent and stored but not counted', async () => {
  const { result, stdout } = await bench('producer', ['--topic', 'WlWarmup', '--warmup', '1', '--messages', '2000', '--mode', 'async', '--threads', '8']);
  assert.equal(result.sent, 2000);
  assert.equal(result.latency.count, 2000);
  assert.equal(result.perSecond.reduce((sum, s) => sum + (s.sent ?? 0), 0), 2000, 'warm-up seconds are not kept');
  assert.match(stdout, /\[warmup +1s\] Send TPS/);
  const warmupSends = (await storedMessageCount(broker.namesrvAddr, 'WlWarmup')) - 2000;
  assert.ok(warmupSends > 0, 'the warm-up sent messages of its own');
  assert.equal(result.options['warmup'], 1);
  assert.equal(result.options['mode'], 'async');
});

test('bench consumer: a backlog of 2,000 is filled and drained, every message received once', async () => {
  const { result, stdout } = await bench('consumer', ['--topic', 'WlConsumer', '--messages', '2000', '--queues', '4']);
  assert.equal(result.kind, 'consumer');
  assert.equal(result.sent, 2000);
  assert.equal(result.received, 2000);
  assert.equal(await storedMessageCount(broker.namesrvAddr, 'WlConsumer'), 2000);
  assert.equal(result.latency.count, 2000, 'a send-to-receive age per message');
  assert.ok(result.throughput > 0);
  assert.match(stdout, /Receive TPS: [\d,]+/);
  assert.match(stdout, /Receive Total: 2,000/);
  const phases = new Set(result.perSecond.map((s) => s.phase));
  assert.ok(phases.has('fill') && phases.has('drain'), `per-second samples of both phases, got ${[...phases].join(', ')}`);
  assert.equal(result.perSecond.filter((s) => s.phase === 'drain').reduce((sum, s) => sum + (s.received ?? 0), 0), 2000);
});

test('bench consumer on a reused topic counts only its own run, and --live consumes while producing', async () => {
  const { result } = await bench('consumer', ['--topic', 'WlConsumer', '--messages', '2000', '--queues', '4', '--live']);
  assert.equal(result.sent, 2000);
  assert.equal(result.received, 2000, 'the previous run\'s 2,000 messages are not counted');
  // Both runs' messages, plus the live run's probes (one per queue, sent before measuring).
  assert.equal(await storedMessageCount(broker.namesrvAddr, 'WlConsumer'), 4004);
});

test('bench e2e: 2,000 paced messages, each received and timed from its due time', async () => {
  const { result, stdout } = await bench('e2e', ['--topic', 'WlE2e', '--messages', '2000', '--rate', '2000', '--queues', '4']);
  assert.equal(result.kind, 'e2e');
  assert.equal(result.sent, 2000);
  assert.equal(result.received, 2000);
  // The probe messages (one per queue) are stored too, and not counted in the result.
  assert.equal(await storedMessageCount(broker.namesrvAddr, 'WlE2e'), 2004);
  assert.equal(result.latency.count, 2000);
  assert.ok(result.latency.p50 > 0 && result.latency.max >= result.latency.p9999);
  assert.match(stdout, /Latency, send to receive/);
});
