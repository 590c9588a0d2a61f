/** A real name server plus one or more brokers in this process on 127.0.0.1:0, for producer tests. */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { silentLogger } from '../../src/common';
import { decodeOffsetMessageId, type MessageExt } from '../../src/message';
import { NamesrvController } from '../../src/namesrv';
import { RequestCode, ResponseCode, createRequest } from '../../src/protocol';
import { startBroker, type BrokerFixture } from '../broker/broker-fixture';
import { waitFor } from '../broker/wait-for';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir';

export interface ProducerCluster {
  readonly namesrv: NamesrvController;
  readonly namesrvAddr: string;
  readonly brokers: readonly BrokerFixture[];
  /** Creates `topic` with `queues` queues on every running broker and waits until the name server routes all of them. */
  createTopic(topic: string, queues: number): Promise<void>;
  /** The stored record an offset message id points at (after dispatch). */
  stored(offsetMsgId: string): Promise<MessageExt>;
  /** Shuts one broker down (its directory is removed); close() skips it. */
  stopBroker(index: number): Promise<void>;
  close(): Promise<void>;
}

export async function startProducerCluster(brokerCount = 1): Promise<ProducerCluster> {
  const home = makeTempDir('namesrv');
  const namesrv = new NamesrvController({ config: { rocketmqHome: home, listenPort: 0, listenHost: '127.0.0.1' }, logger: silentLogger });
  await namesrv.start();
  const namesrvAddr = `127.0.0.1:${namesrv.port}`;
  const brokers: BrokerFixture[] = [];
  try {
    for (let i = 0; i < brokerCount; i++) {
      brokers.push(await startBroker(undefined, { namesrvAddr, brokerName: `broker-${String.fromCharCode(97 + i)}` }));
    }
  } catch (err) {
    for (const broker of brokers) await broker.close();
    await namesrv.shutdown();
    removeTempDir(home);
    throw err;
  }
  const closed = new Set<BrokerFixture>();
  return {
    namesrv,
    namesrvAddr,
    brokers,
    async createTopic(topic, queues) {
      for (const broker of brokers) {
        const response = await broker.invoke(createRequest(RequestCode.UPDATE_AND_CREATE_TOPIC, {
          topic, defaultTopic: 'TBW102', readQueueNums: String(queues), writeQueueNums: String(queues), perm: '6',
          topicFilterType: 'SINGLE_TAG', order: 'false',
        }));
        assert.equal(response.code, ResponseCode.SUCCESS, response.remark);
      }
      await waitFor(() => (namesrv.routes.pickupTopicRouteData(topic)?.queueDatas.length ?? 0) === brokers.length, 5000);
    },
    async stored(offsetMsgId) {
      const { storeHost, physicalOffset } = decodeOffsetMessageId(offsetMsgId);
      const broker = brokers.find((b) => b.broker.port === storeHost.port);
      assert.ok(broker, `no broker listens on port ${storeHost.port}`);
      await broker.dispatched();
      const record = broker.broker.context.store.lookMessageByOffset(physicalOffset);
      assert.ok(record, `no record at ${physicalOffset}`);
      return record;
    },
    async stopBroker(index) {
      const broker = brokers[index]!;
      if (closed.has(broker)) return;
      closed.add(broker);
      await broker.close();
    },
    async close() {
      for (const broker of brokers) if (!closed.has(broker)) await broker.close();
      await namesrv.shutdown();
      removeTempDir(home);
    },
  };
}

/** An address nothing listens on (a port bound then released). */
export async function deadAddress(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `127.0.0.1:${port}`;
}

export { waitFor };
