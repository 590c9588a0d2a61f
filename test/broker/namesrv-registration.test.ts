import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../../src/common';
import { NamesrvController } from '../../src/namesrv';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir';
import { sendV2Request, startBroker } from './broker-fixture';
import { waitFor } from './wait-for';

test('the broker registers with the name server at start and on auto-creation, and unregisters at shutdown', async () => {
  const home = makeTempDir('namesrv');
  const namesrv = new NamesrvController({ config: { rocketmqHome: home, listenPort: 0, listenHost: '127.0.0.1' }, logger: silentLogger });
  await namesrv.start();
  const fx = await startBroker(undefined, { namesrvAddr: `127.0.0.1:${namesrv.port}`, brokerName: 'broker-x' });
  let isClosed = false;
  try {
    const route = namesrv.routes.pickupTopicRouteData('TBW102');
    assert.ok(route, 'TBW102 is routable once start() resolves');
    assert.deepEqual([...route.brokerDatas[0]!.brokerAddrs], [[0, `127.0.0.1:${fx.broker.port}`]]);
    assert.equal(route.queueDatas[0]?.writeQueueNums, 8);

    assert.equal((await fx.invoke(sendV2Request({ topic: 'FreshTopic', body: 'x' }))).code, 0);
    await waitFor(() => namesrv.routes.pickupTopicRouteData('FreshTopic') !== undefined, 5000);
    assert.equal(namesrv.routes.pickupTopicRouteData('FreshTopic')?.queueDatas[0]?.writeQueueNums, 4);

    await fx.close();
    isClosed = true;
    assert.equal(namesrv.routes.pickupTopicRouteData('FreshTopic'), undefined, 'unregistered at shutdown');
  } finally {
    if (!isClosed) await fx.close();
    await namesrv.shutdown();
    removeTempDir(home);
  }
});
