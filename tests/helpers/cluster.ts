import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../lib/net/ports';
import { startPostgresServer, type PostgresServer } from '../../lib/engines/postgres-server';
import { startRedisServer, type RedisServer } from '../../lib/engines/redis-server';
import { startHaproxy } from './haproxy';

// The scale-out shape as real processes, for the failure tests that need a process to die or restart:
// Postgres, Redis, N gateways (server.ts --gateway, each its own process, so its pid is the gateway's own
// and SIGKILL kills it, not a wrapper), optionally one build worker, and HAProxy with deploy/haproxy.cfg in
// front. Unlike `npm run cluster` (lib/cluster/run-cluster.ts), a gateway can be stopped and started again
// on the same ports, as a rolling restart does.

const ROOT = path.resolve(__dirname, '../..');
const READY_MS = 60_000;

export const CLUSTER_ADMIN = { username: 'admin', password: 'cluster-admin-password-1' };

export type ClusterGateway = {
  name: string;
  port: number;
  previewPort: number;
  url: string;
  pid(): number | null;
  running(): boolean;
  /** Starts it (again) on its ports; resolves once it says it is ready. */
  start(): Promise<void>;
  /** Sends the signal and resolves once the process has exited. */
  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
};

type Proc = { proc: ChildProcess; out: string; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> };

function launch(args: string[], env: Record<string, string>): Proc {
  const proc = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, env: env as unknown as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const p: Proc = { proc, out: '', exited: new Promise((r) => proc.once('exit', (code, signal) => r({ code, signal }))) };
  const keep = (d: Buffer) => (p.out = (p.out + d).slice(-40_000));
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  return p;
}

async function ready(p: Proc, line: RegExp, what: string): Promise<void> {
  let exited = false;
  void p.exited.then(() => (exited = true));
  const deadline = Date.now() + READY_MS;
  while (!line.test(p.out)) {
    if (exited) throw new Error(`${what} exited before it was ready:\n${p.out.slice(-4000)}`);
    if (Date.now() > deadline) throw new Error(`${what} was not ready within ${READY_MS / 1000} s:\n${p.out.slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export type TestCluster = Awaited<ReturnType<typeof startTestCluster>>;

export async function startTestCluster(opts: { gateways?: number; worker?: boolean; gatewayEnv?: Record<string, string>; workerEnv?: Record<string, string> } = {}) {
  if (!fs.existsSync(path.join(ROOT, process.env.NEXT_DIST_DIR || '.next', 'BUILD_ID'))) {
    throw new Error('There is no Next production build in .next: run `npx next build` first (`npm test` does).');
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-cluster-'));
  fs.chmodSync(dir, 0o711);
  const shared = path.join(dir, 'shared');
  fs.mkdirSync(shared);
  let pg: PostgresServer | undefined;
  let redis: RedisServer | undefined;
  const gateways: ClusterGateway[] = [];
  const procs: Proc[] = [];
  let haproxy: Awaited<ReturnType<typeof startHaproxy>> | undefined;

  async function stop() {
    await Promise.all(
      procs.map(async (p) => {
        if (p.proc.exitCode !== null || p.proc.signalCode !== null) return;
        p.proc.kill('SIGTERM');
        const t = setTimeout(() => p.proc.kill('SIGKILL'), 12_000);
        await p.exited;
        clearTimeout(t);
      }),
    );
    await haproxy?.close();
    await redis?.close();
    await pg?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }

  try {
    fs.mkdirSync(path.join(dir, 'postgres'));
    [pg, redis] = await Promise.all([startPostgresServer({ dir: path.join(dir, 'postgres') }), startRedisServer({ dir: fs.mkdtempSync(path.join(dir, 'redis-')) })]);
    const base = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/', NODE_ENV: 'production', DATA_DIR: shared, DATABASE_URL: pg.urlFor(), REDIS_URL: redis.url, LOG_LEVEL: 'info' };
    const jwtSecret = crypto.randomBytes(48).toString('base64url');
    const emitToken = crypto.randomBytes(24).toString('base64url');

    const layout: { port: number; previewPort: number }[] = [];
    for (let i = 0; i < (opts.gateways ?? 2); i++) layout.push({ port: await freePort(), previewPort: await freePort() });
    const env = (g: { port: number; previewPort: number }) => ({
      ...base,
      ...(process.env.NEXT_DIST_DIR ? { NEXT_DIST_DIR: process.env.NEXT_DIST_DIR } : {}),
      HOST: '127.0.0.1',
      PORT: String(g.port),
      PREVIEW_PORT: String(g.previewPort),
      JWT_SECRET: jwtSecret,
      EMIT_TOKEN: emitToken,
      ADMIN_USERNAME: CLUSTER_ADMIN.username,
      ADMIN_PASSWORD: CLUSTER_ADMIN.password,
      LOGIN_ATTEMPTS_PER_IP: '100000',
      TRUSTED_PROXIES: '127.0.0.1',
      ...opts.gatewayEnv,
    });
    for (const [i, g] of layout.entries()) {
      let current: Proc | null = null;
      const gw: ClusterGateway = {
        name: `gw${i + 1}`,
        ...g,
        url: `http://127.0.0.1:${g.port}`,
        pid: () => current?.proc.pid ?? null,
        running: () => Boolean(current && current.proc.exitCode === null && current.proc.signalCode === null),
        async start() {
          if (gw.running()) throw new Error(`${gw.name} is already running`);
          current = launch(['server.ts', '--gateway'], env(g));
          procs.push(current);
          await ready(current, /Portico ready on /, gw.name);
        },
        async kill(signal) {
          if (!current || !gw.running()) throw new Error(`${gw.name} is not running`);
          current.proc.kill(signal);
          return current.exited;
        },
        output: () => current?.out ?? '',
      };
      gateways.push(gw);
    }
    // One after the other: the first runs the migrations and creates the admin, the next finds them.
    for (const gw of gateways) await gw.start();
    let worker: Proc | null = null;
    if (opts.worker) {
      worker = launch(['scripts/worker.ts'], { ...base, ...opts.workerEnv });
      procs.push(worker);
      await ready(worker, /Portico build worker ready/, 'the build worker');
    }
    haproxy = await startHaproxy(layout);
    return { url: haproxy.url, wsUrl: haproxy.url.replace(/^http/, 'ws'), haproxy, gateways, redis, pg, emitToken, workerOutput: () => worker?.out ?? '', stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Signs in through `base` and returns the bearer token. */
export async function signInAt(base: string, who: { username: string; password: string } = CLUSTER_ADMIN): Promise<string> {
  const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(who) });
  if (res.status !== 200) throw new Error(`sign-in at ${base}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/** A JSON request with a bearer token; throws with the body on a status other than `expect`. */
export async function jsonAt<T = Record<string, unknown>>(base: string, method: string, pathname: string, token: string, body?: unknown, expect = 200): Promise<T> {
  const res = await fetch(base + pathname, { method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (res.status !== expect) throw new Error(`${method} ${pathname}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : {}) as T;
}

/** Polls `check` every 50 ms until it returns a value (not undefined), or fails with `what` after `ms`. */
export async function eventually<T>(what: string, ms: number, check: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what} (not within ${ms} ms)${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
