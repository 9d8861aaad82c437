import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { WebSocket } from 'ws';
import { startRedisServer, type RedisServer } from '../lib/engines/redis-server';
import type { BuildEvent } from '../lib/protocol/build';
import { opened, closed, startGateway, type TestGateway } from './helpers/gateway';
import { buildWatcher } from './helpers/build-client';
import { workerPool } from './helpers/build-workers';
import { hubReader } from './helpers/hub-client';
import { projectBuildsTopic } from '../lib/protocol/topics';
import { testDatabaseFor } from './helpers/test-database';

// Builds out of the gateway (REDIS_URL): two gateways (`npm run gateway`'s role: no builds of their
// own) on one store and one Redis, builds on `npm run worker` processes. A build started through A is
// watched through B; a worker killed mid-build is replaced; cancel reaches the worker from anywhere;
// Redis restarting mid-build loses no event. Two gateways share one SQLite file here (one machine);
// with DATABASE_URL they share Postgres the same way.

let redis: RedisServer;
let dataDir: string;
let a: TestGateway;
let b: TestGateway;
let owner: { token: string };
// Under PORTICO_TEST_ENGINES with Postgres, the store the gateways and workers share is one database.
let store: Record<string, string> = {};
const secret = randomBytes(48).toString('base64url');
// Lock of 1 s: a killed worker's build is retried within about 2 s.
const shared = () => ({ DATA_DIR: dataDir, ...store, REDIS_URL: redis.url, BUILD_JOB_LOCK_MS: '1000', BUILD_JOB_ATTEMPTS: '3' });
const workers = workerPool({});

before(async () => {
  redis = await startRedisServer();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-queue-'));
  store = await testDatabaseFor(dataDir);
  a = await startGateway({ ...shared(), JWT_SECRET: secret }, { role: 'gateway' });
  b = await startGateway({ ...shared(), JWT_SECRET: secret }, { role: 'gateway' });
  owner = await a.createUser('queue-owner');
});

after(async () => {
  await workers.killAll();
  await a?.close();
  await b?.close();
  await redis?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function startWorker(extra: Record<string, string> = {}) {
  return workers.start({ ...shared(), OFFLINE_STREAM_DELAY_MS: '20', ...extra });
}

async function startBuild(gw: TestGateway, projectId: string, prompt: string): Promise<string> {
  const r = await gw.api('POST', `/api/projects/${projectId}/builds`, { token: owner.token, body: { prompt } });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  return r.body.build.id;
}

async function watch(gw: TestGateway, projectId: string, buildId: string) {
  const ws: WebSocket = gw.open(`/api/build/${projectId}?token=${owner.token}&build=${buildId}`);
  const w = buildWatcher(ws);
  await opened(ws);
  return { ws, w, async close() {
    ws.close();
    await closed(ws);
  } };
}

/** Every seq once, from 1, with no hole. */
function assertContiguous(events: BuildEvent[]) {
  const seqs = events.map((e) => e.seq);
  assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => i + 1), `seqs: ${seqs.join(',')}`);
}

const logTexts = (events: BuildEvent[]) => events.flatMap((e) => (e.type === 'log' ? [e.text] : []));

