import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { waitForPort } from '../net/ports';
import { startPostgresServer, type PostgresServer } from '../engines/postgres-server';
import { startRedisServer, type RedisServer } from '../engines/redis-server';
import { haproxyConfigFor } from './haproxy-config';

// `npm run cluster`: the whole scale-out shape on one machine (design.md "Scale-out") — Postgres and Redis
// (Debian's), two gateways, a build worker and a vmhost, and HAProxy in front running deploy/haproxy.cfg.
// Every process gets the environment its job needs and nothing else (never this one's), and its output
// prefixed with its name. State lives in CLUSTER_DIR, so a second run finds its users, projects and
// builds again. SIGINT/SIGTERM stops everything, gateways first (their sockets get 1001), engines last.

const ROOT = path.resolve(__dirname, '../..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtime: { nodeFlags: string[]; withRuntimeEnv<T extends Record<string, string>>(env: T): T } = require('../../scripts/gateway-runtime');

export type ClusterOptions = {
  dir: string;
  host: string;
  port: number;
  previewPort: number;
  gateways: number;
  /** The LLM_* settings the workers get (and nothing else of the caller's environment). */
  llmEnv: Record<string, string>;
  say(line: string): void;
};

type Secrets = { jwtSecret: string; vmhostSecret: string; postgresPassword: string; adminPassword: string };

/** Made once per CLUSTER_DIR (mode 0600) and reused, so sign-ins and the database survive a restart. */
function secretsIn(dir: string): { secrets: Secrets; created: boolean } {
  const file = path.join(dir, 'secrets.json');
  if (fs.existsSync(file)) return { secrets: JSON.parse(fs.readFileSync(file, 'utf8')) as Secrets, created: false };
  const random = (n: number) => crypto.randomBytes(n).toString('base64url');
  const secrets: Secrets = { jwtSecret: random(48), vmhostSecret: random(48), postgresPassword: random(18), adminPassword: random(12) };
  fs.writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return { secrets, created: true };
}

type Child = { name: string; proc: ChildProcess; exited: Promise<void>; onLine(fn: (line: string) => void): void };

function run(name: string, cmd: string, args: string[], env: Record<string, string>, say: (l: string) => void, onExit: (c: Child, code: number | null) => void): Child {
  const proc = spawn(cmd, args, { cwd: ROOT, env: env as unknown as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const listeners: ((line: string) => void)[] = [];
  const prefix = (stream: NodeJS.ReadableStream) => {
    let rest = '';
    stream.on('data', (d: Buffer) => {
      const lines = (rest + d.toString()).split('\n');
      rest = lines.pop()!.slice(-10_000);
      for (const line of lines) {
        say(`[${name}] ${line}`);
        for (const fn of listeners) fn(line);
      }
    });
  };
  prefix(proc.stdout!);
  prefix(proc.stderr!);
  const child: Child = { name, proc, exited: new Promise((r) => proc.once('exit', () => r())), onLine: (fn) => void listeners.push(fn) };
  proc.once('exit', (code) => onExit(child, code));
  return child;
}

/**
 * The port a process says it listens on (each is started on port 0 and picks a free one itself: a port
 * chosen for it beforehand could be taken by anything in between).
 */
function announcedPort(c: Child, pattern: RegExp, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${c.name} did not say it was ready within ${timeoutMs / 1000} s`)), timeoutMs);
    const exited = () => {
      clearTimeout(timer);
      reject(new Error(`${c.name} exited before it was ready`));
    };
    c.proc.once('exit', exited);
    c.onLine((line) => {
      const m = pattern.exec(line);
      if (!m) return;
      clearTimeout(timer);
      c.proc.off('exit', exited);
      resolve(Number(m[1]));
    });
  });
}

/** Starts everything; resolves once HAProxy answers, with the way to stop it all. */
export async function runCluster(o: ClusterOptions) {
  // Traversable (not readable) by others: Postgres runs as its own user below it; secrets.json is 0600.
  fs.mkdirSync(o.dir, { recursive: true, mode: 0o711 });
  fs.chmodSync(o.dir, 0o711);
  const { secrets, created } = secretsIn(o.dir);
  const shared = path.join(o.dir, 'shared');
  fs.mkdirSync(shared, { recursive: true });
  const children: Child[] = [];
  let stopping = false;
  const onExit = (c: Child, code: number | null) => {
    if (!stopping) o.say(`${c.name} exited (${code === null ? 'killed' : `code ${code}`}); the others go on. Stop the cluster with Ctrl-C.`);
  };

  fs.mkdirSync(path.join(o.dir, 'postgres'), { recursive: true });
  let pg: PostgresServer | null = null;
  let redis: RedisServer | null = null;
  // Whatever failed to start, nothing started before it is left running.
  const stopAll = async () => {
    stopping = true;
    await stopChildren(children);
    await redis?.close();
    await pg?.close();
  };
  try {
    return await start();
  } catch (err) {
    await stopAll();
    throw err;
  }

  async function start() {
    pg = await startPostgresServer({ dir: path.join(o.dir, 'postgres'), password: secrets.postgresPassword });
    redis = await startRedisServer({ dir: fs.mkdtempSync(path.join(o.dir, 'redis-')) });
    o.say(`Postgres on 127.0.0.1:${pg.port}, Redis on 127.0.0.1:${redis.port}`);

    const base = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/', NODE_ENV: 'production', DATA_DIR: shared, DATABASE_URL: pg.urlFor(), LOG_LEVEL: 'info' };
    const node = process.execPath;
    const tsx = ['--import', 'tsx'];

    const vmhost = run('vmhost', node, [...tsx, 'vmhost.ts'], { ...base, VMHOST_HOST: '127.0.0.1', VMHOST_PORT: '0', VMHOST_SECRET: secrets.vmhostSecret, REDIS_URL: redis.url }, o.say, onExit);
    children.push(vmhost);
    children.push(run('worker', node, [...tsx, 'scripts/worker.ts'], { ...base, REDIS_URL: redis.url, ...o.llmEnv }, o.say, onExit));
    const vmhostPort = await announcedPort(vmhost, /^Portico vmhost ready on http:\/\/127\.0\.0\.1:(\d+)$/, 60_000);

    const previewOrigin = `http://${o.host === '0.0.0.0' ? '127.0.0.1' : o.host}:${o.previewPort}`;
    const starting: Promise<{ port: number; previewPort: number }>[] = [];
    for (let i = 1; i <= o.gateways; i++) {
      const env = {
        ...base,
        HOST: '127.0.0.1',
        PORT: '0',
        PREVIEW_PORT: '0',
        PREVIEW_ORIGIN: previewOrigin,
        JWT_SECRET: secrets.jwtSecret,
        ADMIN_USERNAME: 'admin',
        ADMIN_PASSWORD: secrets.adminPassword,
        REDIS_URL: redis.url,
        VMHOST_URL: `http://127.0.0.1:${vmhostPort}`,
        VMHOST_SECRET: secrets.vmhostSecret,
        // Every client reaches the gateways through HAProxy on this machine.
        TRUSTED_PROXIES: '127.0.0.1',
      };
      // server.ts itself with the runtime `npm start` gives it (not scripts/start.js: a wrapper's pid would
      // be the one we signal, and killing it would leave the server running).
      const gateway = run(`gateway-${i}`, node, [...runtime.nodeFlags, ...tsx, 'server.ts', '--gateway'], runtime.withRuntimeEnv(env), o.say, onExit);
      children.push(gateway);
      const previewPort = announcedPort(gateway, /^Preview on http:\/\/[^:]+:(\d+)$/, 120_000);
      const port = announcedPort(gateway, /^Portico ready on http:\/\/127\.0\.0\.1:(\d+)$/, 120_000);
      starting.push(Promise.all([port, previewPort]).then(([p, pp]) => ({ port: p, previewPort: pp })));
    }
    const gateways = await Promise.all(starting);
    const alive = (c: Child) => (c.proc.exitCode === null && c.proc.signalCode === null ? null : `${c.name} exited before it was ready`);

    const cfg = path.join(o.dir, 'haproxy.cfg');
    fs.writeFileSync(cfg, haproxyConfigFor({ host: o.host, port: o.port, previewPort: o.previewPort, gateways, maxconn: haproxyMaxconn() }));
    const haproxy = run('haproxy', 'haproxy', ['-db', '-f', cfg], { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' }, o.say, onExit);
    children.push(haproxy);
    await waitForPort(o.port, { host: o.host === '0.0.0.0' ? '127.0.0.1' : o.host, timeoutMs: 10_000, gaveUp: () => alive(haproxy) });

    const url = `http://${o.host === '0.0.0.0' ? '127.0.0.1' : o.host}:${o.port}`;
    return {
      url,
      gateways,
      adminPassword: created ? secrets.adminPassword : null,
      children: () => children.map((c) => ({ name: c.name, pid: c.proc.pid!, running: c.proc.exitCode === null && c.proc.signalCode === null })),
      stop: stopAll,
    };
  }
}

/** Gateways first (their sockets get 1001 and their clients would reconnect), then workers and the vmhost, then HAProxy. */
async function stopChildren(children: Child[]): Promise<void> {
  const order = [children.filter((c) => c.name.startsWith('gateway')), children.filter((c) => c.name === 'worker' || c.name === 'vmhost'), children.filter((c) => c.name === 'haproxy')];
  for (const group of order) {
    await Promise.all(
      group.map(async (c) => {
        if (c.proc.exitCode !== null || c.proc.signalCode !== null) return;
        c.proc.kill('SIGTERM');
        const t = setTimeout(() => c.proc.kill('SIGKILL'), 15_000);
        await c.exited;
        clearTimeout(t);
      }),
    );
  }
}

/** HAProxy asks for two descriptors per connection at start: fit its maxconn to this machine's limit. */
function haproxyMaxconn(): number {
  let limit = 1024;
  try {
    const line = fs.readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    limit = Number(line?.split(/\s+/)[4]) || limit;
  } catch {
    // Not Linux: HAProxy's own error names the limit if it is too low.
  }
  return Math.max(256, Math.min(20_000, Math.floor((limit - 100) / 2)));
}
