import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { Deferred, ManualClock, MqError } from '../../src/common';
import {
  FLAG_ONEWAY,
  RequestCode,
  ResponseCode,
  SerializeType,
  createRequest,
  createResponse,
  mqError,
  type RemotingCommand,
} from '../../src/protocol';
import { LaterAnswer, RemotingClient, RemotingServer, encodeCommand, type RemotingConnection } from '../../src/remoting';
import { RawPeer, RecordingLogger, withServerAndClient } from './remoting-fixture';
import { waitFor } from '../broker/wait-for';

const ECHO = 9001;
const HOLD = 9002;

function isMqError(code: string): (err: unknown) => boolean {
  return (err: unknown) => err instanceof MqError && err.code === code;
}

test('request/response: many concurrent requests are matched by opaque, bodies intact', async () => {
  await withServerAndClient(
    (server) => server.registerHandler(ECHO, async (request) => {
      // Answer out of order: later requests may finish first.
      const hops = Number(request.extFields['id']) % 5;
      for (let i = 0; i < hops; i++) await new Promise<void>((resolve) => setImmediate(resolve));
      return createResponse(ResponseCode.SUCCESS, undefined, { id: request.extFields['id'] ?? '' }, request.body);
    }),
    async (server, client) => {
      const count = 2000;
      const responses = await Promise.all(Array.from({ length: count }, (_, i) =>
        client.invokeSync(server.address, createRequest(ECHO, { id: String(i) }, Buffer.from(`body-${i}`)), 10_000)));
      responses.forEach((response, i) => {
        assert.equal(response.code, ResponseCode.SUCCESS);
        assert.equal(response.extFields['id'], String(i));
        assert.equal(response.body?.toString(), `body-${i}`);
      });
      assert.equal(new Set(responses.map((r) => r.opaque)).size, count);
      assert.equal(server.connectionCount, 1);
    },
  );
});

test('one-way: the handler runs and nothing is answered', async () => {
  const seen: string[] = [];
  await withServerAndClient(
    (server) => {
      server.registerHandler(ECHO, (request) => {
        seen.push(request.extFields['id'] ?? '');
        return createResponse(ResponseCode.SUCCESS);
      });
    },
    async (server, client) => {
      await client.invokeOneway(server.address, createRequest(ECHO, { id: 'oneway' }));
      const peer = await RawPeer.connect(server.port);
      try {
        const oneway = createRequest(ECHO, { id: 'raw-oneway' });
        oneway.opaque = 1;
        oneway.flag = FLAG_ONEWAY;
        const sync = createRequest(ECHO, { id: 'raw-sync' });
        sync.opaque = 2;
        peer.write(Buffer.concat([encodeCommand(oneway), encodeCommand(sync)]));
        await peer.until(() => peer.commands.length >= 1, 'the sync response');
        // The sync request came after the one-way one on the same socket: had the one-way been
        // answered, its response would have arrived first.
        assert.deepEqual(peer.commands.map((c) => c.opaque), [2]);
      } finally {
        peer.destroy();
      }
      assert.deepEqual(seen.sort(), ['oneway', 'raw-oneway', 'raw-sync']);
    },
  );
});

test('timeout: no response within the timeout rejects with ERR_REMOTING_TIMEOUT (retriable)', async () => {
  const clock = new ManualClock(1_000_000);
  const arrived = new Deferred<void>();
  const release = new Deferred<RemotingCommand>();
  await withServerAndClient(
    (server) => server.registerHandler(HOLD, () => {
      arrived.resolve();
      return release.promise;
    }),
    async (server, client) => {
      const pending = client.invokeSync(server.address, createRequest(HOLD), 3000);
      let isSettled = false;
      pending.then(() => { isSettled = true; }, () => { isSettled = true; });
      await arrived.promise;
      clock.advance(2999);
      await new Promise<void>((resolve) => setImmediate(resolve));
      assert.equal(isSettled, false, 'rejected before its deadline');
      clock.advance(1);
      await assert.rejects(pending, (err: unknown) => isMqError('ERR_REMOTING_TIMEOUT')(err) && (err as MqError).retriable);
      release.resolve(createResponse(ResponseCode.SUCCESS));
      // The late response is dropped and the connection stays usable.
      const next = client.invokeSync(server.address, createRequest(HOLD), 3000);
      assert.equal((await next).code, ResponseCode.SUCCESS);
    },
    { clock },
  );
});

