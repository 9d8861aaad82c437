import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { openStore, type Store } from '../store/db';
import { createBuilds } from '../store/builds';
import { createProjects } from '../store/projects';
import { createUsers } from '../store/users';
import { startRedisServer, type RedisServer } from '../engines/redis-server';
import type { BuildEvent } from '../protocol/build';
import { createSqliteEventLog } from './event-log';
import { buildStreamKey, closeRedis, connectRedis, type RedisClient } from './redis-clients';
import { createRedisEventLog, type RedisEventLog } from './redis-event-log';

// The live tail on a Redis Stream, against a real redis-server: two logs on one store stand for two
// processes (one appends, the other follows).

const logger = pino({ level: 'silent' });
let redis: RedisServer;
let store: Store;
let dataDir: string;
const clients: RedisClient[] = [];
const logs: RedisEventLog[] = [];

async function newLog(opts: { checkMs?: number } = {}): Promise<{ log: RedisEventLog; client: RedisClient }> {
  const client = await connectRedis(redis.url, { name: 'test', logger, offlineQueue: false });
  clients.push(client);
  const log = createRedisEventLog({ db: store.db, commands: client, logger, ...opts });
  logs.push(log);
  return { log, client };
}

async function newBuild(): Promise<string> {
  const owner = (await createUsers(store.db).create({ username: `u${Math.random()}`, passwordHash: 'x', role: 'user' }))!.id;
  const p = await createProjects(store.db).create(owner, 'p');
  return (await createBuilds(store.db).create({ projectId: p.id, userId: owner, prompt: 'x' })).id;
}

function collect() {
  const got: BuildEvent[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  return {
    got,
    on(e: BuildEvent) {
      got.push(e);
      for (const w of waiters.filter((w) => got.length >= w.n)) w.resolve();
    },
    until(n: number, ms = 10_000): Promise<void> {
      if (got.length >= n) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`got ${got.length} of ${n} events: ${got.map((e) => e.seq).join(',')}`)), ms);
        waiters.push({ n, resolve: () => (clearTimeout(t), resolve()) });
      });
    },
  };
}

const seqs = (events: BuildEvent[]) => events.map((e) => e.seq);
const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const line = (i: number) => ({ type: 'log' as const, level: 'info' as const, text: `line ${i}` });

before(async () => {
  redis = await startRedisServer();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-redis-log-'));
  store = await openStore(dataDir);
});

