import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import { ADMIN, closed, opened, startGateway, type TestGateway } from './helpers/gateway';
import { hubReader } from './helpers/hub-client';
import { jsonApi } from './helpers/json-api';
import { startHaproxy } from './helpers/haproxy';

// The shipped deploy/haproxy.cfg in front of two gateways that share one store (one DATA_DIR here; one
// Postgres in production): sign-in, API and sockets pass through it from either gateway, the Origin check
// passes on the host the browser used, and a draining gateway leaves the rotation while the other takes
// every new socket.

test('two gateways behind HAProxy: sockets through either, Origin checked on the forwarded host, a draining gateway leaves the rotation', async (t) => {
  const shared = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-ha-'));
  // One store for both, the way they share Postgres in production; the first one creates it.
  const env = { DATA_DIR: shared, TRUSTED_PROXIES: '127.0.0.1', VNC_PROVIDER: 'external' };
  const a: TestGateway = await startGateway(env);
  const b: TestGateway = await startGateway(env);
  const ha = await startHaproxy([a, b].map((g) => ({ port: g.portico.port, previewPort: g.portico.preview.port })));
  t.after(async () => {
    await ha.close();
    await a.close().catch(() => undefined);
    await b.close().catch(() => undefined);
    fs.rmSync(shared, { recursive: true, force: true });
  });

  const api = jsonApi(ha.url);
  const login = await api('POST', '/api/auth/login', { body: ADMIN });
  assert.equal(login.status, 200);
  const token = login.body.token as string;
  const origin = ha.url;
  const hubThroughHa = () => new WebSocket(`${ha.url.replace('http', 'ws')}/api/events?token=${encodeURIComponent(token)}`, { origin });

  // A browser page served through HAProxy opens its sockets with HAProxy's origin: both gateways accept it.
  const sockets: WebSocket[] = [];
  for (let i = 0; i < 6; i++) {
    const ws = hubThroughHa();
    await opened(ws);
    sockets.push(ws);
  }
  const held = () => [a, b].map((g) => g.portico.registry.byRoute().events ?? 0);
  assert.deepEqual(held().sort(), [3, 3], `leastconn spreads sockets over both gateways (${held()})`);
  const reader = hubReader(sockets[0]);
  sockets[0].send(JSON.stringify({ type: 'subscribe', topic: 'system' }));
  await reader.until((m) => m.type === 'subscribed' || m.type === 'event');

  // A foreign page is refused whichever gateway answers.
  const foreign = new WebSocket(`${ha.url.replace('http', 'ws')}/api/events?token=${encodeURIComponent(token)}`, { origin: 'https://evil.example' });
  assert.equal((await closed(foreign)).code, 4403);

  // Gateway A drains (what SIGTERM starts): its /healthz says 503, HAProxy takes it out within
  // inter × fall (4 s), and every new socket lands on B.
  a.portico.drain();
  const drainedAt = Date.now();
  const aSockets = held()[0];
  while (!/gw1 is DOWN/.test(ha.output())) {
    assert.ok(Date.now() - drainedAt < 10_000, `HAProxy did not take the draining gateway out within 10 s:\n${ha.output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.match(ha.output(), /gw1 is DOWN.*Layer7 wrong status.*503/, 'taken out on its /healthz answer');
  const more = await Promise.all(
    [0, 1, 2, 3, 4, 5].map(async () => {
      const w = hubThroughHa();
      await opened(w);
      return w;
    }),
  );
  assert.equal(held()[0], aSockets, 'no new socket reaches the draining gateway');
  assert.equal(held()[1], 3 + more.length, 'every new one is on the other');
  for (const w of more) w.close();
  // The sockets A still holds were left open by the drain (close() sends them 1001 when it stops).
  assert.equal(aSockets, 3);
  // The preview frontend balances over both gateways' preview ports, checked the same way.
  assert.equal((await fetch(`${ha.previewUrl}/healthz`)).status, 200);
  assert.equal((await fetch(`${ha.previewUrl}/p/not-a-token/`)).status, 401);
  for (const ws of sockets) ws.close();
  assert.match(ha.output(), /"GET" "\/api\/events"/, 'HAProxy logs the path without its query');
  assert.doesNotMatch(ha.output(), /token=/, 'and never the token');
});