test('invokeWith tells its waiter once; a waiter that sends again from its timeout reaches the same connection', async () => {
  const clock = new ManualClock(1_000_000);
  const arrived = new Deferred<void>();
  const release = new Deferred<RemotingCommand>();
  await withServerAndClient(
    (server) => {
      server.registerHandler(HOLD, () => {
        arrived.resolve();
        return release.promise; // answered only after the test, too late
      });
      server.registerHandler(ECHO, (request) => createResponse(ResponseCode.SUCCESS, request.extFields['n']));
    },
    async (server, client) => {
      const told: string[] = [];
      const resent = new Deferred<RemotingCommand>();
      client.invokeWith(server.address, createRequest(HOLD), 1000, {
        responded: () => told.push('responded'),
        failed: (error) => {
          told.push(`failed ${(error as MqError).code}`);
          // Sent again from inside the timeout's walk over the pending requests.
          client.invokeWith(server.address, createRequest(ECHO, { n: 'again' }), 3000, { responded: resent.resolve, failed: resent.reject });
        },
      });
      await arrived.promise;
      clock.advance(1000);
      assert.equal((await resent.promise).remark, 'again');
      assert.deepEqual(told, ['failed ERR_REMOTING_TIMEOUT']);
      assert.equal(server.connectionCount, 1);
      release.resolve(createResponse(ResponseCode.SUCCESS));
      const late = client.invokeSync(server.address, createRequest(ECHO, { n: 'after the late answer' }), 3000);
      assert.equal((await late).remark, 'after the late answer');
      assert.deepEqual(told, ['failed ERR_REMOTING_TIMEOUT'], 'the late answer tells no one');
    },
    { clock },
  );
});