after(async () => {
  for (const l of logs) await l.close();
  for (const c of clients) await closeRedis(c);
  await store.close();
  await redis.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('createRedisEventLog', () => {
  test('a follower in another process gets the replay and then every live event once, in order', async () => {
    const { log: writer } = await newLog();
    const { log: reader } = await newLog();
    const buildId = await newBuild();
    for (let i = 1; i <= 5; i++) await writer.append(buildId, line(i));
    const c = collect();
    const stop = await reader.follow(buildId, 2, (e) => c.on(e));
    for (let i = 6; i <= 40; i++) await writer.append(buildId, line(i));
    await c.until(38);
    assert.deepEqual(seqs(c.got), oneTo(40).slice(2));
    stop();
  });

  test('many builds followed at once share one reader, and a new one is read at once', async () => {
    const { log: writer } = await newLog();
    const { log: reader } = await newLog();
    const ids = [await newBuild(), await newBuild(), await newBuild()];
    const cs = ids.map(() => collect());
    const stops = [];
    for (const [i, id] of ids.entries()) {
      stops.push(await reader.follow(id, 0, (e) => cs[i].on(e)));
      const t0 = Date.now();
      await writer.append(id, line(1));
      await cs[i].until(1);
      assert.ok(Date.now() - t0 < 1000, 'a newly followed build does not wait for the previous blocking read to time out');
    }
    for (let n = 2; n <= 10; n++) for (const id of ids) await writer.append(id, line(n));
    for (const c of cs) await c.until(10);
    for (const c of cs) assert.deepEqual(seqs(c.got), oneTo(10));
    for (const s of stops) s();
  });

  test('200 followers of 20 builds appended to at once, joining at different points: each gets every event once, in order', async () => {
    const { log: writer } = await newLog();
    const { log: reader } = await newLog();
    const ids = await Promise.all(Array.from({ length: 20 }, () => newBuild()));
    const followers: { c: ReturnType<typeof collect>; after: number }[] = [];
    const stops: (() => void)[] = [];
    const appendAll = (from: number, to: number) => Promise.all(ids.map(async (id) => {
      for (let i = from; i <= to; i++) await writer.append(id, line(i));
    }));
    await appendAll(1, 10);
    let meanwhile: Promise<unknown> = Promise.resolve();
    for (let i = 0; i < 200; i++) {
      const after = i % 12;
      const c = collect();
      followers.push({ c, after });
      stops.push(await reader.follow(ids[i % 20], after, (e) => c.on(e)));
      // Appends run while the rest join: hand-overs from replay to the stream race with them.
      if (i === 50) meanwhile = appendAll(11, 20);
    }
    await meanwhile;
    await appendAll(21, 50);
    for (const { c, after } of followers) {
      await c.until(50 - after);
      assert.deepEqual(seqs(c.got), oneTo(50).slice(after));
    }
    for (const s of stops) s();
  });

  test('an append whose stream entry is already there is not added twice', async () => {
    const { log: writer, client } = await newLog();
    const buildId = await newBuild();
    const e = await writer.append(buildId, line(1));
    // The same entry again, as a retried append would send it.
    await assert.rejects(client.xAdd(buildStreamKey(buildId), `${e.seq}-0`, { e: JSON.stringify(e) }), /equal or smaller/);
    await writer.append(buildId, { type: 'done', status: 'succeeded', summary: 'ok' });
    for (let i = 0; i < 100 && (await client.xLen(buildStreamKey(buildId))) < 2; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(await client.xLen(buildStreamKey(buildId)), 2);
    const ttl = await client.ttl(buildStreamKey(buildId));
    assert.ok(ttl > 0 && ttl <= 300, `the stream expires after the build ends (ttl ${ttl})`);
  });

  test('events that never reached the stream are read from SQL: after a seq gap, and at a quiet end', async () => {
    const { log: writer } = await newLog();
    const { log: reader } = await newLog({ checkMs: 300 });
    // The SQL record alone, as an append whose stream entry was lost (Redis away, a worker killed).
    const sqlOnly = createSqliteEventLog(store.db);
    const buildId = await newBuild();
    const c = collect();
    const stop = await reader.follow(buildId, 0, (e) => c.on(e));
    await writer.append(buildId, line(1));
    await c.until(1);
    await sqlOnly.append(buildId, line(2));
    await writer.append(buildId, line(3));
    await c.until(3);
    assert.deepEqual(seqs(c.got), [1, 2, 3], 'seq 3 on the stream after 1: seq 2 is read from SQL first');
    await sqlOnly.append(buildId, line(4));
    await sqlOnly.append(buildId, { type: 'done', status: 'succeeded', summary: 'ok' });
    const t0 = Date.now();
    await c.until(5);
    assert.deepEqual(seqs(c.got), [1, 2, 3, 4, 5]);
    assert.ok(Date.now() - t0 < 2000, 'a quiet stream is checked against SQL within a few check periods');
    stop();
  });

  test('Redis restarted mid-follow: the follower still gets every event once', async () => {
    const { log: writer } = await newLog();
    const { log: reader } = await newLog({ checkMs: 500 });
    const buildId = await newBuild();
    const c = collect();
    const stop = await reader.follow(buildId, 0, (e) => c.on(e));
    for (let i = 1; i <= 10; i++) await writer.append(buildId, line(i));
    await c.until(10);
    await redis.restart();
    // Appends go on while Redis comes back (SQL takes them; their stream entries may be lost).
    for (let i = 11; i <= 30; i++) {
      await writer.append(buildId, line(i));
      await new Promise((r) => setTimeout(r, 10));
    }
    await writer.append(buildId, { type: 'done', status: 'succeeded', summary: 'ok' });
    await c.until(31, 15_000);
    assert.deepEqual(seqs(c.got), oneTo(31));
    stop();
  });
});
