import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { startRedisServer, type RedisServer } from '../engines/redis-server';
import { openRedis, type RedisConnection } from '../redis/connection';
import { createRedisLeases, type RedisLeases } from './redis-leases';

// Socket limits on a real redis-server, as several gateways share them.

const logger = pino({ level: 'silent' });
let redis: RedisServer;
const opened: { close(): Promise<void> }[] = [];

async function gateway(limits: { maxTotal?: number; maxPerUser?: number; ttlMs?: number } = {}): Promise<RedisLeases> {
  const conn: RedisConnection = await openRedis(redis.url, { logger, name: 'test' });
  const leases = createRedisLeases({ client: conn.client, gatewayId: `gw${opened.length}`, maxTotal: limits.maxTotal ?? 1000, maxPerUser: limits.maxPerUser ?? 10, logger, ttlMs: limits.ttlMs });
  opened.push({ close: async () => (await leases.close(), await conn.close()) });
  return leases;
}

/** Acquires until one is granted or `ms` passed; resolves with how long that took. */
async function grantedWithin(leases: RedisLeases, holder: string, ms: number): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < ms) {
    if ((await leases.acquire(holder)) === null) return Date.now() - start;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no lease within ${ms} ms`);
}

before(async () => {
  redis = await startRedisServer();
});
after(async () => {
  for (const o of opened) await o.close();
  await redis.close();
});

describe('acquire', () => {
  test('50 parallel acquires from two gateways against a limit of 10: exactly 10 granted', async () => {
    const [a, b] = [await gateway({ maxPerUser: 10 }), await gateway({ maxPerUser: 10 })];
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).acquire('race')));
    assert.equal(answers.filter((r) => r === null).length, 10);
    assert.equal(answers.filter((r) => r === 'user').length, 40);
    assert.equal(a.countFor('race') + b.countFor('race'), 10);
  });

  test('the global limit counts every holder on every gateway, and a release gives the slot back', async () => {
    // The global set is shared by every test on this server: the earlier gateways give theirs back.
    for (const o of opened.splice(0)) await o.close();
    const [x, y] = [await gateway({ maxTotal: 3, maxPerUser: 5 }), await gateway({ maxTotal: 3, maxPerUser: 5 })];
    const before = await Promise.all([x.acquire('u1'), x.acquire('u2'), y.acquire('u3')]);
    assert.deepEqual(before.filter((r) => r !== null), [], 'room for 3');
    assert.equal(await y.acquire('u4'), 'global');
    x.release('u1');
    assert.equal(await grantedWithin(y, 'u4', 2000) < 2000, true);
    assert.equal(x.total, 1);
    assert.equal(y.total, 2);
    await x.close();
    await y.close();
  });
});

describe('a gateway that dies', () => {
  test('SIGKILLed with leases held: they lapse within the TTL; while it lived they were refreshed past it', async () => {
    const ttlMs = 1200;
    const holder = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'redis-lease-holder.fixture.ts')], {
      env: { PATH: process.env.PATH, HOLDER_REDIS_URL: redis.url, HOLDER_TTL_MS: String(ttlMs), HOLDER_COUNT: '3' } as unknown as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const ready = new Promise<void>((resolve, reject) => {
      holder.stdout!.on('data', (d: Buffer) => d.toString().includes('held 3') && resolve());
      holder.once('exit', (code) => reject(new Error(`lease holder exited ${code}`)));
    });
    await ready;
    const other = await gateway({ maxPerUser: 3, ttlMs });
    assert.equal(await other.acquire('mortal'), 'user');
    // Three TTLs later the living holder's leases still count: it refreshes them every TTL/3.
    await new Promise((r) => setTimeout(r, ttlMs * 3));
    assert.equal(await other.acquire('mortal'), 'user');
    const killedAt = Date.now();
    holder.kill('SIGKILL');
    await grantedWithin(other, 'mortal', ttlMs * 3);
    assert.ok(Date.now() - killedAt <= ttlMs + 600, `lapsed ${Date.now() - killedAt} ms after the kill (TTL ${ttlMs})`);
  });
});

describe('Redis unavailable', () => {
  test('paused: acquire rejects (1013 for the socket) within the command timeout; after SIGCONT it works', async () => {
    const g = await gateway({ maxPerUser: 2 });
    redis.pause();
    const started = Date.now();
    await assert.rejects(Promise.resolve(g.acquire('paused')));
    assert.ok(Date.now() - started < 4000);
    g.release('paused');
    redis.resume();
    assert.equal(await g.acquire('paused'), null);
    // The acquire that timed out was withdrawn after it ran: the user holds one slot, not two.
    assert.equal(await g.acquire('paused'), null);
    assert.equal(await g.acquire('paused'), 'user');
  });

  test('restarted (every lease lost): the next refresh puts back the leases of open sockets', async () => {
    const ttlMs = 600;
    const g = await gateway({ maxPerUser: 2, ttlMs });
    const other = await gateway({ maxPerUser: 2, ttlMs });
    assert.equal(await g.acquire('survivor'), null);
    assert.equal(await g.acquire('survivor'), null);
    await redis.restart();
    // Reconnected and refreshed: the two open sockets count again, so a third is refused.
    const until = Date.now() + 5000;
    let answer: unknown;
    while (Date.now() < until) {
      answer = await Promise.resolve(other.acquire('survivor')).catch(() => 'down');
      if (answer === 'user') break;
      if (answer === null) other.release('survivor');
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(answer, 'user');
  });
});
