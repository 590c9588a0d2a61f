import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  allocateAveragely,
  allocateAveragelyByCircle,
  allocateConsistentHash,
  consistentHashStrategy,
  messageQueueKey,
  type AllocateStrategy,
  type MessageQueue,
} from '../../src/client';
import { SeededRandom } from '../helpers/seeded-random';

function queues(count: number, brokers = ['broker-a']): MessageQueue[] {
  const out: MessageQueue[] = [];
  for (const brokerName of brokers) for (let queueId = 0; queueId < count; queueId++) out.push({ topic: 'T', brokerName, queueId });
  return out;
}

const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `10.0.0.${i + 1}@${i}`);
const short = (list: MessageQueue[]): number[] => list.map((q) => q.queueId);

test('averagely: contiguous ranges, the first `queues % consumers` consumers get one more', () => {
  const cases: Array<[number, number, number[][]]> = [
    [8, 3, [[0, 1, 2], [3, 4, 5], [6, 7]]],
    [6, 3, [[0, 1], [2, 3], [4, 5]]],
    [2, 3, [[0], [1], []]],
    [5, 1, [[0, 1, 2, 3, 4]]],
    [4, 4, [[0], [1], [2], [3]]],
  ];
  for (const [queueCount, consumerCount, expected] of cases) {
    const all = ids(consumerCount);
    const got = all.map((id) => short(allocateAveragely('G', id, queues(queueCount), all)));
    assert.deepEqual(got, expected, `${queueCount} queues, ${consumerCount} consumers`);
  }
});

test('averagely by circle: queue i goes to consumer i % consumers', () => {
  const cases: Array<[number, number, number[][]]> = [
    [8, 3, [[0, 3, 6], [1, 4, 7], [2, 5]]],
    [2, 3, [[0], [1], []]],
    [3, 1, [[0, 1, 2]]],
  ];
  for (const [queueCount, consumerCount, expected] of cases) {
    const all = ids(consumerCount);
    const got = all.map((id) => short(allocateAveragelyByCircle('G', id, queues(queueCount), all)));
    assert.deepEqual(got, expected, `${queueCount} queues, ${consumerCount} consumers`);
  }
});

test('a client missing from the id list, no queues or no ids: nothing allocated; bad arguments throw', () => {
  for (const strategy of [allocateAveragely, allocateAveragelyByCircle, allocateConsistentHash]) {
    assert.deepEqual(strategy('G', 'stranger', queues(4), ids(2)), []);
    assert.deepEqual(strategy('G', ids(1)[0]!, [], ids(1)), []);
    assert.throws(() => strategy('', ids(1)[0]!, queues(1), ids(1)), { code: 'ERR_INVALID_ARGUMENT' });
    assert.throws(() => strategy('G', '', queues(1), ids(1)), { code: 'ERR_INVALID_ARGUMENT' });
  }
  assert.throws(() => consistentHashStrategy(0), { code: 'ERR_INVALID_ARGUMENT' });
});

test('property: every strategy assigns every queue exactly once across the consumers, for many shapes', () => {
  const random = new SeededRandom(0xc11e47);
  const strategies: Array<[string, AllocateStrategy]> = [
    ['averagely', allocateAveragely],
    ['by circle', allocateAveragelyByCircle],
    ['consistent hash', allocateConsistentHash],
    ['consistent hash x3', consistentHashStrategy(3)],
  ];
  for (let round = 0; round < 150; round++) {
    const queueCount = random.int(1, 40);
    const consumerCount = random.int(1, 12);
    const brokers = Array.from({ length: random.int(1, 3) }, (_, i) => `broker-${i}`);
    const all = queues(queueCount, brokers);
    const clients = ids(consumerCount);
    for (const [name, strategy] of strategies) {
      const owners = new Map<string, string>();
      for (const client of clients) {
        for (const mq of strategy('G', client, all, clients)) {
          const key = messageQueueKey(mq);
          assert.equal(owners.get(key), undefined, `${name}: ${key} given to ${owners.get(key)} and ${client}`);
          owners.set(key, client);
        }
      }
      assert.equal(owners.size, all.length, `${name}: ${all.length} queues, ${consumerCount} consumers`);
      if (name !== 'consistent hash' && name !== 'consistent hash x3') {
        // The even strategies differ by at most one queue between consumers.
        const counts = clients.map((c) => [...owners.values()].filter((o) => o === c).length);
        assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `${name}: uneven ${counts.join(',')}`);
      }
    }
  }
});

test('consistent hash: removing a consumer only moves the queues it owned', () => {
  const all = queues(64, ['broker-a', 'broker-b']);
  const before = ids(5);
  const after = before.filter((_, i) => i !== 2);
  const ownerIn = (clients: string[]): Map<string, string> => {
    const owners = new Map<string, string>();
    for (const client of clients) for (const mq of allocateConsistentHash('G', client, all, clients)) owners.set(messageQueueKey(mq), client);
    return owners;
  };
  const ownersBefore = ownerIn(before);
  const ownersAfter = ownerIn(after);
  for (const [key, owner] of ownersBefore) {
    if (owner !== before[2]) assert.equal(ownersAfter.get(key), owner, `${key} moved though its owner stayed`);
  }
});
