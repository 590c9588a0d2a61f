/** RocketMQ topic rules: non-empty, characters [%|a-zA-Z0-9_-], at most 127 characters. */
export const MAX_TOPIC_LENGTH = 127;
const TOPIC_PATTERN = /^[%|a-zA-Z0-9_-]+$/;

/** Returns why `topic` is not a valid topic name, or undefined when it is. */
export function topicProblem(topic: unknown): string | undefined {
  if (typeof topic !== 'string') return `topic must be a string, got ${typeof topic}`;
  if (topic.length === 0) return 'topic is empty';
  if (topic.length > MAX_TOPIC_LENGTH) return `topic is ${topic.length} characters long, the limit is ${MAX_TOPIC_LENGTH}`;
  if (!TOPIC_PATTERN.test(topic)) return `topic "${topic}" contains characters outside [%|a-zA-Z0-9_-]`;
  return undefined;
}

export function isValidTopic(topic: unknown): topic is string {
  return topicProblem(topic) === undefined;
}
