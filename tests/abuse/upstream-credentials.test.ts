import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import { closed, opened, startGateway, type TestGateway } from '../helpers/gateway';
import { startEchoUpstream } from '../helpers/upstreams';

// Issue 10, point 2: a user's credential must never leave the gateway. A ws:// VNC target used to get the
// user's full session token as `Authorization: Bearer` (replayed against the API, it is the user — an
// admin's creates admins), and every upstream got the browser's other cookies.

describe('what an upstream learns of the user', () => {
  let vnc: Awaited<ReturnType<typeof startEchoUpstream>>;
  let backend: Awaited<ReturnType<typeof startEchoUpstream>>;
  let gw: TestGateway;
  let alice: { id: string; token: string };
  let sessionId: string;
  let projectId: string;

  before(async () => {
    vnc = await startEchoUpstream();
    backend = await startEchoUpstream();
    gw = await startGateway({ BUILD_BACKEND_URL: backend.url, VNC_TARGET_ALLOW: '127.0.0.1' });
    alice = await gw.createUser('alice');
    const s = await gw.api('POST', '/api/sessions', { token: gw.adminToken, body: { name: 'vm', target: `${vnc.url}/websockify`, ownerId: alice.id } });
    assert.equal(s.status, 201, JSON.stringify(s.body));
    sessionId = s.body.id;
    projectId = (await gw.createProject(alice.token)).id;
  });
  after(async () => {
    await gw.close();
    await vnc.close();
    await backend.close();
  });

  const through = async (upstream: typeof vnc, path: string, headers: Record<string, string>) => {
    const before = upstream.seen.length;
    const ws = gw.open(path, { headers });
    await opened(ws);
    const seen = upstream.seen[before];
    ws.close();
    await closed(ws);
    return seen;
  };

  test('a ws:// VNC target gets no Authorization, no cookie and no token in the URL, however the user signed in', async () => {
    const ways: [string, Record<string, string>][] = [
      [`/api/sessions/${sessionId}/vnc?token=${alice.token}`, { cookie: 'theme=dark; tracking=abc' }],
      [`/api/sessions/${sessionId}/vnc`, { origin: gw.url, cookie: `theme=dark; portico_session=${alice.token}` }],
      [`/api/sessions/${sessionId}/vnc`, { authorization: `Bearer ${alice.token}` }],
    ];
    for (const [path, headers] of ways) {
      const seen = await through(vnc, path, headers);
      assert.equal(seen.headers.authorization, undefined, `Authorization reached the VM via ${path}`);
      assert.equal(seen.headers.cookie, undefined, `a cookie reached the VM via ${path}`);
      assert.equal(seen.url, '/websockify');
      assert.ok(!JSON.stringify(seen.headers).includes(alice.token), 'the token reached the VM in some header');
    }
  });

  test('the build backend gets a short-lived token of its own for that one project, which the API refuses', async () => {
    const seen = await through(backend, `/api/build/${projectId}`, { origin: gw.url, cookie: `theme=dark; portico_session=${alice.token}` });
    assert.equal(seen.headers.cookie, undefined);
    const bearer = /^Bearer (\S+)$/.exec(seen.headers.authorization ?? '')?.[1];
    assert.ok(bearer, 'the backend needs a credential');
    assert.notEqual(bearer, alice.token);
    const claims = decodeJwt(bearer);
    assert.equal(claims.aud, 'portico-build-backend');
    assert.equal(claims.project, projectId);
    assert.ok(claims.exp! - claims.iat! <= 300, 'valid five minutes at most');

    // Replayed against the gateway it is nobody.
    assert.equal((await gw.api('GET', '/api/projects', { token: bearer })).status, 401);
    assert.equal((await gw.api('GET', '/api/auth/me', { token: bearer })).status, 401);
    assert.equal((await closed(gw.open(`/api/build/${projectId}?token=${bearer}`))).code, 4401);
  });

  test('the SSE stream reaches the backend with the minted token and no cookie either', async () => {
    const before = backend.seenHttp.length;
    const res = await fetch(`${gw.url}/api/build/${projectId}/events?token=${alice.token}`, { headers: { cookie: 'theme=dark' } });
    await res.body?.cancel();
    const seen = backend.seenHttp[before];
    assert.ok(seen, 'the stream was proxied');
    assert.equal(seen.headers.cookie, undefined);
    assert.equal(seen.url, `/build/${projectId}/events`);
    const bearer = /^Bearer (\S+)$/.exec(seen.headers.authorization ?? '')?.[1];
    assert.ok(bearer && bearer !== alice.token);
    assert.equal(decodeJwt(bearer).aud, 'portico-build-backend');
  });
});
