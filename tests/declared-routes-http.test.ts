import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { startGateway, type TestGateway } from './helpers/gateway';
import { refusedPort, startSilentUpstream } from './helpers/upstreams';
import { request, routesFile, startHttpUpstream } from './helpers/declared';

// HTTP through declared routes: streamed responses pass event by event, bodies both ways, what the upstream
// may and may not set, and the documented errors when the upstream is down or silent.

describe('declared routes: HTTP', () => {
  let upstream: Awaited<ReturnType<typeof startHttpUpstream>>;
  let silent: Awaited<ReturnType<typeof startSilentUpstream>>;
  let routes: ReturnType<typeof routesFile>;
  let gw: TestGateway;
  let alice: { token: string };

  before(async () => {
    upstream = await startHttpUpstream({ count: 5, gapMs: 200 });
    silent = await startSilentUpstream();
    routes = routesFile('routes.json');
    routes.write(
      JSON.stringify({
        routes: [
          { path: '/feed/', upstream: upstream.url + '/base/', auth: 'user', stripPrefix: true },
          { path: '/ws-only/', upstream: upstream.url, auth: 'public', traffic: 'websocket' },
          { path: '/capped/', upstream: upstream.url, auth: 'user', maxSockets: 2 },
          { path: '/down/', upstream: `http://127.0.0.1:${await refusedPort()}`, auth: 'public' },
          { path: '/hung/', upstream: silent.url.replace('ws:', 'http:'), auth: 'public', connectTimeoutMs: 300 },
        ],
      }),
    );
    gw = await startGateway({ ROUTES_FILE: routes.file });
    alice = await gw.createUser('alice');
  });
  after(async () => {
    await gw?.close();
    await upstream?.close();
    await silent?.close();
    routes?.remove();
  });

  test('server-sent events arrive one by one, as the upstream writes them (200 ms apart)', async () => {
    const arrivals = await new Promise<{ at: number; text: string }[]>((resolve, reject) => {
      const { port } = new URL(gw.url);
      const req = http.get({ host: '127.0.0.1', port, path: '/feed/events', headers: { authorization: `Bearer ${alice.token}`, accept: 'text/event-stream' } }, (res) => {
        assert.equal(res.statusCode, 200);
        assert.match(String(res.headers['content-type']), /text\/event-stream/);
        const got: { at: number; text: string }[] = [];
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buf += chunk;
          let end: number;
          while ((end = buf.indexOf('\n\n')) !== -1) {
            got.push({ at: Date.now(), text: buf.slice(0, end) });
            buf = buf.slice(end + 2);
          }
        });
        res.on('end', () => resolve(got));
      });
      req.on('error', reject);
    });
    assert.deepEqual(arrivals.map((a) => a.text.split('\n')[1]), ['data: event 0', 'data: event 1', 'data: event 2', 'data: event 3', 'data: event 4']);
    for (let i = 1; i < arrivals.length; i++) {
      const gap = arrivals[i].at - arrivals[i - 1].at;
      assert.ok(gap >= 120, `event ${i} came ${gap} ms after the one before: it was held back and sent with it`);
    }
    assert.equal(upstream.seen.at(-1)!.url, '/base/events', 'the prefix is replaced by the upstream base path');
  });

  test("a request body goes up, the answer comes back; no user credential up, no cookie or script policy planted down", async () => {
    // HTTP takes the Bearer header or the cookie, never ?token= (an address ends up in logs and histories);
    // one in the query is still removed before the request goes up.
    const r = await request(gw.url, '/feed/form?token=' + alice.token + '&q=1', {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'text/plain', 'x-portico-user': 'admin' },
      body: 'hello upstream',
    });
    assert.equal(r.status, 200);
    const seen = JSON.parse(r.body) as { method: string; url: string; headers: Record<string, string>; body: string };
    assert.equal(seen.method, 'POST');
    assert.equal(seen.body, 'hello upstream');
    assert.equal(seen.url, '/base/form?q=1', 'the token leaves the query');
    assert.equal(seen.headers['x-portico-user'], 'alice');
    assert.equal(seen.headers.authorization, undefined);
    assert.ok(seen.headers['x-forwarded-for']);
    assert.equal(r.headers['set-cookie'], undefined, "the upstream cannot set a cookie on the dashboard's origin");
    assert.equal(r.headers['content-security-policy'], "default-src 'none'; frame-ancestors 'none'", "nor loosen the dashboard origin's script policy");
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
  });

  test("a route's cap on requests in flight: past it 429 naming the route, and the slot is back when one ends", async () => {
    const { port } = new URL(gw.url);
    const auth = { authorization: `Bearer ${alice.token}` };
    // Two event streams (about a second each) hold the route's two slots.
    const streams = [0, 1].map(
      () =>
        new Promise<{ status: number; ended: Promise<void> }>((resolve, reject) => {
          http.get({ host: '127.0.0.1', port, path: '/capped/events', headers: auth, agent: false }, (res) => {
            res.resume();
            resolve({ status: res.statusCode!, ended: new Promise((r) => res.on('close', () => r())) });
          }).on('error', reject);
        }),
    );
    const held = await Promise.all(streams);
    assert.deepEqual(held.map((h) => h.status), [200, 200]);
    const refused = await request(gw.url, '/capped/x', { headers: auth });
    assert.equal(refused.status, 429);
    assert.equal(JSON.parse(refused.body).error.message, 'Too many requests in flight on /capped/; try again shortly.');
    await held[0].ended;
    assert.equal((await request(gw.url, '/capped/x', { headers: auth })).status, 200);
    await held[1].ended;
  });

  test('a WebSocket-only route does not take HTTP', async () => {
    const before = upstream.seen.length;
    const r = await request(gw.url, '/ws-only/x');
    assert.equal(r.status, 404);
    assert.equal(upstream.seen.length, before);
  });

  test('an unreachable upstream is a 502 and a silent one a 504, each naming the route', async () => {
    let r = await request(gw.url, '/down/x');
    assert.equal(r.status, 502);
    assert.match(JSON.parse(r.body).error.message, /\/down\/ is unreachable/);
    const started = Date.now();
    r = await request(gw.url, '/hung/x');
    assert.equal(r.status, 504);
    assert.match(JSON.parse(r.body).error.message, /\/hung\/ did not answer within 300 ms/);
    assert.ok(Date.now() - started < 3000);
  });

  test("the admin's health details list the declared routes with their upstreams' health", async () => {
    const r = await gw.api('GET', '/api/admin/health', { token: gw.adminToken });
    assert.equal(r.status, 200);
    const byPath = Object.fromEntries((r.body.declaredRoutes as { path: string }[]).map((d) => [d.path, d])) as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(byPath), ['/feed/', '/ws-only/', '/capped/', '/down/', '/hung/']);
    assert.deepEqual({ ...byPath['/feed/'], health: undefined }, { name: 'feed', path: '/feed/', upstream: `${upstream.url}/base/`, traffic: 'both', auth: 'user', maxSockets: null, openSockets: 0, health: undefined });
    assert.equal((byPath['/feed/'].health as { reachable: boolean }).reachable, true);
    assert.equal((byPath['/down/'].health as { reachable: boolean }).reachable, false);
    assert.equal((await gw.api('GET', '/api/admin/health', { token: alice.token })).status, 403);
  });
});
