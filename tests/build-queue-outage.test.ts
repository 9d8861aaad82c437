import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { startRedisServer } from '../lib/engines/redis-server';
import { closed, opened, startGateway } from './helpers/gateway';
import { buildWatcher } from './helpers/build-client';
import { testStore } from './helpers/test-database';

// A gateway whose Redis does not answer when it starts exits with a sentence that names the server: its
// hub and socket limits live there (lib/server/shared-state.ts), so it would be half a gateway; its
// supervisor starts it again (deploy/systemd). Once running, an outage is refused meanwhile, never fatal
// (the tests below).

test('a gateway started while Redis does not answer stops with a sentence naming Redis', async (t) => {
  const redis = await startRedisServer();
  t.after(() => redis.close());
  redis.pause();
  t.after(() => redis.resume());
  // The store is ready first (on Postgres, its start-up is not what is timed here).
  const store = await testStore();
  const t0 = Date.now();
  await assert.rejects(
    startGateway({ ...store, REDIS_URL: redis.url, JWT_SECRET: randomBytes(48).toString('base64url') }, { role: 'gateway' }),
    (err: Error) => {
      assert.match(err.message, new RegExp(`^Redis at 127\\.0\\.0\\.1:${redis.port} did not answer within 10 s`));
      assert.doesNotMatch(err.message, new RegExp(decodeURIComponent(new URL(redis.url).password)), 'never the password');
      return true;
    },
  );
  assert.ok(Date.now() - t0 < 15_000, `gave up after ${Date.now() - t0} ms`);
});

test('Redis paused under a running gateway: builds refused with 503 and 1013 and a sentence, taken again once it is back', async (t) => {
  const redis = await startRedisServer();
  t.after(() => redis.close());
  const gw = await startGateway({ REDIS_URL: redis.url, JWT_SECRET: randomBytes(48).toString('base64url') }, { role: 'gateway' });
  t.after(() => gw.close());
  const { id } = await gw.createProject(gw.adminToken, 'outage');
  const ws = gw.open(`/api/build/${id}?token=${gw.adminToken}`);
  const w = buildWatcher(ws);
  await opened(ws);
  redis.pause();
  let resumed = false;
  t.after(() => {
    if (!resumed) redis.resume();
  });
  const t0 = Date.now();
  const refused = await gw.api('POST', `/api/projects/${id}/builds`, { token: gw.adminToken, body: { prompt: 'a counter' } });
  assert.equal(refused.status, 503, JSON.stringify(refused.body));
  assert.equal(refused.body.error.message, 'The build queue is unreachable right now, so builds cannot be started or cancelled; try again in a moment.');
  assert.ok(Date.now() - t0 < 5000, `the refusal took ${Date.now() - t0} ms`);

  // The open socket says the same, as 1013 errors, and stays open.
  ws.send(JSON.stringify({ type: 'start', prompt: 'a counter' }));
  ws.send(JSON.stringify({ type: 'cancel' }));
  await w.until(() => w.messages.filter((m) => m.type === 'error').length === 2, 15_000);
  for (const m of w.messages.filter((m) => m.type === 'error')) assert.deepEqual(m, { type: 'error', code: 1013, reason: 'build_queue_unavailable', message: refused.body.error.message });
  assert.equal(ws.readyState, ws.OPEN);
  ws.close();
  await closed(ws);

  redis.resume();
  resumed = true;
  let started = refused;
  for (const until = Date.now() + 15_000; started.status !== 202 && Date.now() < until; ) {
    await new Promise((r) => setTimeout(r, 200));
    started = await gw.api('POST', `/api/projects/${id}/builds`, { token: gw.adminToken, body: { prompt: 'a counter' } });
  }
  assert.equal(started.status, 202, JSON.stringify(started.body));
  // No worker runs here: the build waits on the queue, and cancelling takes it off and ends it.
  const cancelled = await gw.api('POST', `/api/projects/${id}/builds/${started.body.build.id}/cancel`, { token: gw.adminToken });
  assert.equal(cancelled.status, 202, JSON.stringify(cancelled.body));
  const history = await gw.api('GET', `/api/projects/${id}/builds`, { token: gw.adminToken });
  assert.equal(history.body[0].status, 'cancelled');
});
