import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { startRedisServer } from '../lib/engines/redis-server';
import { closed, opened, startGateway } from './helpers/gateway';
import { buildWatcher } from './helpers/build-client';

// A gateway whose Redis does not answer when it starts: it starts anyway (pages, API and sockets do not
// need Redis), refuses builds with 503 and the sentence meanwhile, and takes them once Redis is back,
// without a restart.

test('a gateway started while Redis does not answer serves, refuses builds with 503, and recovers when Redis is back', async (t) => {
  const redis = await startRedisServer();
  t.after(() => redis.close());
  redis.pause();
  let resumed = false;
  t.after(() => {
    if (!resumed) redis.resume();
  });
  const gw = await startGateway({ REDIS_URL: redis.url, JWT_SECRET: randomBytes(48).toString('base64url') }, { role: 'gateway' });
  t.after(() => gw.close());
  const { id } = await gw.createProject(gw.adminToken, 'outage');
  const t0 = Date.now();
  const refused = await gw.api('POST', `/api/projects/${id}/builds`, { token: gw.adminToken, body: { prompt: 'a counter' } });
  assert.equal(refused.status, 503, JSON.stringify(refused.body));
  assert.equal(refused.body.error.message, 'The build queue is unreachable right now, so builds cannot be started or cancelled; try again in a moment.');
  assert.ok(Date.now() - t0 < 5000, `the refusal took ${Date.now() - t0} ms`);

  // The socket says the same, as 1013 errors on a socket that stays open.
  const ws = gw.open(`/api/build/${id}?token=${gw.adminToken}`);
  const w = buildWatcher(ws);
  await opened(ws);
  ws.send(JSON.stringify({ type: 'start', prompt: 'a counter' }));
  ws.send(JSON.stringify({ type: 'cancel' }));
  await w.until(() => w.messages.filter((m) => m.type === 'error').length === 2);
  for (const m of w.messages.filter((m) => m.type === 'error')) assert.deepEqual(m, { type: 'error', code: 1013, reason: 'build_queue_unavailable', message: refused.body.error.message });
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
  assert.match(history.body[0].summary, /^Cancelled by admin\.$/);
});
