import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { startPostgresServer, type PostgresServer } from '../../lib/engines/postgres-server';
import { startRedisServer, type RedisServer } from '../../lib/engines/redis-server';

// PORTICO_TEST_ENGINES=postgres+redis runs the integration suites on the scale-out engines (scripts/test.js
// does, after the embedded run): the store on Postgres — one real Postgres per test process, started on
// first use, a fresh database for every gateway — and the hub, socket limits and builds on Redis — a
// redis-server of its own for every gateway, because Pub/Sub channels ignore database numbers: gateways of
// one test process sharing a server would hear each other's topics and share BullMQ queues and leases.
// `postgres` or `redis` alone switches just that engine. Tests that pass DATABASE_URL or REDIS_URL
// themselves (two gateways deliberately sharing one) keep theirs.

const engines = new Set((process.env.PORTICO_TEST_ENGINES ?? '').split('+').filter(Boolean));
for (const e of engines) if (e !== 'postgres' && e !== 'redis') throw new Error(`PORTICO_TEST_ENGINES: unknown engine "${e}" (postgres, redis or postgres+redis)`);
export const onPostgres = engines.has('postgres');
export const onRedis = engines.has('redis');
/** Why a test that only makes sense embedded is skipped on the scale-out engines, or false to run it. */
export const embeddedOnly = (reason: string): string | false => (onPostgres || onRedis ? `embedded only: ${reason}` : false);

let server: Promise<PostgresServer> | null = null;
let dir: string | null = null;

function shared(): Promise<PostgresServer> {
  if (server) return server;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-test-pg-'));
  server = startPostgresServer({ dir });
  const started = server;
  // A file whose tests never finish (a crash, a timeout) still leaves no cluster behind.
  void started.then((s) => {
    process.once('exit', () => {
      try {
        process.kill(s.pid, 'SIGKILL');
      } catch {
        // already stopped by the after hook
      }
      fs.rmSync(dir!, { recursive: true, force: true });
    });
  });
  return server;
}

// Stopped once every test of the file has finished: a hook of node:test's root, which `after` gives only
// while no test runs. So this module must load with the test file, not inside a test: helpers that load
// ./gateway lazily import this one statically (declared.ts).
if (onPostgres) {
  after(async () => {
    if (!server) return;
    await (await server).close();
    fs.rmSync(dir!, { recursive: true, force: true });
  });
}

// Every redis-server still running when the process exits (a test that never closed its gateway) is killed.
const liveRedis = new Set<RedisServer>();
process.once('exit', () => {
  for (const r of liveRedis) {
    try {
      process.kill(r.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

// Gateways (and workers) a test starts on one DATA_DIR share one store on purpose: on Postgres, one database.
const byDataDir = new Map<string, Promise<string>>();

/** `{ DATABASE_URL }` of the database standing for `dataDir` when the suite runs on Postgres, else `{}`: for
 * processes a test starts on a shared DATA_DIR (workers, a standalone backend), so they share the store. */
export async function testDatabaseFor(dataDir: string): Promise<Record<string, string>> {
  if (!onPostgres) return {};
  if (!byDataDir.has(dataDir)) byDataDir.set(dataDir, shared().then((s) => s.createDatabase()));
  return { DATABASE_URL: await byDataDir.get(dataDir)! };
}

/** `{ DATABASE_URL }` of a fresh database when the suite runs on Postgres, else `{}`: for a test that times its
 * gateway's start and must not count the engine's own start-up. */
export async function testStore(): Promise<Record<string, string>> {
  return onPostgres ? { DATABASE_URL: await (await shared()).createDatabase() } : {};
}

/**
 * What a test gateway needs of the engines the suite runs on: `{ DATABASE_URL }` of a fresh database and
 * `{ REDIS_URL }` of a redis-server of its own (each unless the test named one), and `close` to stop that
 * redis-server once the gateway has closed.
 */
export async function testEngines(env: Record<string, string>): Promise<{ env: Record<string, string>; close(): Promise<void> }> {
  const out: Record<string, string> = {};
  if (onPostgres && env.DATABASE_URL === undefined) {
    out.DATABASE_URL = env.DATA_DIR ? (await testDatabaseFor(env.DATA_DIR)).DATABASE_URL : await (await shared()).createDatabase();
  }
  let redis: RedisServer | null = null;
  if (onRedis && env.REDIS_URL === undefined) {
    redis = await startRedisServer();
    liveRedis.add(redis);
    out.REDIS_URL = redis.url;
  }
  return {
    env: out,
    async close() {
      if (!redis) return;
      await redis.close();
      liveRedis.delete(redis);
    },
  };
}

/** `{ DATABASE_URL }` of a fresh database when the suite runs on Postgres (and the test did not name one);
 * kept for helpers written before the Redis half of the switch. */
export async function testDatabaseUrl(env: Record<string, string>): Promise<Record<string, string>> {
  return onPostgres && env.DATABASE_URL === undefined ? testStore() : {};
}
