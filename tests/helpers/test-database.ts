import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { startPostgresServer, type PostgresServer } from '../../lib/engines/postgres-server';

// PORTICO_TEST_DATABASE=postgres runs the integration suites with the store on Postgres (scripts/test.js
// does, after the embedded run): one real Postgres per test process, started on first use, and a fresh
// database for every gateway, so suites stay as independent as with a DATA_DIR each.

export const onPostgres = process.env.PORTICO_TEST_DATABASE === 'postgres';

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

/** `{ DATABASE_URL }` of a fresh database when the suite runs on Postgres (and the test did not name one). */
export async function testDatabaseUrl(env: Record<string, string>): Promise<Record<string, string>> {
  if (!onPostgres || env.DATABASE_URL !== undefined) return {};
  return { DATABASE_URL: await (await shared()).createDatabase() };
}