test('unknown request code: REQUEST_CODE_NOT_SUPPORTED with RocketMQ\'s remark, connection kept', async () => {
  await withServerAndClient(
    (server) => server.registerHandler(ECHO, () => createResponse(ResponseCode.SUCCESS)),
    async (server, client) => {
      const response = await client.invokeSync(server.address, createRequest(4242), 3000);
      assert.equal(response.code, ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
      assert.equal(response.remark, ' request type 4242 not supported');
      assert.equal((await client.invokeSync(server.address, createRequest(ECHO), 3000)).code, ResponseCode.SUCCESS);
    },
  );
});

test('SYSTEM_BUSY at once when a handler\'s in-flight limit is reached', async () => {
  const release = new Deferred<RemotingCommand>();
  let entered = 0;
  await withServerAndClient(
    (server) => server.registerHandler(HOLD, () => {
      entered++;
      return release.promise;
    }, { maxInFlight: 2 }),
    async (server, client) => {
      const first = client.invokeSync(server.address, createRequest(HOLD), 10_000);
      const second = client.invokeSync(server.address, createRequest(HOLD), 10_000);
      const third = await client.invokeSync(server.address, createRequest(HOLD), 10_000);
      assert.equal(third.code, ResponseCode.SYSTEM_BUSY);
      assert.match(third.remark ?? '', /system busy/);
      assert.equal(entered, 2);
      release.resolve(createResponse(ResponseCode.SUCCESS));
      assert.equal((await first).code, ResponseCode.SUCCESS);
      assert.equal((await second).code, ResponseCode.SUCCESS);
      // Capacity is back once they finished.
      const again = client.invokeSync(server.address, createRequest(HOLD), 10_000);
      assert.equal((await again).code, ResponseCode.SUCCESS);
    },
  );
});

/** A LaterAnswer the test settles by hand. */
class HandAnswer extends LaterAnswer {
  settle(response: RemotingCommand): void {
    this.answer(response);
  }
  reject(error: unknown): void {
    this.fail(error);
  }
}

test('a LaterAnswer is answered when settled (also when settled before the dispatcher takes it), errors as thrown ones, and frees its in-flight slot', async () => {
  const held: HandAnswer[] = [];
  await withServerAndClient(
    (server) => server.registerHandler(HOLD, (request) => {
      const answer = new HandAnswer(request);
      const kind = request.extFields['kind'];
      if (kind === 'at-once') answer.settle(createResponse(ResponseCode.SUCCESS, 'settled before the attach'));
      else held.push(answer);
      return answer;
    }, { maxInFlight: 2 }),
    async (server, client) => {
      const atOnce = await client.invokeSync(server.address, createRequest(HOLD, { kind: 'at-once' }), 3000);
      assert.equal(atOnce.remark, 'settled before the attach');
      const first = client.invokeSync(server.address, createRequest(HOLD, { kind: 'held' }), 3000);
      const second = client.invokeSync(server.address, createRequest(HOLD, { kind: 'held' }), 3000);
      const busy = await client.invokeSync(server.address, createRequest(HOLD, { kind: 'held' }), 3000);
      assert.equal(busy.code, ResponseCode.SYSTEM_BUSY, 'two held answers fill the in-flight limit');
      assert.equal(held.length, 2);
      held[0]!.settle(createResponse(ResponseCode.SUCCESS, 'later'));
      held[0]!.settle(createResponse(ResponseCode.SYSTEM_ERROR, 'a second settle is ignored'));
      held[1]!.reject(mqError('ERR_TOPIC_NOT_EXIST', 'topic[T] not exist'));
      const [a, b] = await Promise.all([first, second]);
      assert.equal(a.code, ResponseCode.SUCCESS);
      assert.equal(a.remark, 'later');
      assert.equal(b.code, ResponseCode.TOPIC_NOT_EXIST);
      assert.equal(b.remark, 'topic[T] not exist');
      const again = client.invokeSync(server.address, createRequest(HOLD, { kind: 'held' }), 3000);
      await waitFor(() => held.length === 3, 3000);
      held[2]!.settle(createResponse(ResponseCode.SUCCESS));
      assert.equal((await again).code, ResponseCode.SUCCESS, 'the slots came back');
    },
  );
});

test('handler errors: MqError answers its responseCode; other errors SYSTEM_ERROR with the message only, logged once', async () => {
  const logger = new RecordingLogger();
  const server = new RemotingServer({ host: '127.0.0.1', port: 0, logger });
  server.registerHandler(ECHO, (request) => {
    if (request.extFields['kind'] === 'mq') throw mqError('ERR_TOPIC_NOT_EXIST', 'topic[T] not exist, apply first please!');
    if (request.extFields['kind'] === 'async') return Promise.reject(new Error('async failure'));
    throw new TypeError('boom in handler');
  });
  await server.start();
  const client = new RemotingClient({ logger: new RecordingLogger() });
  try {
    const mq = await client.invokeSync(server.address, createRequest(ECHO, { kind: 'mq' }), 3000);
    assert.equal(mq.code, ResponseCode.TOPIC_NOT_EXIST);
    assert.equal(mq.remark, 'topic[T] not exist, apply first please!');
    for (let i = 0; i < 3; i++) {
      const plain = await client.invokeSync(server.address, createRequest(ECHO, { kind: 'plain' }), 3000);
      assert.equal(plain.code, ResponseCode.SYSTEM_ERROR);
      assert.equal(plain.remark, 'boom in handler');
    }
    const rejected = await client.invokeSync(server.address, createRequest(ECHO, { kind: 'async' }), 3000);
    assert.equal(rejected.code, ResponseCode.SYSTEM_ERROR);
    assert.equal(rejected.remark, 'async failure');
    assert.deepEqual(logger.errors.map((e) => (e.err as Error).message), ['boom in handler', 'async failure']);
  } finally {
    await client.shutdown();
    await server.shutdown();
  }
});

test('a malformed frame closes only that connection; another keeps working', async () => {
  const closed: RemotingConnection[] = [];
  await withServerAndClient(
    (server) => {
      server.registerHandler(ECHO, (request) => createResponse(ResponseCode.SUCCESS, undefined, request.extFields));
      server.onConnectionClose((connection) => closed.push(connection));
    },
    async (server, client) => {
      assert.equal((await client.invokeSync(server.address, createRequest(ECHO), 3000)).code, ResponseCode.SUCCESS);
      for (const garbage of ['ffffffff00000000', '7fffffff', '0000000c000000087b22636f6465223a']) {
        const peer = await RawPeer.connect(server.port);
        peer.write(Buffer.from(garbage, 'hex'));
        if (garbage.startsWith('0000000c')) peer.write(Buffer.from('xxxx'));
        await peer.until(() => peer.isClosed, `the server to close the connection after ${garbage}`);
        const response = await client.invokeSync(server.address, createRequest(ECHO, { after: garbage }), 3000);
        assert.equal(response.extFields['after'], garbage);
      }
      assert.equal(closed.length, 3);
      assert.ok(client.isConnected(server.address));
    },
  );
});

test('a binary-header request is answered in the binary form', async () => {
  await withServerAndClient(
    (server) => server.registerHandler(ECHO, () => createResponse(ResponseCode.SUCCESS, 'ok', { a: 'b' })),
    async (server) => {
      const peer = await RawPeer.connect(server.port);
      try {
        const request = createRequest(ECHO, { x: 'y' });
        request.opaque = 77;
        request.serializeTypeCurrentRPC = SerializeType.ROCKETMQ;
        const frame = encodeCommand(request);
        assert.equal(frame[4], SerializeType.ROCKETMQ);
        peer.write(frame);
        await peer.until(() => peer.commands.length === 1, 'the response');
        const [response] = peer.commands;
        assert.equal(response?.serializeTypeCurrentRPC, SerializeType.ROCKETMQ);
        assert.equal(response?.opaque, 77);
        assert.deepEqual(response?.extFields, { a: 'b' });
        assert.equal(response?.remark, 'ok');
      } finally {
        peer.destroy();
      }
    },
  );
});

test('connect refused -> ERR_REMOTING_CONNECT (retriable); bad address -> ERR_INVALID_ADDRESS', async () => {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const client = new RemotingClient({ logger: new RecordingLogger() });
  try {
    await assert.rejects(
      client.invokeSync(`127.0.0.1:${port}`, createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC), 3000),
      (err: unknown) => isMqError('ERR_REMOTING_CONNECT')(err) && (err as MqError).retriable,
    );
    await assert.rejects(client.invokeSync('no-port', createRequest(ECHO), 3000), isMqError('ERR_INVALID_ADDRESS'));
  } finally {
    await client.shutdown();
  }
});

