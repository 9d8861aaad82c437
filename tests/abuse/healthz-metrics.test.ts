import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { startGateway, type TestGateway } from '../helpers/gateway';

// Issue 10, point 14. `/healthz` probed the build backend with fetch, which refuses "bad ports" such as
// 4190 before connecting, so a live backend there was reported down. And anyone could read `/healthz`'s
// details and `/metrics` (users' sockets per route, upstream addresses): now the public answer is only
// ok / not ok, the details are for admins, and /metrics wants an admin or METRICS_TOKEN.

const BAD_PORT = 4190; // on undici's list of bad ports
const METRICS_TOKEN = 'metrics-token-for-the-scraper';

describe('health and metrics', () => {
  let backend: http.Server;
  let gw: TestGateway;
  let user: { token: string };

  before(async () => {
    // Stands in for a build backend on a "bad" port: it answers its /healthz as Portico's does.
    backend = http.createServer((req, res) => {
      if (req.url === '/healthz') res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok","activeBuilds":3}');
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve, reject) => backend.once('error', reject).listen(BAD_PORT, '127.0.0.1', () => resolve()));
    gw = await startGateway({ BUILD_BACKEND_URL: `ws://127.0.0.1:${BAD_PORT}`, METRICS_TOKEN });
    user = await gw.createUser('curious');
  });
  after(async () => {
    await gw.close();
    await new Promise((r) => backend.close(r));
  });

  test(`a live build backend on port ${BAD_PORT} is reported reachable`, async () => {
    const r = await gw.api('GET', '/api/admin/health', { token: gw.adminToken });
    assert.equal(r.status, 200);
    assert.equal(r.body.upstreams.build.reachable, true, JSON.stringify(r.body.upstreams.build));
    assert.equal(r.body.activeBuilds, 3);
  });

  test('the public /healthz says ok and nothing else', async () => {
    const r = await gw.api('GET', '/healthz');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { status: 'ok' });
  });

  test('the details are for admins only', async () => {
    assert.equal((await gw.api('GET', '/api/admin/health')).status, 401);
    assert.equal((await gw.api('GET', '/api/admin/health', { token: user.token })).status, 403);
  });

  test('/metrics wants an admin or METRICS_TOKEN', async () => {
    const get = (authorization?: string) => fetch(`${gw.url}/metrics`, { headers: authorization ? { authorization } : {} });
    assert.equal((await get()).status, 401);
    assert.equal((await get(`Bearer ${user.token}`)).status, 403);
    assert.equal((await get('Bearer not-the-metrics-token')).status, 401);
    for (const ok of [`Bearer ${METRICS_TOKEN}`, `Bearer ${gw.adminToken}`]) {
      const res = await get(ok);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /portico_upgrades_total/);
    }
  });
});
