import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { freePort } from '../lib/net/ports';
import { jsonApi } from './helpers/json-api';

// `npm run cluster` as a user runs it: Postgres, Redis, two gateways, a worker and a vmhost behind
// HAProxy. Through HAProxy: sign in, see every process on the status page's data, run a build on the
// worker; then Ctrl-C (SIGTERM) stops every process it started.

const ROOT = path.resolve(__dirname, '..');

test('npm run cluster: every process up behind HAProxy, a build runs on the worker, SIGTERM stops them all', { timeout: 240_000 }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-cluster-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const port = await freePort();
  const previewPort = await freePort();
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, CLUSTER_DIR: dir, PORT: String(port), PREVIEW_PORT: String(previewPort), LLM_PROVIDER: 'offline', OFFLINE_STREAM_DELAY_MS: '0' };
  const proc = spawn(process.execPath, ['--import', 'tsx', 'scripts/cluster.ts'], { cwd: ROOT, env: env as unknown as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out = (out + d).slice(-200_000)));
  proc.stderr.on('data', (d: Buffer) => (out = (out + d).slice(-200_000)));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  // Stopped the way a user stops it, so nothing it started outlives a failed test; killed only if that hangs.
  t.after(async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    const killer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(killer);
  });
  const until = async (what: string, ok: () => boolean | Promise<boolean>, ms: number) => {
    const end = Date.now() + ms;
    while (!(await ok())) {
      if (Date.now() > end || proc.exitCode !== null) throw new Error(`${what} (not within ${ms / 1000} s):\n${out.slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  await until('the cluster says it is ready', () => out.includes('Portico cluster ready on'), 180_000);
  assert.match(out, new RegExp(`Portico cluster ready on http://127\\.0\\.0\\.1:${port} \\(2 gateways`));
  const { adminPassword } = JSON.parse(fs.readFileSync(path.join(dir, 'secrets.json'), 'utf8'));
  assert.equal(fs.statSync(path.join(dir, 'secrets.json')).mode & 0o777, 0o600);
  assert.match(out, new RegExp(`sign in as "admin" with password ${adminPassword}`), 'the first start says the password once');

  const api = jsonApi(`http://127.0.0.1:${port}`);
  const login = await api('POST', '/api/auth/login', { body: { username: 'admin', password: adminPassword } });
  assert.equal(login.status, 200, JSON.stringify(login.body));
  const token = login.body.token as string;

  // The status page's data: both gateways, the worker and the vmhost, each from its heartbeat.
  let roles: string[] = [];
  await until(
    'every process on the status page',
    async () => {
      const health = await api('GET', '/api/admin/health', { token });
      roles = (health.body.processes ?? []).map((p: { roles: string[] }) => p.roles.join('+')).sort();
      return JSON.stringify(roles) === JSON.stringify(['gateway', 'gateway', 'vmhost', 'worker']);
    },
    20_000,
  );
  const pids: number[] = (await api('GET', '/api/admin/health', { token })).body.processes.map((p: { pid: number }) => p.pid);

  // A build through HAProxy: the gateways run none (their roles above are `gateway` alone), so the
  // worker ran it, and its record is in Postgres.
  const project = await api('POST', '/api/projects', { token, body: { name: 'cluster' } });
  assert.equal(project.status, 201);
  const started = await api('POST', `/api/projects/${project.body.id}/builds`, { token, body: { prompt: 'a counter' } });
  assert.equal(started.status, 202, JSON.stringify(started.body));
  await until(
    'the build succeeds on the worker',
    async () => (await api('GET', `/api/projects/${project.body.id}/builds`, { token })).body[0]?.status === 'succeeded',
    60_000,
  );

  proc.kill('SIGTERM');
  assert.equal(await exited, 0, out.slice(-3000));
  assert.match(out, /Cluster stopped\./);
  for (const pid of pids) assert.throws(() => process.kill(pid, 0), `process ${pid} is gone`);
});
