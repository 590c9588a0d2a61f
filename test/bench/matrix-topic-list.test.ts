/**
 * UPDATE_AND_CREATE_TOPIC_LIST as the topic-scaling run uses it: 10,000 topics in two requests to a
 * real `cometmq start` child, all routed by its name server; a list with one bad entry creates
 * nothing; an unchanged list changes nothing (no data-version bump, so no re-registration storm).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { startBrokerProcess, type BrokerProcess } from '../../src/bench/matrix';
import { createTopicList as createList, type TopicListOptions } from '../../src/bench/matrix/topic-list';
import { silentLogger } from '../../src/common';
import { createRequest, RequestCode, ResponseCode } from '../../src/protocol';
import { RemotingClient } from '../../src/remoting';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir';

const TOPICS = Array.from({ length: 10_000 }, (_, i) => `Scale-${i}`);
let root: string;
let broker: BrokerProcess;
let client: RemotingClient;

async function createTopicList(_client: RemotingClient, brokerAddr: string, topics: readonly string[], o: TopicListOptions): Promise<void> {
  const caller = { call: (address: string, code: number, extFields: Record<string, string>, body?: Buffer) => client.invokeSync(address, createRequest(code, extFields, body), 30_000) };
  assert.equal(await createList(caller, brokerAddr, topics, o), true, 'the broker supports UPDATE_AND_CREATE_TOPIC_LIST');
}

before(async () => {
  root = makeTempDir('topic-list');
  broker = await startBrokerProcess(root, {});
  client = new RemotingClient({ logger: silentLogger });
});

after(async () => {
  await client?.shutdown();
  await broker?.stop();
  removeTempDir(root);
});

async function topicConfigs(): Promise<{ topicConfigTable: Record<string, { readQueueNums: number }>; dataVersion: { counter: number } }> {
  const response = await client.invokeSync(broker.brokerAddr, createRequest(RequestCode.GET_ALL_TOPIC_CONFIG, {}), 10_000);
  assert.equal(response.code, ResponseCode.SUCCESS);
  return JSON.parse(response.body!.toString('utf8'));
}

async function namesrvTopics(): Promise<Set<string>> {
  const response = await client.invokeSync(broker.namesrvAddr, createRequest(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER, {}), 10_000);
  assert.equal(response.code, ResponseCode.SUCCESS);
  return new Set((JSON.parse(response.body!.toString('utf8')) as { topicList: string[] }).topicList);
}

async function waitFor(condition: () => Promise<boolean>, what: string, deadlineMs = 20_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} not within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('10,000 topics created by UPDATE_AND_CREATE_TOPIC_LIST are stored, persisted and routed by the name server', { timeout: 60_000 }, async () => {
  await createTopicList(client, broker.brokerAddr, TOPICS, { readQueueNums: 4, writeQueueNums: 4 });
  const configs = await topicConfigs();
  for (const topic of TOPICS) assert.equal(configs.topicConfigTable[topic]?.readQueueNums, 4, topic);
  const persisted = JSON.parse(fs.readFileSync(path.join(broker.dataDir, 'store', 'config', 'topics.json'), 'utf8')) as { topicConfigTable: object };
  for (const topic of TOPICS) assert.ok(topic in persisted.topicConfigTable, `${topic} in topics.json`);
  await waitFor(async () => {
    const listed = await namesrvTopics();
    return TOPICS.every((t) => listed.has(t));
  }, 'all 10,000 topics on the name server');
  const route = await client.invokeSync(broker.namesrvAddr, createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'Scale-9999' }), 5000);
  assert.equal(route.code, ResponseCode.SUCCESS);
  assert.match(route.body!.toString('utf8'), /"writeQueueNums":4/);
});

test('an unchanged list changes nothing; a list with one bad entry is refused whole', { timeout: 60_000 }, async () => {
  await createTopicList(client, broker.brokerAddr, TOPICS.slice(0, 100), { readQueueNums: 2, writeQueueNums: 2 });
  const before = (await topicConfigs()).dataVersion.counter;
  await createTopicList(client, broker.brokerAddr, TOPICS.slice(0, 100), { readQueueNums: 2, writeQueueNums: 2 });
  assert.equal((await topicConfigs()).dataVersion.counter, before, 'the same list again does not bump the data version');

  for (const bad of ['TBW102', 'bad topic name', 'x'.repeat(300)]) {
    await assert.rejects(
      createTopicList(client, broker.brokerAddr, ['Fresh-1', bad, 'Fresh-2'], { readQueueNums: 1, writeQueueNums: 1 }),
      /illegal|conflict with system topic/,
      bad.slice(0, 20),
    );
  }
  const after = await topicConfigs();
  assert.equal(after.dataVersion.counter, before);
  assert.equal('Fresh-1' in after.topicConfigTable, false, 'nothing of a refused list is created');
  assert.equal('Fresh-2' in after.topicConfigTable, false);
  const empty = await client.invokeSync(broker.brokerAddr, createRequest(RequestCode.UPDATE_AND_CREATE_TOPIC_LIST, {}, Buffer.from('{"topicConfigList":[]}')), 5000);
  assert.equal(empty.code, ResponseCode.INVALID_PARAMETER);
  const queues = await client.invokeSync(broker.brokerAddr, createRequest(RequestCode.UPDATE_AND_CREATE_TOPIC_LIST, {},
    Buffer.from('{"topicConfigList":[{"topicName":"Fresh-3","readQueueNums":0,"writeQueueNums":4}]}')), 5000);
  assert.equal(queues.code, ResponseCode.INVALID_PARAMETER);
  assert.match(queues.remark ?? '', /readQueueNums must be an integer within 1\.\.1024/);
});