test('the client reconnects on the next use after the connection closed', async () => {
  const opened: RemotingConnection[] = [];
  await withServerAndClient(
    (server) => {
      server.registerHandler(ECHO, () => createResponse(ResponseCode.SUCCESS));
      server.onConnectionOpen((connection) => opened.push(connection));
    },
    async (server, client) => {
      assert.equal((await client.invokeSync(server.address, createRequest(ECHO), 3000)).code, ResponseCode.SUCCESS);
      const closedOnServer = new Deferred<void>();
      opened[0]?.onClose(() => closedOnServer.resolve());
      opened[0]?.close();
      await closedOnServer.promise;
      // The client may not have seen the close yet; either way the next call must succeed.
      let response: RemotingCommand | undefined;
      const deadline = Date.now() + 5000;
      while (response === undefined) {
        try {
          response = await client.invokeSync(server.address, createRequest(ECHO), 3000);
        } catch (err) {
          assert.ok(isMqError('ERR_REMOTING_CLOSED')(err), String(err));
          assert.ok(Date.now() < deadline, 'no reconnect within 5 s');
        }
      }
      assert.equal(response.code, ResponseCode.SUCCESS);
      assert.equal(opened.length, 2);
    },
  );
});

test('the server can send requests to a client over the accepted connection', async () => {
  await withServerAndClient(
    (server) => server.registerHandler(ECHO, async (_request, ctx) => {
      const asked = await ctx.connection.invoke(createRequest(RequestCode.GET_CONSUMER_RUNNING_INFO, { q: '1' }), 3000);
      return createResponse(ResponseCode.SUCCESS, undefined, { relayed: asked.extFields['answer'] ?? '' });
    }),
    async (server, client) => {
      client.registerHandler(RequestCode.GET_CONSUMER_RUNNING_INFO, (request) =>
        createResponse(ResponseCode.SUCCESS, undefined, { answer: `got ${request.extFields['q']}` }));
      const response = await client.invokeSync(server.address, createRequest(ECHO), 3000);
      assert.equal(response.extFields['relayed'], 'got 1');
    },
  );
});

