/**
 * `cometmq admin`, `produce` and `consume` as an operator runs them: a real `cometmq start` child on
 * free ports, and every command a separate child process whose output (--json) is parsed.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { decodeOffsetMessageId } from '../../src/message';
import { RequestCode, ResponseCode, createRequest } from '../../src/protocol';
import { RemotingClient } from '../../src/remoting';
import { runCometmqToEnd, type CliResult } from '../helpers/cometmq-cli';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir';

const BIN = path.join(__dirname, '..', '..', '..', 'bin', 'cometmq.js');
const DEADLINE_MS = 20_000;

/** Runs `cometmq args` to completion. */
function cometmq(args: readonly string[]): Promise<CliResult> {
  return runCometmqToEnd(args, DEADLINE_MS);
}

let server: ChildProcessWithoutNullStreams;
let serverExited: Promise<number | null>;
let dataDir: string;
let ns: string;

async function json(args: readonly string[]): Promise<any> {
  const result = await cometmq([...args, '-n', ns, '--json']);
  assert.equal(result.code, 0, `cometmq ${args.join(' ')} failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

async function jsonLines(args: readonly string[]): Promise<any[]> {
  const result = await cometmq([...args, '-n', ns, '--json']);
  assert.equal(result.code, 0, `cometmq ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
}

async function failsWithOneLine(args: readonly string[]): Promise<string> {
  const result = await cometmq(args);
  assert.equal(result.code, 1, `exit code of cometmq ${args.join(' ')}; stdout: ${result.stdout}`);
  const lines = (result.stdout + result.stderr).split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `one line of output, got:\n${lines.join('\n')}`);
  return lines[0]!;
}

async function createTopic(topic: string, queues: number): Promise<void> {
  const created = await json(['admin', 'topic', 'create', '-t', topic, '-c', 'DefaultCluster', '-r', String(queues), '-w', String(queues)]);
  assert.equal(created.routed, true, 'the name server routes the topic once create returns');
}

before(async () => {
  dataDir = makeTempDir('cli-admin');
  server = spawn(process.execPath, [BIN, 'start', '--data-dir', dataDir, '--namesrv-port', '0', '--broker-port', '0'], { stdio: ['pipe', 'pipe', 'pipe'] });
  serverExited = new Promise((resolve) => server.on('close', (code) => resolve(code)));
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`cometmq start not ready within ${DEADLINE_MS} ms:\n${output}`)), DEADLINE_MS);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const port = /name server listening on port (\d+)/.exec(output)?.[1];
      if (port !== undefined && / ready\n/.test(output)) {
        clearTimeout(timer);
        ns = `127.0.0.1:${port}`;
        resolve();
      }
    };
    server.stdout.on('data', onData);
    server.stderr.on('data', onData);
  });
});

after(async () => {
  server.kill('SIGTERM');
  assert.equal(await serverExited, 0);
  removeTempDir(dataDir);
});

test('produce N with tags, consume them back with a tag filter, and the group shows diff 0', { timeout: 60_000 }, async () => {
  await createTopic('CliTags', 2);
  const produced = await json(['produce', '-t', 'CliTags', '--tags', 'TagA', '--keys', 'order-1', '--count', '6', '--body', 'hello']);
  assert.equal(produced.results.length, 6);
  for (const r of produced.results) assert.equal(r.sendStatus, 'SEND_OK');
  const other = await json(['produce', '-t', 'CliTags', '--tags', 'TagB', '--count', '2', '--body', 'other']);
  assert.equal(other.results.length, 2);

  const consumed = await jsonLines(['consume', '-t', 'CliTags', '-g', 'CliGroupA', '--tags', 'TagA', '--from', 'first', '--count', '6']);
  assert.equal(consumed.length, 6);
  for (const m of consumed) {
    assert.equal(m.tags, 'TagA');
    assert.equal(m.body, 'hello');
  }
  assert.deepEqual(consumed.map((m) => m.msgId).sort(), produced.results.map((r: any) => r.msgId).sort());

  // A group that read everything: broker offset = consumer offset on every queue.
  await jsonLines(['consume', '-t', 'CliTags', '-g', 'CliGroupAll', '--from', 'first', '--count', '8']);
  const progress = await json(['admin', 'consumer', 'progress', '-g', 'CliGroupAll', '-t', 'CliTags']);
  assert.equal(progress.queues.length, 2);
  assert.equal(progress.queues.reduce((sum: number, q: any) => sum + q.brokerOffset, 0), 8);
  assert.equal(progress.totalDiff, 0);
  for (const q of progress.queues) assert.equal(q.consumerOffset, q.brokerOffset);
});

