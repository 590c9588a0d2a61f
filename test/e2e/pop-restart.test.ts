/**
 * POP state across a broker SIGKILL: `cometmq namesrv` and `cometmq broker` as child processes;
 * messages are popped, half of them acked, the broker is killed (no shutdown work: the consumer
 * offsets file is not even rewritten) and restarted on the same store and port. The unacked half
 * comes back after its invisible time with reconsumeTimes 1, the acked half never does, and the
 * group's pop offset survived (new messages are popped, old ones are not popped again).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ResponseCode } from '../../src/protocol';
import { RemotingClient } from '../../src/remoting';
import { sendV2Request } from '../broker/broker-fixture';
import { ackRequest, poppedOf, popRequest, type Popped } from '../broker/pop-fixture';
import { Admin, CometmqProcess, pollUntil, startNamesrvAndBroker, stopCluster, type Cluster } from '../interop/cometmq-processes';
import { WAIT_MS } from './e2e-processes';

const TOPIC = 'E2EPopRestart';
const GROUP = 'PopRestartG';
const BROKER_NAME = 'broker-interop';
const INVISIBLE_MS = 3000;

describe('POP across a broker SIGKILL and restart (processes)', () => {
  let root: string;
  let cluster: Cluster;
  let admin: Admin;
  let restarted: CometmqProcess | undefined;
  const client = new RemotingClient();

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cometmq-pop-e2e-'));
    cluster = await startNamesrvAndBroker(root, { reviveInterval: '100' });
    admin = new Admin(cluster);
    await admin.createTopic(TOPIC, 2);
  });

  after(async () => {
    await restarted?.kill();
    await client.shutdown();
    await admin?.shutdown();
    if (cluster !== undefined) await stopCluster(cluster);
    fs.rmSync(root, { recursive: true, force: true });
  });

  async function pop(pollTime: number, invisibleTime: number): Promise<Popped[]> {
    const response = await client.invokeSync(cluster.brokerAddr, popRequest({ topic: TOPIC, group: GROUP, pollTime, invisibleTime }), pollTime + 5000);
    if (response.code === ResponseCode.POLLING_TIMEOUT) return [];
    assert.equal(response.code, ResponseCode.SUCCESS, response.remark);
    return poppedOf(response, BROKER_NAME);
  }

  it('redelivers popped-not-acked messages after the restart, never the acked ones, and keeps the pop offset', async () => {
    for (let i = 0; i < 10; i++) {
      const sent = await client.invokeSync(cluster.brokerAddr, sendV2Request({ topic: TOPIC, body: `r${i}`, queueId: i % 2 }), 5000);
      assert.equal(sent.code, ResponseCode.SUCCESS);
    }
    const popped: Popped[] = [];
    await pollUntil('all 10 popped', async () => {
      popped.push(...await pop(1000, INVISIBLE_MS));
      return popped.length >= 10;
    }, WAIT_MS);
    assert.equal(popped.length, 10);
    const acked = new Set<string>();
    for (const p of popped.filter((_, i) => i % 2 === 0)) {
      const response = await client.invokeSync(cluster.brokerAddr, ackRequest(TOPIC, p, GROUP), 5000);
      assert.equal(response.code, ResponseCode.SUCCESS);
      acked.add(p.message.body.toString());
    }
    const unacked = popped.map((p) => p.message.body.toString()).filter((b) => !acked.has(b)).sort();

    await cluster.processes[1]!.kill();
    const confFile = path.join(root, 'broker.conf');
    const port = cluster.brokerAddr.split(':')[1]!;
    fs.writeFileSync(confFile, fs.readFileSync(confFile, 'utf8').replace(/^listenPort=0$/m, `listenPort=${port}`));
    restarted = new CometmqProcess(['broker', '-c', confFile]);
    await restarted.waitForLine(/ ready$/);

    const redelivered: Popped[] = [];
    await pollUntil('the unacked messages redelivered', async () => {
      redelivered.push(...await pop(2000, 60_000));
      return redelivered.length >= unacked.length;
    }, WAIT_MS, () => restarted!.lines.join('\n'));
    assert.deepEqual(redelivered.map((p) => p.message.body.toString()).sort(), unacked);
    assert.ok(redelivered.every((p) => p.message.reconsumeTimes === 1));
    for (const p of redelivered) {
      assert.equal((await client.invokeSync(cluster.brokerAddr, ackRequest(TOPIC, p, GROUP), 5000)).code, ResponseCode.SUCCESS);
    }
    // The pop offset survived: only new messages now, none of the first ten again.
    for (let i = 10; i < 12; i++) {
      assert.equal((await client.invokeSync(cluster.brokerAddr, sendV2Request({ topic: TOPIC, body: `r${i}`, queueId: i % 2 }), 5000)).code, ResponseCode.SUCCESS);
    }
    const fresh: Popped[] = [];
    await pollUntil('the two new messages', async () => {
      fresh.push(...await pop(1000, 60_000));
      return fresh.length >= 2;
    }, WAIT_MS);
    assert.deepEqual(fresh.map((p) => p.message.body.toString()).sort(), ['r10', 'r11']);
    assert.deepEqual(await pop(500, 60_000), []);
  });
});
