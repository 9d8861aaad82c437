import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '../lib/auth/tokens';
import { closeInfo } from '../lib/errors/close-codes';
import { closed, opened, startGateway, type TestGateway } from './helpers/gateway';
import { startEchoUpstream } from './helpers/upstreams';
import { newClientKey } from '../lib/net/ws-frames';

// Every code the gateway produces before a socket is proxied, each seen by a real client.

const SECRET = randomBytes(48).toString('base64url');

function forge(claims: { sub: string; aud?: string; iss?: string; exp?: number }, secret = SECRET) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ name: 'admin', role: 'admin' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub)
    .setIssuer(claims.iss ?? TOKEN_ISSUER)
    .setAudience(claims.aud ?? TOKEN_AUDIENCE)
    .setIssuedAt(now - 100)
    .setExpirationTime(claims.exp ?? now + 600)
    .sign(new TextEncoder().encode(secret));
}

function unsigned(sub: string) {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub, name: 'admin', role: 'admin', iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, exp: now + 600 })}.`;
}

describe('refusals', () => {
  let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;
  let gw: TestGateway;
  let adminId: string;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };
  let aliceProject: string;
  let aliceSession: string;

  before(async () => {
    upstream = await startEchoUpstream();
    gw = await startGateway({ JWT_SECRET: SECRET, BUILD_BACKEND_URL: upstream.url, MAX_SOCKETS_PER_USER: '2', VNC_TARGET_ALLOW: '127.0.0.1' });
    adminId = (await gw.api('GET', '/api/auth/me', { token: gw.adminToken })).body.id;
    alice = await gw.createUser('alice');
    bob = await gw.createUser('bob');
    aliceProject = (await gw.createProject(alice.token)).id;
    const s = await gw.api('POST', '/api/sessions', { token: gw.adminToken, body: { name: 'vm', target: `${upstream.url}/websockify`, ownerId: alice.id } });
    assert.equal(s.status, 201);
    aliceSession = s.body.id;
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  async function codeFor(path: string, opts: Parameters<TestGateway['open']>[1] = {}) {
    return closed(gw.open(path, opts));
  }

  test('an unknown path gets HTTP 404 and the socket is destroyed', async () => {
    const c = await codeFor('/api/nothing-here');
    assert.equal(c.status, 404);
    const raw = await rawUpgrade(gw.url, '/definitely/not/a/route');
    assert.match(raw, /^HTTP\/1\.1 404 Not Found/);
    assert.match(raw, /No WebSocket route at this path/);
  });

  test('4400 for a malformed id or query', async () => {
    assert.equal((await codeFor(`/api/build/not%20an%20id?token=${alice.token}`)).code, 4400);
    assert.equal((await codeFor(`/api/build/${aliceProject}?after=-1&token=${alice.token}`)).code, 4400);
    assert.equal((await codeFor(`/api/sessions/${'x'.repeat(65)}/vnc?token=${alice.token}`)).code, 4400);
  });

  test('4401 for a missing, malformed, expired, wrong-key, alg:none or wrong-audience token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases: Record<string, string | null> = {
      missing: null,
      malformed: 'not-a-jwt',
      expired: await forge({ sub: adminId, exp: now - 10 }),
      'wrong key': await forge({ sub: adminId }, randomBytes(48).toString('base64url')),
      'alg none': unsigned(adminId),
      'wrong audience': await forge({ sub: adminId, aud: 'someone-else' }),
      'wrong issuer': await forge({ sub: adminId, iss: 'evil' }),
    };
    for (const [name, token] of Object.entries(cases)) {
      const c = await codeFor(`/api/build/${aliceProject}${token ? `?token=${encodeURIComponent(token)}` : ''}`);
      assert.equal(c.code, 4401, `${name}: got ${c.code} ${c.reason}`);
    }
    // The control: a token forged with the right key, audience and expiry is accepted.
    const good = gw.open(`/api/build/${aliceProject}?token=${await forge({ sub: adminId })}`);
    await opened(good);
    good.close();
    await closed(good);
  });

  test('4403 for a foreign project, a foreign session and a bad Origin', async () => {
    assert.equal((await codeFor(`/api/build/${aliceProject}?token=${bob.token}`)).code, 4403);
    assert.equal((await codeFor(`/api/sessions/${aliceSession}/vnc?token=${bob.token}`)).code, 4403);
    assert.equal((await codeFor(`/api/auth/session/${aliceSession}/novnc/websock?token=${bob.token}`)).code, 4403);
    const badOrigin = await codeFor(`/api/build/${aliceProject}?token=${alice.token}`, { headers: { origin: 'https://evil.example' } });
    assert.equal(badOrigin.code, 4403);
    assert.equal(badOrigin.reason, 'origin not allowed');
  });

  test('4404 for an unknown project or session', async () => {
    assert.equal((await codeFor(`/api/build/${'n'.repeat(12)}?token=${alice.token}`)).code, 4404);
    assert.equal((await codeFor(`/api/sessions/${'n'.repeat(12)}/vnc?token=${alice.token}`)).code, 4404);
  });

  test('4429 at the per-user limit, and the slot comes back when a socket closes', async () => {
    const first = gw.open(`/api/build/${aliceProject}?token=${alice.token}`);
    const second = gw.open(`/api/build/${aliceProject}?token=${alice.token}`);
    await Promise.all([opened(first), opened(second)]);
    const third = await codeFor(`/api/build/${aliceProject}?token=${alice.token}`);
    assert.equal(third.code, 4429);
    // Another user is not affected by alice's limit.
    const admins = gw.open(`/api/build/${aliceProject}?token=${gw.adminToken}`);
    await opened(admins);
    first.close();
    await closed(first);
    await waitFor(() => gw.portico.registry.byRoute().build === 2);
    const again = gw.open(`/api/build/${aliceProject}?token=${alice.token}`);
    await opened(again);
    for (const ws of [second, admins, again]) ws.close();
    await Promise.all([second, admins, again].map(closed));
  });

  test('a refusal selects an offered subprotocol, so browsers see the code and not 1006', async () => {
    const ws = gw.open(`/api/sessions/${aliceSession}/vnc?token=${bob.token}`, { protocols: ['binary'] });
    const c = await closed(ws);
    assert.equal(c.code, 4403);
    assert.equal(ws.protocol, 'binary');
  });

  test('every code the gateway sends is in the close-code table', () => {
    for (const code of [1001, 1011, 1013, 1014, 4400, 4401, 4403, 4404, 4409, 4429]) assert.ok(closeInfo(code), String(code));
  });
});

async function waitFor(check: () => boolean, ms = 2000) {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Sends a raw upgrade request and returns everything the server wrote before closing. */
function rawUpgrade(base: string, path: string): Promise<string> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const s = net.connect(Number(port), hostname, () => {
      s.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${newClientKey()}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    });
    let out = '';
    s.on('data', (d) => (out += d));
    s.on('close', () => resolve(out));
    s.on('error', reject);
    s.setTimeout(3000, () => reject(new Error('server did not close the socket')));
  });
}
