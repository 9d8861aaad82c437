import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { WebSocket } from 'ws';
import { startRedisServer, type RedisServer } from '../lib/engines/redis-server';
import { closed, opened, startGateway, type TestGateway } from './helpers/gateway';
import { hubReader } from './helpers/hub-client';

// Two gateways on one Redis (REDIS_URL) and one store (a shared DATA_DIR): the hub's topics and the socket
// limits span both, and both ride out a paused and a restarted Redis (design.md "Scale-out").

const EMIT = 'emit-token-for-redis-tests';
const PER_USER = 3;

describe('two gateways on one Redis', () => {
  let redis: RedisServer;
  let dataDir: string;
  let a: TestGateway;
  let b: TestGateway;
  let user: { id: string; token: string };
  let topic: string;
  const sockets: WebSocket[] = [];

  before(async () => {
    redis = await startRedisServer();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-shared-'));
    const env = { REDIS_URL: redis.url, DATA_DIR: dataDir, JWT_SECRET: crypto.randomBytes(32).toString('base64url'), EMIT_TOKEN: EMIT, MAX_SOCKETS_PER_USER: String(PER_USER) };
    a = await startGateway(env);
    b = await startGateway(env);
    user = await a.createUser('roamer');
    topic = `project:${(await a.createProject(user.token)).id}:files`;
  });
  after(async () => {
    for (const ws of sockets) ws.terminate();
    await a?.close();
    await b?.close();
    await redis?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const emit = (gw: TestGateway, data: unknown) => gw.api('POST', '/api/emit', { headers: { authorization: `Bearer ${EMIT}` }, body: { topic, data } });

  async function subscriber(gw: TestGateway, cursor: { epoch?: string; afterSeq?: number } = {}) {
    const ws = gw.open(`/api/events?token=${user.token}`);
    sockets.push(ws);
    const hub = hubReader(ws);
    await opened(ws);
    ws.send(JSON.stringify({ type: 'subscribe', topic, ...cursor }));
    const first = await hub.until((m) => m.topic === topic && (m.type === 'subscribed' || m.type === 'resync' || m.type === 'error'));
    return { ws, hub, first };
  }

  /** Closes and waits, so the slot is given back before the next test counts. */
  const shut = (...wss: WebSocket[]) => Promise.all(wss.map((ws) => (ws.close(), closed(ws))));
  const eventsOf = (hub: ReturnType<typeof hubReader>) => hub.seen.filter((m) => m.type === 'event');

  test('an event emitted through A reaches subscribers on A and B with the same epoch and seq', async () => {
    const onA = await subscriber(a);
    const onB = await subscriber(b);
    assert.equal(onB.first.type, 'subscribed');
    assert.equal(onA.first.epoch, onB.first.epoch);
    assert.equal((await emit(a, { path: 'index.html' })).status, 202);
    const [ea, eb] = await Promise.all([onA.hub.until((m) => m.type === 'event'), onB.hub.until((m) => m.type === 'event')]);
    assert.deepEqual(eb, ea);
    assert.deepEqual(eb.data, { path: 'index.html' });
    assert.equal(eb.seq, (onB.first.seq as number) + 1);
    await shut(onA.ws, onB.ws);
  });

  test('a subscriber that leaves A resumes on B from its cursor: no gap, no duplicate; a foreign epoch is told resync', async () => {
    const onA = await subscriber(a);
    assert.equal((await emit(a, { n: 1 })).status, 202);
    const seen = await onA.hub.until((m) => m.type === 'event' && (m.data as { n?: number }).n === 1);
    await shut(onA.ws);
    for (const n of [2, 3]) assert.equal((await emit(b, { n })).status, 202);
    const onB = await subscriber(b, { epoch: seen.epoch as string, afterSeq: seen.seq as number });
    assert.deepEqual(onB.first, { type: 'subscribed', topic, epoch: seen.epoch, seq: seen.seq });
    await onB.hub.until(() => eventsOf(onB.hub).length === 2);
    assert.deepEqual(eventsOf(onB.hub).map((m) => [m.seq, (m.data as { n: number }).n]), [[(seen.seq as number) + 1, 2], [(seen.seq as number) + 2, 3]]);
    await shut(onB.ws);
    const stranger = await subscriber(a, { epoch: 'not-this-epoch', afterSeq: 1 });
    assert.equal(stranger.first.type, 'resync');
    assert.equal(stranger.first.epoch, seen.epoch);
    await shut(stranger.ws);
  });

  test(`${PER_USER + 1} sockets of one user split across A and B: exactly one 4429, and a closed one frees its slot anywhere`, async () => {
    const all = [a, a, b, b].map((gw) => gw.open(`/api/events?token=${user.token}`));
    sockets.push(...all);
    const outcomes = await Promise.all(all.map((ws) => Promise.race([opened(ws).then(() => new Promise((r) => setTimeout(r, 300))).then(() => 'open'), closed(ws).then((c) => c.code)])));
    const refused = outcomes.filter((o) => o === 4429);
    assert.equal(refused.length, 1, JSON.stringify(outcomes));
    const still = all.filter((_, i) => outcomes[i] === 'open');
    still[0].close();
    await closed(still[0]);
    const again = b.open(`/api/events?token=${user.token}`);
    sockets.push(again);
    await opened(again);
    const code = await Promise.race([closed(again).then((c) => c.code), new Promise((r) => setTimeout(() => r('open'), 500))]);
    assert.equal(code, 'open');
    await shut(...still.slice(1), again);
  });

  test('Redis paused for 5 s: open sockets stay open, an emit gets 503 and a new socket 1013; after SIGCONT both work', async () => {
    const onB = await subscriber(b);
    let closedEarly = false;
    onB.ws.once('close', () => (closedEarly = true));
    const pausedAt = Date.now();
    redis.pause();
    try {
      const refusedEmit = await emit(a, { during: 'pause' });
      assert.equal(refusedEmit.status, 503, JSON.stringify(refusedEmit.body));
      const late = a.open(`/api/events?token=${user.token}`);
      sockets.push(late);
      assert.equal((await closed(late)).code, 1013);
      await new Promise((r) => setTimeout(r, Math.max(0, 5000 - (Date.now() - pausedAt))));
    } finally {
      redis.resume();
    }
    assert.equal((await emit(a, { after: 'pause' })).status, 202);
    const got = await onB.hub.until((m) => m.type === 'event' && (m.data as { after?: string }).after === 'pause');
    // The refused publish was not delivered late: the event after the pause follows the last one seen.
    assert.equal(eventsOf(onB.hub).some((m) => (m.data as { during?: string }).during), false);
    assert.equal(got.seq, (onB.first.seq as number) + 1);
    assert.equal(closedEarly, false);
    const fresh = a.open(`/api/events?token=${user.token}`);
    sockets.push(fresh);
    await opened(fresh);
    await shut(fresh, onB.ws);
  });

  test('Redis restarted: sockets stay open, subscribers are told resync, and publishing resumes in a new epoch', async () => {
    const onB = await subscriber(b);
    let closedEarly = false;
    onB.ws.once('close', () => (closedEarly = true));
    await redis.restart();
    const resync = await onB.hub.until((m) => m.type === 'resync', 10_000);
    assert.notEqual(resync.epoch, onB.first.epoch);
    let status = 0;
    for (const until = Date.now() + 10_000; status !== 202 && Date.now() < until; ) {
      status = (await emit(a, { after: 'restart' })).status;
      if (status !== 202) await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(status, 202);
    const got = await onB.hub.until((m) => m.type === 'event' && (m.data as { after?: string }).after === 'restart');
    assert.equal(got.epoch, resync.epoch);
    assert.equal(closedEarly, false);
    await shut(onB.ws);
  });
});