describe('builds on workers (REDIS_URL)', () => {
  test('a build started through gateway A runs on a worker and is watched through gateway B, every event once', async () => {
    const w1 = await startWorker();
    try {
      const { id } = await a.createProject(owner.token, 'watched');
      // B's hub hears of the build's start and end, which happen on the worker.
      const hubWs = b.open(`/api/events?token=${owner.token}`);
      const hub = hubReader(hubWs);
      await opened(hubWs);
      hubWs.send(JSON.stringify({ type: 'subscribe', topic: projectBuildsTopic(id) }));
      await hub.until((m) => m.type === 'subscribed');
      const buildId = await startBuild(a, id, 'a counter');
      const onB = await watch(b, id, buildId);
      await onB.w.until(() => Boolean(onB.w.done()), 30_000);
      assert.equal(onB.w.done()!.status, 'succeeded');
      assertContiguous(onB.w.events());
      // Server-Sent Events through A tell the same story.
      const sse = await fetch(`${a.url}/api/build/${id}/events?build=${buildId}`, { headers: { authorization: `Bearer ${owner.token}` } });
      const ids = [...(await sse.text()).matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
      assert.deepEqual(ids, onB.w.events().map((e) => e.seq));
      const history = await b.api('GET', `/api/projects/${id}/builds`, { token: owner.token });
      assert.equal(history.body[0].status, 'succeeded');
      for (const status of ['running', 'succeeded']) await hub.until((m) => m.type === 'event' && (m.data as { buildId: string; status: string }).status === status && (m.data as { buildId: string }).buildId === buildId);
      // Once each, though two gateways share the bus: the worker tells the bus, not each gateway's hub.
      await new Promise((r) => setTimeout(r, 300));
      const changes = hub.seen.filter((m) => m.type === 'event' && (m.data as { buildId: string }).buildId === buildId).map((m) => (m.data as { status: string }).status);
      assert.deepEqual(changes, ['running', 'succeeded']);
      hubWs.close();
      await onB.close();
    } finally {
      await w1.kill('SIGTERM');
    }
  });

  test('a worker killed mid-build: another worker retries it, the log says so, and the seqs go on with no hole or duplicate', async () => {
    const w1 = await startWorker();
    const { id } = await a.createProject(owner.token, 'killed');
    const buildId = await startBuild(a, id, 'a to-do list');
    const onB = await watch(b, id, buildId);
    await onB.w.until(() => onB.w.events().some((e) => e.type === 'output'), 20_000);
    await w1.kill('SIGKILL');
    const w2 = await startWorker();
    try {
      await onB.w.until(() => Boolean(onB.w.done()), 40_000);
      const events = onB.w.events();
      assertContiguous(events);
      assert.ok(logTexts(events).includes('The worker running this build was lost; retrying on another worker (attempt 2 of 3).'), logTexts(events).join('\n'));
      assert.equal(onB.w.done()!.status, 'succeeded');
      // A client that reconnects afterwards replays the same events from the store.
      const again = await watch(a, id, buildId);
      await again.w.until(() => Boolean(again.w.done()));
      assert.deepEqual(again.w.events(), events);
      await again.close();
      await onB.close();
    } finally {
      await w2.kill('SIGTERM');
    }
  });

  test('a worker stopped (SIGTERM) mid-build hands the build to another worker, which finishes it', async () => {
    const w1 = await startWorker();
    const { id } = await a.createProject(owner.token, 'handed-over');
    const buildId = await startBuild(a, id, 'a dashboard with a chart');
    const onB = await watch(b, id, buildId);
    await onB.w.until(() => onB.w.events().some((e) => e.type === 'output'), 20_000);
    const exited = new Promise<number | null>((r) => w1.child.once('exit', (code) => r(code)));
    w1.child.kill('SIGTERM');
    assert.equal(await exited, 0, w1.output());
    const w2 = await startWorker();
    try {
      await onB.w.until(() => Boolean(onB.w.done()), 30_000);
      const events = onB.w.events();
      assertContiguous(events);
      assert.ok(logTexts(events).includes('The worker running this build is stopping; another worker takes it over.'), logTexts(events).join('\n'));
      assert.equal(onB.w.done()!.status, 'succeeded');
      await onB.close();
    } finally {
      await w2.kill('SIGTERM');
    }
  });

  test('a build whose worker is lost on every attempt ends failed, saying so', async () => {
    const attempts = { BUILD_JOB_ATTEMPTS: '2' };
    const { id } = await a.createProject(owner.token, 'exhausted');
    const w1 = await startWorker(attempts);
    const buildId = await startBuild(a, id, 'a timer');
    const onB = await watch(b, id, buildId);
    await onB.w.until(() => onB.w.events().some((e) => e.type === 'output'), 20_000);
    await w1.kill('SIGKILL');
    const w2 = await startWorker(attempts);
    const retried = () => onB.w.events().findIndex((e) => e.type === 'log' && /attempt 2 of 2/.test(e.text));
    await onB.w.until(() => retried() >= 0 && onB.w.events().slice(retried()).some((e) => e.type === 'output'), 20_000);
    await w2.kill('SIGKILL');
    const w3 = await startWorker(attempts);
    try {
      await onB.w.until(() => Boolean(onB.w.done()), 20_000);
      const done = onB.w.done()!;
      assert.equal(done.status, 'failed');
      assert.match(done.summary, /^The worker running this build was lost on each of its 2 attempts, so the build failed\.$/);
      assertContiguous(onB.w.events());
      const history = await a.api('GET', `/api/projects/${id}/builds`, { token: owner.token });
      assert.equal(history.body[0].status, 'failed');
      // The project is free again: the next build starts.
      const next = await a.api('POST', `/api/projects/${id}/builds`, { token: owner.token, body: { prompt: 'a timer' } });
      assert.equal(next.status, 202, JSON.stringify(next.body));
      const onNext = await watch(b, id, next.body.build.id);
      await onNext.w.until(() => Boolean(onNext.w.done()), 30_000);
      await onNext.close();
      await onB.close();
    } finally {
      await w3.kill('SIGTERM');
    }
  });

  test('cancel from gateway B stops the build on the worker that runs it; a second start meanwhile is refused', async () => {
    const w1 = await startWorker();
    try {
      const { id } = await a.createProject(owner.token, 'cancelled');
      const onA = a.open(`/api/build/${id}?token=${owner.token}`);
      const wa = buildWatcher(onA);
      await opened(onA);
      onA.send(JSON.stringify({ type: 'start', prompt: 'a notes page' }));
      await wa.until(() => wa.events().some((e) => e.type === 'output'), 20_000);
      const conflict = await b.api('POST', `/api/projects/${id}/builds`, { token: owner.token, body: { prompt: 'again' } });
      assert.equal(conflict.status, 409);
      assert.equal(conflict.body.error.buildId, wa.events()[0].buildId);
      const onB = b.open(`/api/build/${id}?token=${owner.token}`);
      const wb = buildWatcher(onB);
      await opened(onB);
      const t0 = Date.now();
      onB.send(JSON.stringify({ type: 'cancel' }));
      await wa.until(() => Boolean(wa.done()), 10_000);
      assert.ok(Date.now() - t0 < 2000, `cancel took ${Date.now() - t0} ms`);
      assert.equal(wa.done()!.status, 'cancelled');
      assert.match(wa.done()!.summary, /Cancelled by queue-owner/);
      assertContiguous(wa.events());
      await wb.until(() => Boolean(wb.done()));
      onA.close();
      onB.close();
    } finally {
      await w1.kill('SIGTERM');
    }
  });

  test('Redis restarted mid-build: the follower on another gateway still gets every event once', async () => {
    const w1 = await startWorker();
    try {
      const { id } = await a.createProject(owner.token, 'restarted');
      const buildId = await startBuild(a, id, 'a calculator');
      const onB = await watch(b, id, buildId);
      await onB.w.until(() => onB.w.events().some((e) => e.type === 'output'), 20_000);
      await redis.restart();
      await onB.w.until(() => Boolean(onB.w.done()), 30_000);
      assertContiguous(onB.w.events());
      assert.equal(onB.w.done()!.status, 'succeeded');
      await onB.close();
    } finally {
      await w1.kill('SIGTERM');
    }
  });

  test('Redis paused mid-build: a start meanwhile is refused with 503 and a sentence, and the follower misses nothing', async () => {
    // A hold far longer than the pause: the pause alone must not cost the worker its build.
    const w1 = await startWorker({ BUILD_JOB_LOCK_MS: '30000' });
    try {
      const { id } = await a.createProject(owner.token, 'paused');
      const { id: other } = await a.createProject(owner.token, 'paused-other');
      const buildId = await startBuild(a, id, 'a gallery of cards');
      const onB = await watch(b, id, buildId);
      await onB.w.until(() => onB.w.events().some((e) => e.type === 'output'), 20_000);
      redis.pause();
      let refused;
      try {
        const t0 = Date.now();
        refused = await a.api('POST', `/api/projects/${other}/builds`, { token: owner.token, body: { prompt: 'a counter' } });
        assert.ok(Date.now() - t0 < 5000, `the refusal took ${Date.now() - t0} ms`);
      } finally {
        redis.resume();
      }
      assert.equal(refused.status, 503, JSON.stringify(refused.body));
      assert.match(refused.body.error.message, /The build queue is unreachable/);
      await onB.w.until(() => Boolean(onB.w.done()), 30_000);
      assertContiguous(onB.w.events());
      assert.equal(onB.w.done()!.status, 'succeeded');
      // Redis is back: the next start goes through.
      const next = await a.api('POST', `/api/projects/${other}/builds`, { token: owner.token, body: { prompt: 'a counter' } });
      assert.equal(next.status, 202, JSON.stringify(next.body));
      const onNext = await watch(b, other, next.body.build.id);
      await onNext.w.until(() => Boolean(onNext.w.done()), 30_000);
      await onNext.close();
      await onB.close();
    } finally {
      await w1.kill('SIGTERM');
    }
  });

  test("npm start's one process with REDIS_URL runs builds on a worker of its own, and stops it cleanly", async () => {
    const all = await startGateway({ ...shared(), JWT_SECRET: secret, OFFLINE_STREAM_DELAY_MS: '0' });
    try {
      const { id } = await all.createProject(owner.token, 'one-process');
      const buildId = await startBuild(all, id, 'a unit converter');
      const onB = await watch(b, id, buildId);
      await onB.w.until(() => Boolean(onB.w.done()), 30_000);
      assert.equal(onB.w.done()!.status, 'succeeded');
      assertContiguous(onB.w.events());
      await onB.close();
    } finally {
      await all.close();
    }
  });
});
