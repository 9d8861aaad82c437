import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { closed, opened } from './helpers/gateway';
import { startServer, type ServerProcess } from './helpers/server-process';
import { WebSocket } from 'ws';

// Next and the upgrade router in one process: Next must never see (and end) our sockets, and its own
// `/_next/` upgrades must still reach it.

async function login(url: string) {
  const r = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'admin-password-1' }) });
  return ((await r.json()) as { token: string }).token;
}

describe('production: a socket route next to a Next route handler of the same path', () => {
  let server: ServerProcess;
  before(async () => {
    server = await startServer({ NODE_ENV: 'production', JWT_SECRET: randomBytes(48).toString('base64url'), ADMIN_PASSWORD: 'admin-password-1' });
  });
  after(() => server.stop());

  test('GET /api/events is answered by the Next route handler, and an upgrade there survives', async () => {
    // This request is Next's first: it is when Next attaches its own upgrade listener.
    const page = await fetch(`${server.url}/api/events`);
    assert.equal(page.status, 426);
    assert.equal(((await page.json()) as { error: { code: string } }).error.code, 'upgrade_required');
    const login_page = await fetch(`${server.url}/login`);
    assert.equal(login_page.status, 200);

    const token = await login(server.url);
    const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/api/events?token=${token}`);
    await opened(ws);
    const answers: unknown[] = [];
    ws.on('message', (d) => answers.push(JSON.parse(d.toString())));
    ws.send(JSON.stringify({ type: 'subscribe', topic: 'sessions' }));
    // Next's listener would have ended the socket at once; after a second it must still be open.
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(ws.readyState, WebSocket.OPEN);
    assert.deepEqual(answers, [{ type: 'subscribed', topic: 'sessions', seq: 0 }]);
    ws.close();
    assert.equal((await closed(ws)).code, 1005);
  });

  test('a /_next/ upgrade in production gets 404 at once, never left hanging', async () => {
    const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/_next/hmr`);
    const started = Date.now();
    assert.equal((await closed(ws)).status, 404);
    assert.ok(Date.now() - started < 2000);
  });
});

describe('dev mode', () => {
  let server: ServerProcess;
  before(async () => {
    server = await startServer({ NODE_ENV: 'development', ADMIN_PASSWORD: 'admin-password-1' }, ['--dev'], 120_000);
  });
  after(() => server.stop());

  test('HMR at /_next/hmr is handed to Next and answers', { timeout: 180_000 }, async () => {
    // The first page request compiles it and makes Next attach its upgrade listener.
    const page = await fetch(`${server.url}/login`);
    assert.equal(page.status, 200);
    // As a browser on http://localhost:<port> would open it (Next's dev server trusts localhost).
    const local = server.url.replace('127.0.0.1', 'localhost');
    const ws = new WebSocket(`${local.replace(/^http/, 'ws')}/_next/hmr`, { headers: { origin: local } });
    await opened(ws);
    const first = await new Promise<string>((resolve) => ws.once('message', (d) => resolve(d.toString())));
    assert.ok(first.length > 0);
    ws.close();
    await closed(ws);
  });
});
