/**
 * Frames written in one event-loop turn leave together: copied into one buffer up to 4 MiB, or as
 * one writev past it. Both paths must deliver every frame intact and in order, with small (inline)
 * and large (separate chunk) bodies mixed in the same turn.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { ResponseCode, createRequest, createResponse } from '../../src/protocol';
import { withServerAndClient } from './remoting-fixture';

const ECHO = 9001;

async function echoMany(bodySizes: readonly number[]): Promise<void> {
  const bodies = bodySizes.map((size) => randomBytes(size));
  await withServerAndClient(
    (server) => server.registerHandler(ECHO, (request) => createResponse(ResponseCode.SUCCESS, undefined, { id: request.extFields['id'] ?? '' }, request.body)),
    async (server, client) => {
      // All requests are written in this one turn, so they share one flush.
      const responses = await Promise.all(bodies.map((body, i) => client.invokeSync(server.address, createRequest(ECHO, { id: String(i) }, body), 20_000)));
      responses.forEach((response, i) => {
        assert.equal(response.extFields['id'], String(i));
        // An empty body travels as no body.
        assert.ok((response.body ?? Buffer.alloc(0)).equals(bodies[i] as Buffer), `body ${i} (${bodySizes[i]} bytes) came back changed`);
      });
    },
  );
}

test('a turn under the coalescing limit: small and large bodies in one buffer', async () => {
  await echoMany([1, 1024, 9000, 0, 100_000, 8192, 8193, 3].flatMap((s) => [s, s + 1]));
});

test('a turn over the coalescing limit (about 9 MiB): one writev, every frame intact and in order', async () => {
  await echoMany(Array.from({ length: 300 }, (_, i) => (i % 10 === 0 ? 600_000 : 1024 + i)));
});