test('consume --count N commits exactly the N printed messages; the next run continues after them', { timeout: 60_000 }, async () => {
  await createTopic('CliCount', 1);
  await json(['produce', '-t', 'CliCount', '--count', '5', '--body', 'x']);
  const first = await jsonLines(['consume', '-t', 'CliCount', '-g', 'CliCountGroup', '--from', 'first', '--count', '2']);
  assert.deepEqual(first.map((m) => m.queueOffset), [0, 1]);
  const progress = await json(['admin', 'consumer', 'progress', '-g', 'CliCountGroup', '-t', 'CliCount']);
  assert.equal(progress.totalDiff, 3);
  const rest = await jsonLines(['consume', '-t', 'CliCount', '-g', 'CliCountGroup', '--count', '3']);
  assert.deepEqual(rest.map((m) => m.queueOffset), [2, 3, 4]);
});

test('consume stops on SIGINT, exits 0 and commits what it printed', { timeout: 60_000 }, async () => {
  await createTopic('CliSignal', 1);
  await json(['produce', '-t', 'CliSignal', '--count', '3', '--body', 'y']);
  const child = spawn(process.execPath, [BIN, 'consume', '-t', 'CliSignal', '-g', 'CliSignalGroup', '--from', 'first', '-n', ns, '--json']);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  const deadline = Date.now() + DEADLINE_MS;
  while (stdout.split('\n').filter((l) => l !== '').length < 3) {
    assert.ok(Date.now() < deadline, `three messages not printed within ${DEADLINE_MS} ms: ${stdout}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.kill('SIGINT');
  assert.equal(await exited, 0);
  const progress = await json(['admin', 'consumer', 'progress', '-g', 'CliSignalGroup', '-t', 'CliSignal']);
  assert.equal(progress.totalDiff, 0);
});

test('topic create, list, route, status and delete', { timeout: 60_000 }, async () => {
  await createTopic('CliTopic', 3);
  assert.ok((await json(['admin', 'topic', 'list'])).topics.includes('CliTopic'));
  const route = await json(['admin', 'topic', 'route', '-t', 'CliTopic']);
  assert.deepEqual(route.queueDatas.map((q: any) => [q.brokerName, q.readQueueNums, q.writeQueueNums, q.perm]), [['broker-a', 3, 3, 6]]);
  assert.equal(route.brokerDatas[0].brokerName, 'broker-a');

  await json(['produce', '-t', 'CliTopic', '--count', '30', '--size', '100']);
  const status = await json(['admin', 'topic', 'status', '-t', 'CliTopic']);
  assert.deepEqual(status.queues.map((q: any) => q.queueId), [0, 1, 2]);
  assert.equal(status.queues.reduce((sum: number, q: any) => sum + q.maxOffset - q.minOffset, 0), 30);

  const updated = await json(['admin', 'topic', 'update', '-t', 'CliTopic', '-c', 'DefaultCluster', '-r', '4', '-w', '4']);
  assert.equal(updated.routed, true);
  const updatedRoute = await json(['admin', 'topic', 'route', '-t', 'CliTopic']);
  assert.deepEqual(updatedRoute.queueDatas.map((q: any) => [q.readQueueNums, q.writeQueueNums]), [[4, 4]]);

  const deleted = await json(['admin', 'topic', 'delete', '-t', 'CliTopic']);
  assert.equal(deleted.deleted, true);
  assert.equal((await json(['admin', 'topic', 'list'])).topics.includes('CliTopic'), false);
  assert.match(await failsWithOneLine(['admin', 'topic', 'route', '-t', 'CliTopic', '-n', ns]), /^cometmq: topic 'CliTopic' does not exist/);
});

test('cluster list and broker status name the running broker', { timeout: 30_000 }, async () => {
  const cluster = await json(['admin', 'cluster', 'list']);
  assert.equal(cluster.brokers.length, 1);
  assert.equal(cluster.brokers[0].cluster, 'DefaultCluster');
  assert.equal(cluster.brokers[0].brokerName, 'broker-a');
  assert.equal(cluster.brokers[0].brokerId, 0);
  const address = cluster.brokers[0].address as string;
  const status = await json(['admin', 'broker', 'status', '-b', address]);
  assert.equal(status[address].brokerVersionDesc, 'CometMQ');
  assert.ok(Number(status[address].commitLogMaxOffset) >= 0);
});

test('message by offset id, by client id and by key find the produced message', { timeout: 60_000 }, async () => {
  await createTopic('CliQuery', 2);
  const sent = (await json(['produce', '-t', 'CliQuery', '--keys', 'invoice-42', '--tags', 'Q', '--body', 'find me'])).results[0];
  await json(['produce', '-t', 'CliQuery', '--keys', 'invoice-43', '--count', '3', '--body', 'not me']);

  const byOffsetId = await json(['admin', 'message', 'by-id', '-i', sent.offsetMsgId]);
  assert.equal(byOffsetId.messages.length, 1);
  assert.equal(byOffsetId.messages[0].body, 'find me');
  assert.equal(byOffsetId.messages[0].uniqKey, sent.msgId);

  const byClientId = await json(['admin', 'message', 'by-id', '-i', sent.msgId, '-t', 'CliQuery']);
  assert.deepEqual(byClientId.messages.map((m: any) => m.offsetMsgId), [sent.offsetMsgId]);

  const byKey = await json(['admin', 'message', 'by-key', '-t', 'CliQuery', '-k', 'invoice-42']);
  assert.deepEqual(byKey.messages.map((m: any) => [m.offsetMsgId, m.tags, m.body]), [[sent.offsetMsgId, 'Q', 'find me']]);
  assert.match(await failsWithOneLine(['admin', 'message', 'by-key', '-t', 'CliQuery', '-k', 'no-such-key', '-n', ns]), /^cometmq: no message with key 'no-such-key'/);
});

test('consumer connections lists a running consumer', { timeout: 60_000 }, async () => {
  await createTopic('CliConn', 1);
  const child = spawn(process.execPath, [BIN, 'consume', '-t', 'CliConn', '-g', 'CliConnGroup', '--tags', 'A || B', '-n', ns]);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  try {
    const deadline = Date.now() + DEADLINE_MS;
    let result: CliResult;
    for (;;) {
      result = await cometmq(['admin', 'consumer', 'connections', '-g', 'CliConnGroup', '-n', ns, '--json']);
      if (result.code === 0 || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(result.code, 0, result.stderr);
    const connections = JSON.parse(result.stdout);
    assert.equal(connections.connections.length, 1);
    assert.deepEqual(connections.subscriptions.map((s: any) => [s.topic, s.subString]), [['CliConn', 'A || B']]);
    // The broker relays GET_CONSUMER_RUNNING_INFO to that client (a LitePullConsumer: CONSUME_ACTIVELY).
    const info = await json(['admin', 'consumer', 'running-info', '-g', 'CliConnGroup', '-i', connections.connections[0].clientId]);
    assert.equal(info.properties.PROP_CONSUME_TYPE, 'CONSUME_ACTIVELY');
    assert.equal(info.properties.consumerGroup, 'CliConnGroup');
    assert.deepEqual(info.subscriptions.map((s: any) => [s.topic, s.subString]), [['CliConn', 'A || B']]);
    assert.match(await failsWithOneLine(['admin', 'consumer', 'running-info', '-g', 'CliConnGroup', '-i', 'nobody', '-n', ns]), /^cometmq: consumer 'nobody' of group 'CliConnGroup' is not online/);
  } finally {
    child.kill('SIGINT');
  }
  assert.equal(await exited, 0);
});

test('errors: one line and exit 1', { timeout: 60_000 }, async () => {
  assert.match(await failsWithOneLine(['admin', 'frob']), /^cometmq: unknown admin subcommand 'frob'/);
  assert.match(await failsWithOneLine(['admin', 'topic', 'frob']), /^cometmq: unknown admin subcommand 'topic frob' \(topic takes: create/);
  assert.match(await failsWithOneLine(['admin', 'topic', 'route', '--bogus', '-n', ns]), /^cometmq: .*--bogus/);
  assert.match(await failsWithOneLine(['admin', 'topic', 'route', '-n', ns]), /^cometmq: missing required option -t\/--topic/);
  assert.match(await failsWithOneLine(['admin', 'topic', 'create', '-t', 'X', '-n', ns]), /^cometmq: missing required option -c\/--cluster or -b\/--broker/);
  assert.match(await failsWithOneLine(['admin', 'topic', 'create', '-t', 'X', '-c', 'NoCluster', '-n', ns]), /^cometmq: cluster 'NoCluster' is unknown/);
  assert.match(await failsWithOneLine(['produce', '--count', '2', '-n', ns]), /^cometmq: missing required option -t\/--topic/);
  assert.match(await failsWithOneLine(['produce', '-t', 'X', '--count', 'many', '-n', ns]), /^cometmq: --count must be an integer/);
  assert.match(await failsWithOneLine(['consume', '-t', 'NoSuchTopic', '-n', ns]), /^cometmq: topic 'NoSuchTopic' does not exist/);
  assert.match(await failsWithOneLine(['consume', '-t', 'X', '--from', 'middle', '-n', ns]), /^cometmq: --from must be first or last/);
  assert.match(await failsWithOneLine(['admin', 'topic', 'status', '-t', 'NoSuchTopic', '-n', ns]), /^cometmq: topic 'NoSuchTopic' does not exist/);
  assert.match(await failsWithOneLine(['admin', 'consumer', 'progress', '-g', 'NeverSeen', '-n', ns]), /^cometmq: consumer group 'NeverSeen' has no offsets/);
  assert.match(await failsWithOneLine(['admin', 'cluster', 'list', '-n', '127.0.0.1:1']), /^cometmq: cannot reach name server 127\.0\.0\.1:1/);
  assert.match(await failsWithOneLine(['produce', '-t', 'X', '-n', '127.0.0.1:1']), /^cometmq: cannot reach name server 127\.0\.0\.1:1/);
});

test('dlq resend puts a dead-lettered message back on its original topic with its body, tags, keys and properties', { timeout: 60_000 }, async () => {
  await createTopic('CliDlq', 1);
  const sent = (await json(['produce', '-t', 'CliDlq', '--keys', 'dlq-key-1', '--tags', 'D', '--body', 'poison'])).results[0];
  // A consumer of CliDlqGroup gives up on it: send-back with delay level -1 goes straight to the DLQ.
  const stored = decodeOffsetMessageId(sent.offsetMsgId);
  const remoting = new RemotingClient({});
  try {
    const back = await remoting.invokeSync(`${stored.storeHost.address}:${stored.storeHost.port}`, createRequest(RequestCode.CONSUMER_SEND_MSG_BACK, {
      offset: String(stored.physicalOffset), group: 'CliDlqGroup', delayLevel: '-1', originMsgId: sent.msgId, originTopic: 'CliDlq', unitMode: 'false',
    }), 10_000);
    assert.equal(back.code, ResponseCode.SUCCESS, back.remark);
  } finally {
    await remoting.shutdown();
  }
  const deadline = Date.now() + DEADLINE_MS;
  let dead: any;
  while (dead === undefined) {
    const found = await cometmq(['admin', 'message', 'by-key', '-t', '%DLQ%CliDlqGroup', '-k', 'dlq-key-1', '-n', ns, '--json']);
    if (found.code === 0) dead = JSON.parse(found.stdout).messages[0];
    else if (Date.now() > deadline) assert.fail(`the DLQ message was not indexed in time: ${found.stderr}`);
  }
  assert.equal(dead.topic, '%DLQ%CliDlqGroup');

  const resent = (await json(['admin', 'dlq', 'resend', '-i', dead.offsetMsgId])).resent;
  assert.equal(resent.topic, 'CliDlq');
  assert.equal(resent.sendStatus, 'SEND_OK');
  assert.notEqual(resent.offsetMsgId, sent.offsetMsgId, 'a new message, the DLQ copy stays');
  const again = (await json(['admin', 'message', 'by-id', '-i', resent.offsetMsgId])).messages[0];
  assert.deepEqual([again.topic, again.body, again.tags, again.keys, again.reconsumeTimes], ['CliDlq', 'poison', 'D', 'dlq-key-1', 0]);
  assert.equal(again.properties['RETRY_TOPIC'], undefined, 'RocketMQ\'s own properties are not copied');

  assert.match(await failsWithOneLine(['admin', 'dlq', 'resend', '-i', sent.offsetMsgId, '-n', ns]), /^cometmq: message '.*' is in topic 'CliDlq', not a %DLQ%<group> topic/);
  assert.match(await failsWithOneLine(['admin', 'dlq', 'resend', '-n', ns]), /^cometmq: missing required option -i\/--id/);
});
