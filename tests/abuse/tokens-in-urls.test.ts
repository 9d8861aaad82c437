import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { closed, opened, startGateway, type TestGateway } from '../helpers/gateway';
import { shippedConfig, siteFor, startNginx } from '../helpers/nginx';

// Issue 10 point 7: the same 12-hour token was in the cookie, the login JSON, sessionStorage and every
// socket URL, and the shipped nginx config logged it. Now a browser's login answer carries no token (the
// httpOnly cookie is the sign-in), sockets open with single-use tickets for one route and resource, and
// nginx logs paths without their query strings.

const SECRET = 'abuse-suite-secret-'.padEnd(48, 'x');

describe('no reusable token in any URL', () => {
  let gw: TestGateway;
  let cookie: string;
  let origin: string;
  before(async () => {
    gw = await startGateway({ JWT_SECRET: SECRET });
    origin = gw.url;
  });
  after(() => gw.close());

  async function ticket(body: unknown, headers: Record<string, string> = { cookie, origin }) {
    return gw.api('POST', '/api/socket-tickets', { body, headers });
  }

  test("a browser's login answer has no token; the cookie is the sign-in", async () => {
    const r = await gw.api('POST', '/api/auth/login', { body: { username: 'admin', password: 'admin-password-1' }, headers: { origin } });
    assert.equal(r.status, 200);
    assert.equal(r.body.token, undefined);
    assert.equal(r.body.user.username, 'admin');
    cookie = (r.headers.get('set-cookie') ?? '').split(';')[0];
    assert.match(cookie, /^portico_session=/);
    assert.match(r.headers.get('set-cookie') ?? '', /HttpOnly/);
    gw.issuedTokens.push(cookie.split('=')[1]);
    // A client without Origin (a script, the CLI) still gets a token for Authorization: Bearer.
    const cli = await gw.api('POST', '/api/auth/login', { body: { username: 'admin', password: 'admin-password-1' } });
    assert.equal(typeof cli.body.token, 'string');
    gw.issuedTokens.push(cli.body.token);
  });

  test('a ticket opens its socket once; the second use is 4401 with its own reason', async () => {
    const t = await ticket({ path: '/api/events' });
    assert.equal(t.status, 200);
    assert.ok(t.body.expiresAt > Date.now() && t.body.expiresAt <= Date.now() + 31_000);
    const ws = gw.open(`/api/events?ticket=${t.body.ticket}`, { headers: { origin } });
    await opened(ws);
    ws.close();
    const again = await closed(gw.open(`/api/events?ticket=${t.body.ticket}`, { headers: { origin } }));
    assert.equal(again.code, 4401);
    assert.match(again.reason, /ticket already used/);
  });

  test('a ticket is for one route and one resource', async () => {
    const mine = await gw.createProject(gw.adminToken, 'mine');
    const other = await gw.createProject(gw.adminToken, 'other');
    const t = await ticket({ path: `/api/build/${mine.id}` });
    assert.equal(t.status, 200);
    const wrongProject = await closed(gw.open(`/api/build/${other.id}?ticket=${t.body.ticket}`, { headers: { origin } }));
    assert.equal(wrongProject.code, 4401);
    assert.match(wrongProject.reason, /another socket/);
    const hubTicket = await ticket({ path: '/api/events' });
    const wrongRoute = await closed(gw.open(`/api/build/${mine.id}?ticket=${hubTicket.body.ticket}`, { headers: { origin } }));
    assert.equal(wrongRoute.code, 4401);
    // A ticket is not a session token either.
    assert.equal((await gw.api('GET', '/api/projects', { token: hubTicket.body.ticket })).status, 401);
  });

  test('tickets are minted only for what the caller may open, and only for a signed-in session', async () => {
    const bob = await gw.createUser('bob');
    const adminsProject = await gw.createProject(gw.adminToken, 'not-bobs');
    assert.equal((await ticket({ path: `/api/build/${adminsProject.id}` }, { authorization: `Bearer ${bob.token}` })).status, 403);
    assert.equal((await ticket({ path: '/api/build/nosuchproject' }, { authorization: `Bearer ${bob.token}` })).status, 404);
    assert.equal((await ticket({ path: '/api/events' }, {})).status, 401);
    // The path is read by the same route records as the upgrade: no route is 404, a malformed id 400.
    const asBob = { authorization: `Bearer ${bob.token}` };
    const noRoute = await ticket({ path: '/api/projects' }, asBob);
    assert.deepEqual([noRoute.status, noRoute.body.error.message], [404, 'No WebSocket route at this path.']);
    const malformed = await ticket({ path: '/api/build/a%2F..' }, asBob);
    assert.deepEqual([malformed.status, malformed.body.error.message], [400, 'That socket path is not valid: malformed project id.']);
    assert.equal((await ticket({ path: 'api/events' }, asBob)).status, 400);
    assert.equal((await ticket({ route: 'events' }, asBob)).status, 400);
    // Cookie from another site: refused like any cookie-authenticated change.
    assert.equal((await ticket({ path: '/api/events' }, { cookie, origin: 'https://evil.example' })).status, 403);
    // A ticket whose session has ended is refused even though it is fresh.
    const t = await ticket({ path: '/api/events' }, { authorization: `Bearer ${bob.token}` });
    await gw.api('POST', '/api/auth/logout', { token: bob.token });
    const c = await closed(gw.open(`/api/events?ticket=${t.body.ticket}`));
    assert.equal(c.code, 4401);
    assert.match(c.reason, /session revoked/);
  });

  test('an expired ticket is 4401 with its own reason', async () => {
    const key = createHmac('sha256', SECRET).update('portico socket tickets v1').digest();
    const now = Math.floor(Date.now() / 1000);
    const stale = await new SignJWT({ name: 'admin', role: 'admin', sid: 'x', rt: 'events', rs: 'hub' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('someone')
      .setIssuer('portico')
      .setAudience('portico-socket-ticket')
      .setJti('stale1')
      .setIssuedAt(now - 60)
      .setExpirationTime(now - 30)
      .sign(key);
    const c = await closed(gw.open(`/api/events?ticket=${stale}`));
    assert.equal(c.code, 4401);
    assert.match(c.reason, /ticket expired/);
  });

  test('the shipped nginx config logs socket and SSE paths without their query strings', async () => {
    let logged = false;
    // The log goes to nginx's prefix (its temp dir) instead of /var/log; its format stays the shipped one.
    const nginx = await startNginx((port) =>
      siteFor(shippedConfig(), gw.portico.port, port).replace(/access_log \/\S+/g, () => {
        logged = true;
        return 'access_log portico.access.log';
      }),
    );
    try {
      assert.ok(logged, 'deploy/nginx.conf has an access_log');
      const secret = 'SECRET-IN-QUERY';
      const ws = closed(new (await import('ws')).WebSocket(`ws://127.0.0.1:${nginx.port}/api/events?ticket=${secret}&token=${secret}`));
      await ws;
      await fetch(`${nginx.url}/api/build/abc/events?token=${secret}`).then((r) => r.arrayBuffer());
      const logFile = path.join(nginx.dir, 'portico.access.log');
      // nginx writes the line when the request ends; wait for both lines to land.
      for (let i = 0; i < 50 && !(fs.existsSync(logFile) && fs.readFileSync(logFile, 'utf8').split('\n').length > 2); i++) await new Promise((r) => setTimeout(r, 50));
      const log = fs.readFileSync(logFile, 'utf8');
      assert.match(log, /\/api\/events/);
      assert.match(log, /\/api\/build\/abc\/events/);
      assert.doesNotMatch(log, new RegExp(secret));
    } finally {
      await nginx.close();
    }
  });
});
