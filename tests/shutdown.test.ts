import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closed, opened, startGateway } from './helpers/gateway';
import { startEchoUpstream } from './helpers/upstreams';

// Draining and closing in process; tests/server-process.test.ts does the same through SIGTERM.

test('a draining gateway refuses new upgrades with 1013 and keeps open ones', async () => {
  const upstream = await startEchoUpstream();
  const gw = await startGateway({ BUILD_BACKEND_URL: upstream.url });
  try {
    const { id } = await gw.createProject(gw.adminToken);
    const open = gw.open(`/api/build/${id}?token=${gw.adminToken}`);
    await opened(open);
    gw.portico.drain();
    const c = await closed(gw.open(`/api/build/${id}?token=${gw.adminToken}`));
    assert.equal(c.code, 1013);
    assert.equal((await gw.api('GET', '/healthz')).body.status, 'draining');
    open.send('still here');
    assert.equal((await new Promise<Buffer>((r) => open.once('message', r))).toString(), 'still here');
    open.close();
    await closed(open);
  } finally {
    await gw.close();
    await upstream.close();
  }
});

test('close() ends every open socket with 1001, proxied and hub alike, without cutting a frame', async () => {
  const upstream = await startEchoUpstream();
  const gw = await startGateway({ BUILD_BACKEND_URL: upstream.url });
  const { id } = await gw.createProject(gw.adminToken);
  const build = gw.open(`/api/build/${id}?token=${gw.adminToken}`);
  const hub = gw.open(`/api/events?token=${gw.adminToken}`);
  await Promise.all([opened(build), opened(hub)]);
  const backendSide = upstream.sockets.values().next().value!;
  const backendClosed = new Promise<number>((r) => backendSide.once('close', (code) => r(code)));
  // A large message in flight when the close comes must still arrive whole before the close frame.
  build.send(Buffer.alloc(2 * 1024 * 1024, 1));
  const results = Promise.all([closed(build), closed(hub)]);
  const started = Date.now();
  await gw.close();
  const [b, h] = await results;
  assert.equal(b.code, 1001);
  assert.equal(h.code, 1001);
  assert.equal(await backendClosed, 1001);
  assert.ok(Date.now() - started < 3000);
  await upstream.close();
});

test('an admin can disconnect a user’s sockets: they get 1001 and may reconnect; others are untouched', async () => {
  const upstream = await startEchoUpstream();
  const gw = await startGateway({ BUILD_BACKEND_URL: upstream.url });
  try {
    const alice = await gw.createUser('alice');
    const { id } = await gw.createProject(alice.token);
    const hers = gw.open(`/api/build/${id}?token=${alice.token}`);
    const admins = gw.open(`/api/events?token=${gw.adminToken}`);
    await Promise.all([opened(hers), opened(admins)]);
    const notAdmin = await gw.api('POST', '/api/admin/sockets/close', { token: alice.token, body: {} });
    assert.equal(notAdmin.status, 403);
    // The answer comes once the sockets are closed, so listen first.
    const herClose = closed(hers);
    const r = await gw.api('POST', '/api/admin/sockets/close', { token: gw.adminToken, body: { userId: alice.id, route: 'build' } });
    assert.deepEqual(r.body, { closed: 1 });
    const c = await herClose;
    assert.equal(c.code, 1001);
    assert.equal(c.reason, 'disconnected by an admin');
    assert.equal(admins.readyState, admins.OPEN);
    admins.close();
    await closed(admins);
  } finally {
    await gw.close();
    await upstream.close();
  }
});
