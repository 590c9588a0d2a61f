export type { AllocateStrategy } from './allocate-strategy';
export { allocateAveragely } from './allocate-averagely';
export { allocateAveragelyByCircle } from './allocate-averagely-by-circle';
export { allocateConsistentHash, consistentHashStrategy, DEFAULT_VIRTUAL_NODES, ringHash, javaQueueString } from './allocate-consistent-hash';