test('graceful shutdown answers the request in flight, then closes; later calls fail', async () => {
  const arrived = new Deferred<void>();
  const release = new Deferred<RemotingCommand>();
  const server = new RemotingServer({ host: '127.0.0.1', port: 0, logger: new RecordingLogger() });
  server.registerHandler(HOLD, () => {
    arrived.resolve();
    return release.promise;
  });
  await server.start();
  const client = new RemotingClient({ logger: new RecordingLogger() });
  try {
    const pending = client.invokeSync(server.address, createRequest(HOLD), 10_000);
    await arrived.promise;
    const stopped = server.shutdown(10_000);
    release.resolve(createResponse(ResponseCode.SUCCESS, 'finished'));
    assert.equal((await pending).remark, 'finished');
    await stopped;
    assert.equal(server.connectionCount, 0);
    await assert.rejects(client.invokeSync(server.address, createRequest(HOLD), 3000), (err: unknown) =>
      isMqError('ERR_REMOTING_CONNECT')(err) || isMqError('ERR_REMOTING_CLOSED')(err));
  } finally {
    await client.shutdown();
    await server.shutdown();
  }
  await assert.rejects(client.invokeSync(server.address, createRequest(HOLD), 3000), isMqError('ERR_REMOTING_SHUTDOWN'));
});

test('a port already in use rejects start() with EADDRINUSE', async () => {
  const first = new RemotingServer({ host: '127.0.0.1', port: 0, logger: new RecordingLogger() });
  await first.start();
  const second = new RemotingServer({ host: '127.0.0.1', port: first.port, logger: new RecordingLogger() });
  try {
    await assert.rejects(second.start(), { code: 'EADDRINUSE' });
  } finally {
    await second.shutdown();
    await first.shutdown();
  }
});

test('during shutdown, clients newer than V5_3_1 get GO_AWAY while older ones are still served', async () => {
  const arrived = new Deferred<void>();
  const release = new Deferred<RemotingCommand>();
  const server = new RemotingServer({ host: '127.0.0.1', port: 0, logger: new RecordingLogger() });
  server.registerHandler(HOLD, () => {
    arrived.resolve();
    return release.promise;
  });
  server.registerHandler(ECHO, () => createResponse(ResponseCode.SUCCESS));
  await server.start();
  const client = new RemotingClient({ logger: new RecordingLogger() });
  try {
    const held = client.invokeSync(server.address, createRequest(HOLD), 10_000);
    await arrived.promise;
    const stopped = server.shutdown(10_000);
    const modern = await client.invokeSync(server.address, createRequest(ECHO), 3000);
    assert.equal(modern.code, ResponseCode.GO_AWAY);
    assert.equal(modern.remark, 'please go away');
    const old = createRequest(ECHO);
    old.version = 121;
    assert.equal((await client.invokeSync(server.address, old, 3000)).code, ResponseCode.SUCCESS);
    release.resolve(createResponse(ResponseCode.SUCCESS));
    assert.equal((await held).code, ResponseCode.SUCCESS);
    await stopped;
  } finally {
    await client.shutdown();
    await server.shutdown();
  }
});

test('one-way requests from the server reach the client\'s handler', async () => {
  const notified = new Deferred<string>();
  await withServerAndClient(
    (server) => server.registerHandler(ECHO, (_request, ctx) => {
      ctx.connection.invokeOneway(createRequest(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, { consumerGroup: 'G' }));
      return createResponse(ResponseCode.SUCCESS);
    }),
    async (server, client) => {
      client.registerHandler(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, (request) => {
        notified.resolve(request.extFields['consumerGroup'] ?? '');
        return null;
      });
      assert.equal((await client.invokeSync(server.address, createRequest(ECHO), 3000)).code, ResponseCode.SUCCESS);
      assert.equal(await notified.promise, 'G');
    },
  );
});

test('onActivity: a server connection reports its reads and writes', async () => {
  const activity: string[] = [];
  const server = new RemotingServer({ host: '127.0.0.1', port: 0, logger: new RecordingLogger(), onActivity: (kind) => activity.push(kind) });
  server.registerHandler(ECHO, (request) => createResponse(ResponseCode.SUCCESS, undefined, {}, request.body));
  await server.start();
  const client = new RemotingClient({ logger: new RecordingLogger() });
  try {
    const response = await client.invokeSync(server.address, createRequest(ECHO, {}, Buffer.from('x')), 10_000);
    assert.equal(response.code, ResponseCode.SUCCESS);
    // The request's read, then the response's write (a connection may read in more chunks).
    assert.equal(activity[0], 'read');
    assert.equal(activity.at(-1), 'write');
  } finally {
    await client.shutdown();
    await server.shutdown(1000);
  }
});
