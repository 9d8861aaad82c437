import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { spawnServer } from './helpers/server-process';
import { workerPool } from './helpers/build-workers';
import { startRedisServer } from '../lib/engines/redis-server';

// The processes of the scale-out shape, as their commands run them: what each refuses to start without,
// and that a worker needs no JWT_SECRET and stops cleanly on SIGTERM.

const ROOT = path.resolve(__dirname, '..');

function runWorker(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/worker.ts')], { cwd: ROOT, env: { PATH: process.env.PATH, ...env } as unknown as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out })));
}

test('npm run worker without REDIS_URL refuses to start with one sentence (exit 78)', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-worker-'));
  try {
    const r = await runWorker({ NODE_ENV: 'production', DATA_DIR: dataDir });
    assert.equal(r.code, 78, r.out);
    assert.equal(r.out, 'portico worker: REDIS_URL is not set: a build worker takes its builds from the queue there.\n');
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('npm run gateway without REDIS_URL refuses to start: its builds must go somewhere', async () => {
  const s = spawnServer({ NODE_ENV: 'production', JWT_SECRET: 'k'.repeat(48) }, ['--gateway']);
  const { code } = await s.exited;
  assert.equal(code, 78, s.output());
  assert.match(s.output(), /npm run gateway runs no builds itself: set REDIS_URL to the Redis its build workers \(npm run worker\) take builds from\./);
});

test('a worker in production runs without JWT_SECRET and stops cleanly on SIGTERM', async (t) => {
  const redis = await startRedisServer();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-worker-'));
  const pool = workerPool({ DATA_DIR: dataDir, REDIS_URL: redis.url });
  t.after(async () => {
    await pool.killAll();
    await redis.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const w = await pool.start();
  const exited = new Promise<number | null>((r) => w.child.once('exit', (code) => r(code)));
  w.child.kill('SIGTERM');
  assert.equal(await exited, 0, w.output());
});
