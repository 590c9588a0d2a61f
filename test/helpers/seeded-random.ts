/**
 * A small seeded PRNG (mulberry32) so crash rounds, kill points and message contents are
 * reproducible from one printed seed.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  fill(buf: Buffer): Buffer {
    for (let i = 0; i < buf.length; i++) buf[i] = Math.floor(this.next() * 256);
    return buf;
  }
}

/** Seed for a test run: COMETMQ_TEST_SEED when set (to replay a failure), else time-derived. */
export function testSeed(): number {
  const fromEnv = process.env['COMETMQ_TEST_SEED'];
  if (fromEnv !== undefined && fromEnv !== '') {
    const seed = Number(fromEnv);
    if (!Number.isInteger(seed)) throw new RangeError(`COMETMQ_TEST_SEED must be an integer, got ${fromEnv}`);
    return seed >>> 0;
  }
  return (Date.now() ^ (process.pid << 16)) >>> 0;
}
