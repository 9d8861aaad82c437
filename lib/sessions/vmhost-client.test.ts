import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createVmhostTokens } from '../auth/vmhost-tokens';
import { HttpError } from '../errors/http-errors';
import { createLogger } from '../observability/logger';
import { createVmhostClient, type VmhostClient } from './vmhost-client';
import { createVmhostServer, type VmhostServer } from './vmhost-server';

// The gateway's view of a vmhost, against a real vmhost server on loopback (one without a VM provider:
// what is tested here is the API, the tokens and the exit feed, not the desktops).

const SECRET = 'a-vmhost-secret-that-is-at-least-32-bytes-long';
const logger = createLogger('silent');
const admin = { userId: 'u1', username: 'root', role: 'admin' as const, sessionId: 'auth1' };
const cleanup: (() => unknown)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

async function vmhostOn(port = 0): Promise<{ server: VmhostServer; port: number }> {
  const server = createVmhostServer({ tokens: createVmhostTokens(SECRET), localVnc: null, vncMissing: null, logger, connectTimeoutMs: 1000 });
  const bound = await server.listen(port, '127.0.0.1');
  cleanup.push(() => server.close());
  return { server, port: bound };
}

function clientOf(port: number, secret = SECRET) {
  const exits: string[] = [];
  const client: VmhostClient = createVmhostClient({ url: new URL(`http://127.0.0.1:${port}`), tokens: createVmhostTokens(secret), logger, onExit: (id) => exits.push(id), pollMs: 60_000 });
  cleanup.push(() => client.close());
  return { client, exits };
}

test('the provider state comes from the vmhost, with its sentence', async () => {
  const { port } = await vmhostOn();
  const { client } = clientOf(port);
  const state = await client.refresh();
  assert.equal(state?.available, false);
  assert.match(state!.sentence!, /no local VM provider/);
  await assert.rejects(client.start('abcdefghijkl', 'x', admin), (err: HttpError) => err.status === 503 && /no local VM provider/.test(err.message));
});

test('exits reach the gateway once each; those from before it first asked are old news', async () => {
  const { server, port } = await vmhostOn();
  server.recordExit('before-gw');
  const { client, exits } = clientOf(port);
  await client.refresh();
  assert.deepEqual(exits, []);
  server.recordExit('s1');
  server.recordExit('s2');
  await client.refresh();
  await client.refresh();
  assert.deepEqual(exits, ['s1', 's2']);
});

test('a restarted vmhost: its exits are all new, though it numbers them from 1 again', async () => {
  const first = await vmhostOn();
  const { client, exits } = clientOf(first.port);
  await client.refresh();
  for (const id of ['a', 'b', 'c']) first.server.recordExit(id);
  await client.refresh();
  await first.server.close();
  const second = await vmhostOn(first.port);
  second.server.recordExit('d');
  // The first ask after the restart delivers, even when it meets the old vmhost's pooled connection.
  assert.ok(await client.refresh());
  assert.deepEqual(exits, ['a', 'b', 'c', 'd']);
});

test('a vmhost that does not answer, or refuses the secret: unavailable, with a sentence that says which', async () => {
  const { server, port } = await vmhostOn();
  const wrong = clientOf(port, 'another-secret-that-is-at-least-32-bytes!');
  assert.equal(await wrong.client.refresh(), null);
  assert.match(wrong.client.problem, /refused this gateway/);
  const { client } = clientOf(port);
  assert.ok(await client.refresh(), 'answers while it runs');
  await server.close();
  assert.equal(await client.refresh(), null);
  assert.match(client.problem, /does not answer \(ECONNREFUSED\); VM sessions are unavailable until it is back\./);
  await assert.rejects(client.stop('abcdefghijkl', admin), (err: HttpError) => err.status === 503 && /unreachable/.test(err.message));
});
