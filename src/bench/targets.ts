/**
 * The systems `cometmq bench --target NAME` can drive, by name. Each peer registers itself here with
 * one line. ('store' is not a target of its own: `cometmq bench store` always runs the store.)
 */
import { createCometmqTarget } from './cometmq-target';
import { createNatsTarget } from './peers/nats-target';
import { createRedisTarget } from './peers/redis-target';
import type { BenchTargetFactory } from './target';

export const BENCH_TARGETS: Readonly<Record<string, BenchTargetFactory>> = {
  cometmq: createCometmqTarget,
  redis: createRedisTarget,
  nats: createNatsTarget,
};
