/**
 * Argument checks for the read-side calls. Native code asserts instead of validating, so every
 * argument is checked here; a bad argument is a programmer error (TypeError / RangeError naming it).
 */
const INT32_MAX = 0x7fffffff;

export function checkTopicArg(topic: unknown): asserts topic is string {
  if (typeof topic !== 'string' || topic.length === 0) throw new TypeError(`topic must be a non-empty string, got ${String(topic)}`);
}

export function checkQueueIdArg(queueId: unknown): asserts queueId is number {
  if (typeof queueId !== 'number' || !Number.isInteger(queueId) || queueId < 0 || queueId > INT32_MAX) {
    throw new RangeError(`queueId must be an integer in [0, ${INT32_MAX}], got ${String(queueId)}`);
  }
}

export function checkNonNegativeArg(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative safe integer, got ${String(value)}`);
  }
}

export function checkPositiveArg(name: string, value: unknown, max = INT32_MAX): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new RangeError(`${name} must be an integer in [1, ${max}], got ${String(value)}`);
  }
}

export function checkStringArg(name: string, value: unknown): asserts value is string {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string, got ${typeof value}`);
}

/** Tag hash codes as the Float64Array the addon takes (null = no filter). */
export function tagsCodesArg(tagsCodes: readonly number[] | undefined): Float64Array | null {
  if (tagsCodes === undefined || tagsCodes.length === 0) return null;
  const out = new Float64Array(tagsCodes.length);
  tagsCodes.forEach((code, i) => {
    if (typeof code !== 'number' || !Number.isSafeInteger(code)) throw new TypeError(`tagsCodes[${i}] must be an integer, got ${String(code)}`);
    out[i] = code;
  });
  return out;
}
