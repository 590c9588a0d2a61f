import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { silentLogger } from '../../src/common';
import { BrokerController, createBrokerConfig } from '../../src/broker';
import { ResponseCode } from '../../src/protocol';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir';
import { sendV2Request, startBroker } from './broker-fixture';

test('a start that fails (port in use) closes the store, so the directory opens again at once', async () => {
  const dir = makeTempDir('broker-lifecycle');
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as { port: number }).port;
  try {
    const config = createBrokerConfig({ values: { storePathRootDir: dir, listenHost: '127.0.0.1', listenPort: port, mappedFileSizeCommitLog: 1024 * 1024, mappedFileSizeConsumeQueue: 20 * 512, maxHashSlotNum: 4096, maxIndexNum: 32768 } });
    const broker = new BrokerController(config, { logger: silentLogger });
    await assert.rejects(broker.start(), (err: NodeJS.ErrnoException) => err.code === 'EADDRINUSE');
    await broker.shutdown();
    const fx = await startBroker(dir);
    assert.equal((await fx.invoke(sendV2Request({ topic: 'AfterFailedStart', body: 'ok' }))).code, ResponseCode.SUCCESS);
    await fx.close(false);
  } finally {
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
    removeTempDir(dir);
  }
});

test('transactional (prepared) sends are stored as half messages, not in the real topic (test/broker/transaction*.test.ts covers the rest)', async () => {
  const fx = await startBroker();
  try {
    const request = sendV2Request({ topic: 'Tx', body: 'half', properties: { TRAN_MSG: 'true', PGROUP: 'PG' } });
    request.extFields['f'] = '4';
    assert.equal((await fx.invoke(request)).code, ResponseCode.SUCCESS);
    await fx.dispatched();
    assert.equal(fx.broker.context.store.getMaxOffsetInQueue('Tx', 0), 0);
    assert.equal(fx.broker.context.store.getMaxOffsetInQueue('RMQ_SYS_TRANS_HALF_TOPIC', 0), 1);
  } finally {
    await fx.close();
  }
});
