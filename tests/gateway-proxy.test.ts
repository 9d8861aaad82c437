import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { randomBytes } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';
import v8 from 'node:v8';
import type { WebSocket } from 'ws';
import vm from 'node:vm';
import { ADMIN, closed, nextMessage, opened, startGateway, type TestGateway } from './helpers/gateway';
import { refusedPort, startEchoUpstream, startSilentUpstream } from './helpers/upstreams';

// The build route end to end: a real ws client → the gateway → a real ws backend, and back.

const SECRET = randomBytes(48).toString('base64url');

describe('the build route through the proxy', () => {
  let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;
  let gw: TestGateway;
  let projectId: string;

  before(async () => {
    upstream = await startEchoUpstream();
    gw = await startGateway({ JWT_SECRET: SECRET, BUILD_BACKEND_URL: upstream.url });
    projectId = (await gw.createProject(gw.adminToken)).id;
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  test('relays text, binary and a 4 MiB binary message both ways, byte-exact', async () => {
    const ws = gw.open(`/api/build/${projectId}?token=${gw.adminToken}`);
    await opened(ws);
    ws.send('hello, backend');
    const text = await nextMessage(ws);
    assert.equal(text.isBinary, false);
    assert.equal(text.data.toString(), 'hello, backend');

    const small = randomBytes(1000);
    ws.send(small);
    const bin = await nextMessage(ws);
    assert.equal(bin.isBinary, true);
    assert.ok(bin.data.equals(small));

    const big = randomBytes(4 * 1024 * 1024);
    ws.send(big);
    const echoed = await nextMessage(ws);
    assert.equal(echoed.data.length, big.length);
    assert.ok(echoed.data.equals(big), '4 MiB message came back changed');
    ws.close(1000);
    assert.equal((await closed(ws)).code, 1000);
  });

  test('the upstream sees the path without the token, a backend token as Bearer, the subprotocol and X-Forwarded-*', async () => {
    const before = upstream.seen.length;
    const ws = gw.open(`/api/build/${projectId}?token=${gw.adminToken}&after=7`, {
      protocols: ['portico.v1', 'other'],
      headers: { origin: gw.url },
    });
    await opened(ws);
    assert.equal(ws.protocol, 'portico.v1');
    const seen = upstream.seen[before];
    assert.equal(seen.url, `/build/${projectId}?after=7`);
    const bearer = /^Bearer (\S+)$/.exec(seen.headers.authorization ?? '')?.[1];
    assert.ok(bearer && bearer !== gw.adminToken, 'the backend gets a token of its own, not the user\'s');
    assert.ok(await gw.portico.backendTokens.verify(bearer, projectId), 'minted for this project');
    assert.equal(seen.headers['sec-websocket-protocol'], 'portico.v1,other');
    assert.ok(seen.headers['sec-websocket-key']);
    assert.equal(seen.headers['sec-websocket-version'], '13');
    assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(seen.headers['x-forwarded-proto'], 'http');
    assert.equal(seen.headers['x-forwarded-host'], new URL(gw.url).host);
    ws.close();
    await closed(ws);
  });

  test('no cookie of the browser reaches the upstream', async () => {
    const before = upstream.seen.length;
    const ws = gw.open(`/api/build/${projectId}`, {
      headers: { origin: gw.url, cookie: `theme=dark; portico_session=${gw.adminToken}` },
    });
    await opened(ws);
    const seen = upstream.seen[before];
    assert.equal(seen.headers.cookie, undefined);
    assert.notEqual(seen.headers.authorization, `Bearer ${gw.adminToken}`);
    ws.close();
    await closed(ws);
  });

  test('when the upstream closes, the client sees the close within 1 s', async () => {
    const backendSide = upstream.nextConnection();
    const ws = gw.open(`/api/build/${projectId}?token=${gw.adminToken}`);
    await opened(ws);
    const started = Date.now();
    (await backendSide).close(4000, 'backend done');
    const c = await closed(ws);
    assert.equal(c.code, 4000);
    assert.equal(c.reason, 'backend done');
    assert.ok(Date.now() - started < 1000);
  });

  test('when the upstream dies without a close frame, the client gets 1014 within 1 s', async () => {
    const backendSide = upstream.nextConnection();
    const ws = gw.open(`/api/build/${projectId}?token=${gw.adminToken}`);
    await opened(ws);
    const started = Date.now();
    (await backendSide).terminate();
    const c = await closed(ws);
    assert.equal(c.code, 1014);
    assert.ok(Date.now() - started < 1000);
  });

  test('when the client goes away, the upstream socket is closed within 1 s', async () => {
    const backendSide = upstream.nextConnection();
    const ws = gw.open(`/api/build/${projectId}?token=${gw.adminToken}`);
    await opened(ws);
    const backend = await backendSide;
    const started = Date.now();
    const gone = new Promise<void>((r) => backend.once('close', () => r()));
    ws.terminate();
    await gone;
    assert.ok(Date.now() - started < 1000, `upstream closed after ${Date.now() - started} ms`);
  });

  test('a cookie with the page origin is accepted; a cookie without any Origin is not', async () => {
    const ok = gw.open(`/api/build/${projectId}`, { headers: { origin: gw.url, cookie: `portico_session=${gw.adminToken}` } });
    await opened(ok);
    ok.close();
    await closed(ok);
    const bare = gw.open(`/api/build/${projectId}`, { headers: { cookie: `portico_session=${gw.adminToken}` } });
    assert.equal((await closed(bare)).code, 4401);
  });

  test('open sockets are counted per route in the admin health details and /metrics', async () => {
    const ws = gw.open(`/api/build/${projectId}?token=${gw.adminToken}`);
    await opened(ws);
    const health = await gw.api('GET', '/api/admin/health', { token: gw.adminToken });
    assert.equal(health.status, 200);
    assert.equal(health.body.sockets.byRoute.build, 1);
    assert.equal(health.body.upstreams.build.reachable, true);
    const metrics = await (await fetch(gw.url + '/metrics', { headers: { authorization: `Bearer ${gw.adminToken}` } })).text();
    assert.match(metrics, /portico_open_sockets\{route="build"\} 1/);
    // A route nobody has opened yet is in the scrape at 0, not missing.
    assert.match(metrics, /portico_open_sockets\{route="vnc"\} 0/);
    assert.match(metrics, /portico_upgrades_total\{route="build",outcome="accepted"\} \d+/);
    ws.close();
    await closed(ws);
  });
});

test('a message the upstream sends with its handshake reaches the client first', async () => {
  const upstream = await startEchoUpstream({ greeting: 'welcome' });
  const gw = await startGateway({ BUILD_BACKEND_URL: upstream.url });
  try {
    const { id } = await gw.createProject(gw.adminToken);
    for (let i = 0; i < 20; i++) {
      const ws = gw.open(`/api/build/${id}?token=${gw.adminToken}`);
      const first = nextMessage(ws);
      await opened(ws);
      assert.equal((await first).data.toString(), 'welcome');
      ws.close();
      await closed(ws);
    }
  } finally {
    await gw.close();
    await upstream.close();
  }
});

// http-proxy-3 leaves listeners on both sockets that hold the upgrade request, the request to the upstream
// and its 101 for as long as the socket is open (~14 KB a socket); ws-proxy.ts takes them away.
test('an open proxied socket keeps neither its upgrade request nor the request to the upstream alive', async () => {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const upstream = await startEchoUpstream();
  const gw = await startGateway({ BUILD_BACKEND_URL: upstream.url });
  const refs: { what: string; ref: WeakRef<object> }[] = [];
  const onUpgrade = (req: IncomingMessage) => refs.push({ what: `upgrade request ${req.url?.split('?')[0]}`, ref: new WeakRef(req) });
  const onRequest = (msg: unknown) => {
    const request = (msg as { request: ClientRequest }).request;
    if (request.path.startsWith('/build/')) refs.push({ what: `request to the upstream ${request.path}`, ref: new WeakRef(request) });
  };
  gw.portico.server.prependListener('upgrade', onUpgrade);
  diagnostics.subscribe('http.client.request.start', onRequest);
  const sockets: WebSocket[] = [];
  try {
    const { id } = await gw.createProject(gw.adminToken);
    for (let i = 0; i < 10; i++) {
      const ws = gw.open(`/api/build/${id}?token=${gw.adminToken}`);
      await opened(ws);
      ws.send(`hello ${i}`);
      assert.equal((await nextMessage(ws)).data.toString(), `hello ${i}`);
      sockets.push(ws);
    }
    gw.portico.server.off('upgrade', onUpgrade);
    diagnostics.unsubscribe('http.client.request.start', onRequest);
    assert.equal(refs.length, 20, 'every upgrade and every upstream request was seen');
    for (let i = 0; i < 10 && refs.some((r) => r.ref.deref()); i++) {
      await new Promise((r) => setTimeout(r, 10));
      gc();
    }
    assert.deepEqual(refs.filter((r) => r.ref.deref()).map((r) => r.what), []);
    // Still a working pair after all that.
    for (const ws of sockets) {
      ws.send('still there');
      assert.equal((await nextMessage(ws)).data.toString(), 'still there');
    }
  } finally {
    gw.portico.server.off('upgrade', onUpgrade);
    diagnostics.unsubscribe('http.client.request.start', onRequest);
    for (const ws of sockets) ws.close();
    await Promise.all(sockets.map(closed));
    await gw.close();
    await upstream.close();
  }
});

describe('an unreachable build backend', () => {
  test('a refused upstream closes the client with 1014', async () => {
    const gw = await startGateway({ BUILD_BACKEND_URL: `ws://127.0.0.1:${await refusedPort()}` });
    try {
      const { id } = await gw.createProject(gw.adminToken);
      const c = await closed(gw.open(`/api/build/${id}?token=${gw.adminToken}`));
      assert.equal(c.code, 1014);
      assert.match(c.reason, /ECONNREFUSED/);
      const health = await gw.api('GET', '/api/admin/health', { token: gw.adminToken });
      assert.equal(health.body.upstreams.build.reachable, false);
    } finally {
      await gw.close();
    }
  });

  test('an upstream that never answers closes the client with 1014 after the connect timeout', async () => {
    const silent = await startSilentUpstream();
    const gw = await startGateway({ BUILD_BACKEND_URL: silent.url, UPSTREAM_CONNECT_TIMEOUT_MS: '300' });
    try {
      const { id } = await gw.createProject(gw.adminToken);
      const started = Date.now();
      const c = await closed(gw.open(`/api/build/${id}?token=${gw.adminToken}`));
      assert.equal(c.code, 1014);
      assert.match(c.reason, /did not answer within 300 ms/);
      const took = Date.now() - started;
      assert.ok(took >= 250 && took < 2000, `closed after ${took} ms`);
    } finally {
      await gw.close();
      await silent.close();
    }
  });
});

describe('the admin account', () => {
  test('is created on first start from ADMIN_USERNAME / ADMIN_PASSWORD and can sign in', async () => {
    const gw = await startGateway();
    try {
      const me = await gw.api('GET', '/api/auth/me', { token: gw.adminToken });
      assert.deepEqual({ username: me.body.username, role: me.body.role }, { username: ADMIN.username, role: 'admin' });
    } finally {
      await gw.close();
    }
  });
});
