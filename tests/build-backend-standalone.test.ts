import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { freePort, waitForPort } from '../lib/net/ports';
import { opened, startGateway } from './helpers/gateway';
import { buildWatcher } from './helpers/build-client';

// `npm run backend`: the build backend as a process of its own, and the gateway reaching it through
// BUILD_BACKEND_URL with the same DATA_DIR and JWT_SECRET.

const ROOT = path.resolve(__dirname, '..');

test('a gateway builds through a build backend that runs alone', async () => {
  const secret = randomBytes(48).toString('base64url');
  const port = await freePort();
  // The gateway first: it creates the store (and its admin) the backend then shares (the same DATA_DIR, and
  // the same database when the suite runs on Postgres).
  const gw = await startGateway({ JWT_SECRET: secret, BUILD_BACKEND_URL: `ws://127.0.0.1:${port}` });
  const backend = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'backend.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, NODE_ENV: 'production', DATA_DIR: gw.portico.config.dataDir, DATABASE_URL: gw.portico.config.databaseUrl ?? '', JWT_SECRET: secret, BUILD_BACKEND_PORT: String(port), LLM_PROVIDER: 'offline', OFFLINE_STREAM_DELAY_MS: '0', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  backend.stdout.on('data', (d) => (out += d));
  backend.stderr.on('data', (d) => (out += d));
  try {
    await waitForPort(port, { timeoutMs: 15_000, gaveUp: () => (backend.exitCode !== null ? `the backend exited: ${out}` : null) });
    // The port can accept before the line printed after listen() has come through the pipe.
    const ready = /Portico build backend ready on ws:\/\/127\.0\.0\.1:\d+/;
    for (const until = Date.now() + 5000; !ready.test(out) && Date.now() < until; ) await new Promise((r) => setTimeout(r, 20));
    assert.match(out, ready);
    const { id } = await gw.createProject(gw.adminToken);
    const ws = gw.open(`/api/build/${id}?token=${gw.adminToken}`);
    const w = buildWatcher(ws);
    await opened(ws);
    ws.send(JSON.stringify({ type: 'start', prompt: 'a counter' }));
    await w.until(() => Boolean(w.done()), 15_000);
    assert.equal(w.done()!.status, 'succeeded');
    // Start over plain HTTP reaches the standalone backend the same way, and that build runs to the end.
    const started = await gw.api('POST', `/api/projects/${id}/builds`, { token: gw.adminToken, body: { prompt: 'a timer' } });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const sse = await fetch(`${gw.url}/api/build/${id}/events?build=${started.body.build.id}`, { headers: { authorization: `Bearer ${gw.adminToken}` } });
    assert.match(await sse.text(), /"type":"done","status":"succeeded"/);
    const health = await gw.api('GET', '/api/admin/health', { token: gw.adminToken });
    assert.equal(health.body.upstreams.build.reachable, true);
    assert.equal(health.body.activeBuilds, 0);
    ws.close();
    // The backend stops cleanly on SIGTERM.
    const exited = new Promise<number | null>((r) => backend.once('exit', (code) => r(code)));
    backend.kill('SIGTERM');
    assert.equal(await exited, 0, out);
  } finally {
    if (backend.exitCode === null) backend.kill('SIGKILL');
    await gw.close();
  }
});
