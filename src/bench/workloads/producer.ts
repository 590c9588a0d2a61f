/**
 * `cometmq bench producer` (and `bench store`, the same loop over the in-process store): sends for
 * --duration or --messages, closed loop or at --rate; the figure is acknowledged messages per
 * second and the send round trip (from the due time when paced).
 */
import type { BenchResult } from '../bench-result';
import { recordedOptions, topicNames, type BenchOptions } from '../bench-options';
import { BodyMaker, newRunId } from '../body-stamp';
import { generateLoad } from '../load-generator';
import { Measurement, type WorkloadObserver } from '../measurement';
import type { BenchSender, BenchTarget } from '../target';

export async function runProducer(target: BenchTarget, options: BenchOptions, observer: WorkloadObserver, signal: AbortSignal = new AbortController().signal): Promise<BenchResult> {
  const topics = topicNames(options);
  await target.prepare(topics, options.queues);
  const sender = await target.openSender();
  const measurement = new Measurement(observer);
  try {
    const bodies = new BodyMaker(options.size, options.size >= 16);
    const load = (durationMs: number | undefined, messages: number | undefined, s: BenchSender) => generateLoad({
      sender: s, topics, batch: options.batch, mode: options.mode, threads: options.threads, rate: options.rate, messages, durationMs,
      signal, stats: measurement.stats, bodies, runId: newRunId(), recordSendLatency: true,
    });
    if (options.warmupSeconds > 0) {
      measurement.enter('warmup', { seconds: options.warmupSeconds });
      await load(options.warmupSeconds * 1000, undefined, sender);
    }
    measurement.enter('run', { messages: options.messages, seconds: options.durationSeconds });
    await load(options.durationSeconds === undefined ? undefined : options.durationSeconds * 1000, options.messages, sender);
    const seconds = measurement.measuredSeconds();
    measurement.stop();
    return measurement.result({
      kind: options.kind, target: target.name, targetDescription: target.description, options: recordedOptions(options),
      seconds, throughputOf: 'sent', interrupted: signal.aborted, paced: options.rate > 0,
    });
  } finally {
    measurement.stop();
    await sender.close();
  }
}
