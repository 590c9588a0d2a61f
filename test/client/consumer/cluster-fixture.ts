/** A real name server and broker in this process on 127.0.0.1:0, plus helpers to create topics and send. */
import assert from 'node:assert/strict';
import { silentLogger } from '../../../src/common';
import { NamesrvController } from '../../../src/namesrv';
import { RequestCode, ResponseCode, createRequest } from '../../../src/protocol';
import { sendV2Request, startBroker, type BrokerFixture } from '../../broker/broker-fixture';
import { waitFor } from '../../broker/wait-for';
import { makeTempDir, removeTempDir } from '../../helpers/temp-dir';

export interface ClusterFixture {
  readonly namesrvAddr: string;
  readonly broker: BrokerFixture;
  /** Waits until the name server routes `topic` (a topic the broker created itself, say). */
  routed(topic: string, deadlineMs?: number): Promise<void>;
  /** Creates a topic and waits until the name server routes it. */
  createTopic(topic: string, queues: number): Promise<void>;
  send(topic: string, body: string, queueId: number, tags?: string): Promise<void>;
  /** QUERY_CONSUMER_OFFSET; -1 when none is stored. */
  committedOffset(group: string, topic: string, queueId: number): Promise<number>;
  close(): Promise<void>;
}

export async function startCluster(brokerValues: Record<string, string | number | boolean> = {}): Promise<ClusterFixture> {
  const home = makeTempDir('namesrv');
  const namesrv = new NamesrvController({ config: { rocketmqHome: home, listenPort: 0, listenHost: '127.0.0.1' }, logger: silentLogger });
  await namesrv.start();
  const namesrvAddr = `127.0.0.1:${namesrv.port}`;
  const broker = await startBroker(undefined, { namesrvAddr, brokerName: 'broker-a', ...brokerValues });
  return {
    namesrvAddr,
    broker,
    async routed(topic, deadlineMs = 15_000) {
      await waitFor(() => namesrv.routes.pickupTopicRouteData(topic) !== undefined, deadlineMs);
    },
    async createTopic(topic, queues) {
      const response = await broker.invoke(createRequest(RequestCode.UPDATE_AND_CREATE_TOPIC, {
        topic, defaultTopic: 'TBW102', readQueueNums: String(queues), writeQueueNums: String(queues), perm: '6',
        topicFilterType: 'SINGLE_TAG', order: 'false',
      }));
      assert.equal(response.code, ResponseCode.SUCCESS, response.remark);
      await waitFor(() => namesrv.routes.pickupTopicRouteData(topic) !== undefined, 5000);
    },
    async send(topic, body, queueId, tags) {
      const response = await broker.invoke(sendV2Request({ topic, body, queueId, ...(tags === undefined ? {} : { tags }) }));
      assert.equal(response.code, ResponseCode.SUCCESS, response.remark);
    },
    async committedOffset(group, topic, queueId) {
      const response = await broker.invoke(createRequest(RequestCode.QUERY_CONSUMER_OFFSET, {
        consumerGroup: group, topic, queueId: String(queueId), setZeroIfNotFound: 'false',
      }));
      return response.code === ResponseCode.SUCCESS ? Number(response.extFields['offset']) : -1;
    },
    async close() {
      await broker.close();
      await namesrv.shutdown();
      removeTempDir(home);
    },
  };
}

export { waitFor };
