import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { WebSocket } from 'ws';
import { closed, opened, startGateway, type TestGateway } from './helpers/gateway';
import { startEchoUpstream, startSilentUpstream } from './helpers/upstreams';
import { request, routesFile } from './helpers/declared';
import { rawExchange, upgradeRequest } from './helpers/raw-exchange';

// Who may pass a declared route, with real clients (ws, raw HTTP): public, user, admin, owner by path
// segment and by query; a route's own socket limit; prefixes that only look like a route's.

const ID_UNKNOWN = '0'.repeat(21);

describe('declared routes: auth modes, limits, prefix confusion', () => {
  let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;
  let silent: Awaited<ReturnType<typeof startSilentUpstream>>;
  let routes: ReturnType<typeof routesFile>;
  let gw: TestGateway;
  let alice: { id: string; username: string; token: string };
  let bob: { id: string; username: string; token: string };
  let aliceProject: { id: string };
  const sockets: WebSocket[] = [];

  before(async () => {
    upstream = await startEchoUpstream();
    silent = await startSilentUpstream();
    routes = routesFile();
    const up = upstream.url;
    routes.write(`routes:
  - { path: /pub/, upstream: ${up}, auth: public }
  - { path: /usr/, upstream: ${up}, auth: user }
  - { path: /adm/, upstream: ${up}, auth: admin }
  - { path: /own/, upstream: ${up}, auth: { owner: { segment: 0 } }, stripPrefix: true }
  - { path: /ownq/, upstream: ${up}, auth: { owner: { query: project } } }
  - { path: /lim/, upstream: ${up}, auth: user, maxSockets: 2 }
  - { path: /tok/, upstream: ${up}, auth: user, identity: bearer }
  - { path: /idle/, upstream: ${up}, auth: user, idleTimeoutMs: 1000 }
  - { path: /hung/, upstream: ${silent.url}, auth: user, connectTimeoutMs: 300 }
`);
    gw = await startGateway({ ROUTES_FILE: routes.file });
    alice = await gw.createUser('alice');
    bob = await gw.createUser('bob');
    aliceProject = await gw.createProject(alice.token);
  });
  after(async () => {
    for (const s of sockets) s.terminate();
    await gw?.close();
    await upstream?.close();
    await silent?.close();
    routes?.remove();
  });

  const open = (path: string, token?: string, headers: Record<string, string> = {}) => {
    const ws = gw.open(path, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
    sockets.push(ws);
    return ws;
  };
  async function echoes(ws: WebSocket) {
    await opened(ws);
    const back = new Promise<string>((r) => ws.once('message', (d) => r(d.toString())));
    ws.send('ping');
    assert.equal(await back, 'ping');
    ws.close();
  }

  test('public: no credential needed, and none is invented upstream', async () => {
    const before = upstream.seen.length;
    await echoes(open('/pub/x'));
    const seen = upstream.seen[before];
    assert.equal(seen.url, '/pub/x');
    assert.equal(seen.headers['x-portico-user'], undefined);
  });

  test('user: 4401 without a token; with one, the upstream learns who (not from the client) and gets no credential', async () => {
    assert.deepEqual(await closed(open('/usr/a')), { code: 4401, reason: 'no token' });
    const before = upstream.seen.length;
    await echoes(open('/usr/a?token=' + alice.token + '&keep=1', undefined, { 'x-portico-user': 'admin', 'x-portico-role': 'admin', cookie: 'portico_session=x; other=1' }));
    const seen = upstream.seen[before];
    assert.equal(seen.url, '/usr/a?keep=1');
    assert.equal(seen.headers['x-portico-user'], 'alice');
    assert.equal(seen.headers['x-portico-role'], 'user');
    assert.equal(seen.headers.authorization, undefined);
    assert.equal(seen.headers.cookie, undefined);
  });

  test('admin: 4403 for a user, open for an admin', async () => {
    assert.equal((await closed(open('/adm/', alice.token))).code, 4403);
    await echoes(open('/adm/', gw.adminToken));
  });

  test('owner by path segment: own project opens (prefix stripped), another user 4403, unknown 4404, malformed 4400; admin opens', async () => {
    const before = upstream.seen.length;
    await echoes(open(`/own/${aliceProject.id}/term`, alice.token));
    assert.equal(upstream.seen[before].url, `/${aliceProject.id}/term`);
    assert.equal((await closed(open(`/own/${aliceProject.id}/term`, bob.token))).code, 4403);
    assert.equal((await closed(open(`/own/${ID_UNKNOWN}/term`, alice.token))).code, 4404);
    assert.equal((await closed(open('/own/not!an!id/term', alice.token))).code, 4400);
    assert.equal((await closed(open('/own/', alice.token))).code, 4400);
    await echoes(open(`/own/${aliceProject.id}/term`, gw.adminToken));
  });

  test('owner by query parameter: the same rules', async () => {
    await echoes(open(`/ownq/k?project=${aliceProject.id}`, alice.token));
    assert.equal((await closed(open(`/ownq/k?project=${aliceProject.id}`, bob.token))).code, 4403);
    assert.equal((await closed(open(`/ownq/k?project=${ID_UNKNOWN}`, alice.token))).code, 4404);
    assert.equal((await closed(open('/ownq/k', alice.token))).code, 4400);
  });

  test('HTTP on the same routes: 401 / 403 / 404 as JSON naming the route; the cookie only where it is safe', async () => {
    let r = await request(gw.url, '/usr/page');
    assert.equal(r.status, 401);
    assert.match(JSON.parse(r.body).error.message, /\/usr\//);
    r = await request(gw.url, '/adm/page', { headers: { authorization: `Bearer ${alice.token}` } });
    assert.equal(r.status, 403);
    r = await request(gw.url, `/own/${aliceProject.id}/page`, { headers: { authorization: `Bearer ${bob.token}` } });
    assert.equal(r.status, 404, 'another user\'s project is not told apart from a missing one');
    const cookie = `portico_session=${alice.token}`;
    // Another site's top-level navigation carries a Lax cookie: without a same-origin sign, it does not count.
    assert.equal((await request(gw.url, '/usr/page', { headers: { cookie } })).status, 401);
    assert.equal((await request(gw.url, '/usr/page', { headers: { cookie, 'sec-fetch-site': 'cross-site' } })).status, 401);
    const before = upstream.seenHttp.length;
    r = await request(gw.url, '/usr/page', { headers: { cookie, 'sec-fetch-site': 'same-origin' } });
    assert.equal(upstream.seenHttp.length, before + 1, 'a same-origin GET with the cookie passes');
    assert.equal(upstream.seenHttp[before].headers.cookie, undefined);
    assert.equal(upstream.seenHttp[before].headers['x-portico-user'], 'alice');
    // A change with the cookie needs an allowed Origin.
    r = await request(gw.url, '/usr/page', { method: 'POST', headers: { cookie, origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' }, body: 'x' });
    assert.equal(r.status, 403);
    r = await request(gw.url, '/usr/page', { method: 'POST', headers: { cookie, 'sec-fetch-site': 'same-origin' }, body: 'x' });
    assert.equal(r.status, 401, 'a POST without an Origin does not count the cookie');
    r = await request(gw.url, '/usr/page', { method: 'POST', headers: { cookie, origin: gw.url }, body: 'x' });
    assert.equal(upstream.seenHttp.at(-1)!.headers['x-portico-user'], 'alice');
  });

  test('identity bearer: the upstream gets a token minted for that route, never the user\'s', async () => {
    const before = upstream.seen.length;
    await echoes(open('/tok/', alice.token));
    const auth = upstream.seen[before].headers.authorization!;
    assert.match(auth, /^Bearer /);
    assert.notEqual(auth, `Bearer ${alice.token}`);
    const payload = JSON.parse(Buffer.from(auth.split('.')[1], 'base64url').toString());
    assert.equal(payload.aud, 'portico-route:tok');
    assert.equal(payload.name, 'alice');
    assert.ok(payload.exp - payload.iat <= 60);
  });

  test("a route's own socket limit: the third socket on a route of two gets 4429", async () => {
    const a = open('/lim/', alice.token);
    const b = open('/lim/', bob.token);
    await Promise.all([opened(a), opened(b)]);
    const third = await closed(open('/lim/', alice.token));
    assert.equal(third.code, 4429);
    a.close();
    await closed(a);
    // The slot is back once a socket ends.
    const again = open('/lim/', alice.token);
    await opened(again);
    again.close();
    b.close();
  });

  test("a route's timeouts: a silent socket closes after idleTimeoutMs (1000), a silent upstream is 1014 after connectTimeoutMs", async () => {
    const ws = open('/idle/', alice.token);
    await opened(ws);
    const started = Date.now();
    const end = await closed(ws);
    assert.deepEqual(end, { code: 1000, reason: 'idle timeout' });
    assert.ok(Date.now() - started >= 900, `closed after ${Date.now() - started} ms`);
    const t0 = Date.now();
    const hung = await closed(open('/hung/', alice.token));
    assert.equal(hung.code, 1014);
    assert.ok(Date.now() - t0 < 3000, `refused after ${Date.now() - t0} ms`);
  });

  test('prefix confusion never reaches the upstream', async () => {
    const ws = upstream.seen.length;
    const http = upstream.seenHttp.length;
    const paths = ['/pub..', '/pub../x', '//pub/', '//pub/x', '/pub%2f..%2fapi', '/pub%2F', '/pub/%2F..%2Fapi', '/pub/..%2fapi/events', '/pub/%2e%2e/api/events', '/pub/x/%2e%2e/%2e%2e/api', '/pub/..', '/pub/a\\..\\b', '/PUB/'];
    for (const p of paths) {
      const h = await request(gw.url, p);
      assert.ok([400, 404].includes(h.status), `HTTP ${p}: ${h.status}`);
      const u = await rawExchange(gw.url, upgradeRequest(gw.url, p));
      const refused = (u.kind === 'http' && [400, 404].includes(u.status)) || (u.kind === 'close' && [4400, 4401, 4404].includes(u.code));
      assert.ok(refused, `upgrade ${p}: ${JSON.stringify(u)}`);
    }
    assert.equal(upstream.seen.length, ws, 'no upgrade reached the upstream');
    assert.equal(upstream.seenHttp.length, http, 'no request reached the upstream');
  });
});
