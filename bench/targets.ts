import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawnPinned, type Proc } from './procs';
import type { Endpoint } from './measure';
const runtime = require('../scripts/gateway-runtime') as { nodeFlags: string[]; withRuntimeEnv(base: Record<string, string>): Record<string, string> };

// The tcp-echo server's "RFB 003.008\n", sent before it echoes anything.
const RFB_GREETING_BYTES = 12;

// What the load client is pointed at. Every server runs on core 0 (SERVER_CORE), listens on 127.0.0.1
// and an ephemeral port. The build path relays to one `ws` echo backend; the VM path to one TCP echo
// server. Each target is named by what sits between the client and the echo server.

export const SERVER_CORE = 0;
export const CLIENT_CORE = 1;

const ROOT = path.resolve(__dirname, '..');

export type TargetName =
  | 'direct'
  | 'portico'
  | 'portico-ticket'
  | 'portico-incremental'
  | 'hpm'
  | 'hp3'
  | 'nginx'
  | 'haproxy'
  | 'portico-bridge'
  | 'websockify'
  | 'portico-base'
  | 'portico-base-ticket';

export type Target = {
  name: TargetName;
  /** `build`: a WebSocket echo behind it, compared with `direct`; `vm`: a TCP echo, compared with websockify. */
  path: 'build' | 'vm';
  endpoint: Endpoint;
  /** The process whose tree's memory is the cost of this target's sockets. */
  memory: Proc;
  /** A Node process that collects garbage on SIGUSR2 before memory is read. */
  collectsGarbage: boolean;
  /** Measured for upgrades/s alone (a second credential on a gateway another target already measures). */
  upgradesOnly?: boolean;
};

export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

export async function untilListening(proc: Proc, port: number, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const up = await new Promise<boolean>((r) => {
      const c = net.connect(port, '127.0.0.1');
      c.once('connect', () => (c.destroy(), r(true)));
      c.once('error', () => r(false));
    });
    if (up) return;
    if (proc.child.exitCode !== null || Date.now() > until) throw new Error(`${proc.name} is not listening on ${port}:\n${proc.output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A bench server written in TypeScript (bench/servers/*.ts), on core 0, ready once it prints its port. */
async function nodeServer(name: string, file: string, env: Record<string, string> = {}, extraNodeArgs: string[] = [], root = ROOT): Promise<{ proc: Proc; port: number }> {
  const proc = spawnPinned(name, process.execPath, ['--expose-gc', ...extraNodeArgs, '--import', 'tsx', path.join(root, 'bench/servers', file)], {
    core: SERVER_CORE,
    cwd: root,
    env,
  });
  const m = await proc.waitFor(/READY (\d+)/, 60_000);
  return { proc, port: Number(m[1]) };
}

export async function startEchoBackends() {
  const ws = await nodeServer('ws-echo', 'ws-echo.ts');
  const tcp = await nodeServer('tcp-echo', 'tcp-echo.ts');
  return { ws, tcp, wsUrl: `ws://127.0.0.1:${ws.port}` };
}

export function direct(echo: { proc: Proc; port: number }): Target {
  return { name: 'direct', path: 'build', endpoint: { url: `ws://127.0.0.1:${echo.port}/build/bench` }, memory: echo.proc, collectsGarbage: true };
}

type PorticoOpts = {
  backendUrl: string;
  adminPassword: string;
  dataDir: string;
  profileDir?: string;
  /** Another checkout of Portico to run instead of this one (BENCH_BASE: the before of a paired comparison). */
  root?: string;
  /** Node's flags instead of scripts/gateway-runtime.js's (the same gateway without --no-incremental-marking). */
  nodeFlags?: string[];
  /** With the dashboard's pages (production Next, built with `next build`), not the API alone. */
  pages?: boolean;
  /** More BENCH_* settings for bench/servers/portico.ts (the scale-out rows: Redis, Postgres, a shared secret). */
  env?: Record<string, string>;
};

export async function startPortico(name: string, o: PorticoOpts) {
  // Started the way `npm start` starts the gateway (scripts/gateway-runtime.js).
  // BENCH_GATEWAY_FLAGS: more Node/V8 flags for the gateway under test (a trace, a log), never for the peers.
  const args = [...(o.nodeFlags ?? runtime.nodeFlags), ...(process.env.BENCH_GATEWAY_FLAGS?.split(' ').filter(Boolean) ?? []), ...(o.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.join(o.profileDir, name)}`] : [])];
  const dataDir = path.join(o.dataDir, name);
  fs.mkdirSync(dataDir, { recursive: true });
  const env = runtime.withRuntimeEnv({ BENCH_TARGET: o.backendUrl, BENCH_ADMIN_PASSWORD: o.adminPassword, BENCH_DATA_DIR: dataDir, ...(o.pages ? { BENCH_PAGES: '1' } : {}), ...o.env });
  const { proc, port } = await nodeServer(name, 'portico.ts', env, args, o.root);
  const base = `http://127.0.0.1:${port}`;
  const call = async (method: string, pathname: string, token: string | null, body: unknown) => {
    const res = await fetch(base + pathname, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`${name}: ${method} ${pathname} → ${res.status} ${JSON.stringify(json)}`);
    cookie ??= res.headers.getSetCookie().find((c) => c.startsWith('portico_session='))?.split(';')[0];
    return json;
  };
  let cookie: string | undefined;
  // A real sign-in: the token every socket carries is one the gateway issued.
  const login = await call('POST', '/api/auth/login', null, { username: 'admin', password: o.adminPassword });
  return { proc, port, token: login.token as string, cookie: cookie!, call };
}

/**
 * Portico's gateway with BUILD_BACKEND_URL at the echo backend; clients open a project's build socket.
 * Two targets on the one gateway: `?token=` (a non-browser client) and a fresh socket ticket per socket
 * (a browser), measured for upgrades only.
 */
export async function portico(o: PorticoOpts, name: 'portico' | 'portico-base' | 'portico-incremental' = 'portico'): Promise<[Target, Target]> {
  const p = await startPortico(name, o);
  const project = await p.call('POST', '/api/projects', p.token, { name: 'bench' });
  const url = `ws://127.0.0.1:${p.port}/api/build/${project.id}`;
  const withToken: Target = { name, path: 'build', endpoint: { url: `${url}?token=${encodeURIComponent(p.token)}` }, memory: p.proc, collectsGarbage: true };
  const ticket = { mintUrl: `http://127.0.0.1:${p.port}/api/socket-tickets`, bearer: p.token, path: `/api/build/${project.id}` };
  const withTicket: Target = { name: `${name}-ticket` as TargetName, path: 'build', endpoint: { url, ticket }, memory: p.proc, collectsGarbage: true, upgradesOnly: true };
  return [withToken, withTicket];
}

export type PagesGateway = { name: string; flags: string[]; endpoint: Endpoint; pageUrl: string; cookie: string; proc: Proc };

/**
 * A gateway with the dashboard's pages (production Next) and `nodeFlags`, a signed-in admin's cookie and
 * the page to load (the dashboard, `/`), and a build socket to time round trips on while it renders.
 */
export async function porticoWithPages(o: PorticoOpts, name: string, nodeFlags: string[]): Promise<PagesGateway> {
  const p = await startPortico(name, { ...o, nodeFlags, pages: true });
  const project = await p.call('POST', '/api/projects', p.token, { name: 'bench' });
  const endpoint = { url: `ws://127.0.0.1:${p.port}/api/build/${project.id}?token=${encodeURIComponent(p.token)}` };
  return { name, flags: nodeFlags, endpoint, pageUrl: `http://127.0.0.1:${p.port}/`, cookie: p.cookie, proc: p.proc };
}

/** A second gateway for the VM path: an admin-registered session whose target is the TCP echo server. */
export async function porticoBridge(o: PorticoOpts & { tcpPort: number }): Promise<Target> {
  const p = await startPortico('portico-bridge', o);
  const session = await p.call('POST', '/api/sessions', p.token, { name: 'bench-vm', target: `tcp://127.0.0.1:${o.tcpPort}` });
  const url = `ws://127.0.0.1:${p.port}/api/sessions/${session.id}/vnc?token=${encodeURIComponent(p.token)}`;
  return { name: 'portico-bridge', path: 'vm', endpoint: { url, protocols: ['binary'], randomMasks: true, greeting: RFB_GREETING_BYTES }, memory: p.proc, collectsGarbage: true };
}

export async function hpm(backendUrl: string, profileDir?: string): Promise<Target> {
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.join(profileDir, 'hpm')}`] : [];
  const { proc, port } = await nodeServer('hpm', 'hpm.ts', { BENCH_TARGET: backendUrl.replace(/^ws/, 'http') }, profile);
  return { name: 'hpm', path: 'build', endpoint: { url: `ws://127.0.0.1:${port}/build/bench` }, memory: proc, collectsGarbage: true };
}

/** http-proxy-3 alone in a plain Node server (bench/servers/hp3.ts): the library's own cost per upgrade. */
export async function hp3(backendUrl: string, profileDir?: string): Promise<Target> {
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.join(profileDir, 'hp3')}`] : [];
  const { proc, port } = await nodeServer('hp3', 'hp3.ts', { BENCH_TARGET: backendUrl.replace(/^ws/, 'http') }, profile);
  return { name: 'hp3', path: 'build', endpoint: { url: `ws://127.0.0.1:${port}/build/bench` }, memory: proc, collectsGarbage: true, upgradesOnly: true };
}

/**
 * Debian's nginx running the shipped deploy/nginx.conf (its `location /` block is the socket path), with
 * the upstream and listen address rewritten, one worker, and room for 8,000 proxied sockets (16,000
 * connections) in that worker.
 */
export async function nginx(backendPort: number, dir: string): Promise<Target> {
  const port = await freePort();
  const site = fs
    .readFileSync(path.join(ROOT, 'deploy/nginx.conf'), 'utf8')
    .replace(/server 127\.0\.0\.1:3000;/, `server 127.0.0.1:${backendPort};`)
    .replace(/listen 80;/, `listen 127.0.0.1:${port};`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'site.conf'), site);
  fs.writeFileSync(
    path.join(dir, 'nginx.conf'),
    [
      process.getuid?.() === 0 ? 'user root;' : '',
      'worker_processes 1;',
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log warn;`,
      'events { worker_connections 19000; }',
      'http {',
      '  access_log off;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${dir}/${t};`),
      `  include ${dir}/site.conf;`,
      '}',
    ].join('\n'),
  );
  const proc = spawnPinned('nginx', 'nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;'], { core: SERVER_CORE });
  await untilListening(proc, port);
  return { name: 'nginx', path: 'build', endpoint: { url: `ws://127.0.0.1:${port}/build/bench` }, memory: proc, collectsGarbage: false };
}

/** Debian's HAProxy in HTTP mode with one thread; upgraded sockets live under `timeout tunnel`. */
export async function haproxy(backendPort: number, dir: string): Promise<Target> {
  const port = await freePort();
  fs.mkdirSync(dir, { recursive: true });
  const cfg = path.join(dir, 'haproxy.cfg');
  fs.writeFileSync(
    cfg,
    [
      'global',
      '  nbthread 1',
      // 8,000 sockets are 16,000 connections; HAProxy sizes its fd table from maxconn (2 per connection).
      '  maxconn 9000',
      'defaults',
      '  mode http',
      '  option forwardfor',
      '  timeout connect 5s',
      '  timeout client 1h',
      '  timeout server 1h',
      '  timeout tunnel 1h',
      'frontend bench',
      `  bind 127.0.0.1:${port}`,
      '  default_backend echo',
      'backend echo',
      `  server echo 127.0.0.1:${backendPort}`,
      '',
    ].join('\n'),
  );
  const proc = spawnPinned('haproxy', 'haproxy', ['-db', '-f', cfg], { core: SERVER_CORE });
  await untilListening(proc, port);
  return { name: 'haproxy', path: 'build', endpoint: { url: `ws://127.0.0.1:${port}/build/bench` }, memory: proc, collectsGarbage: false };
}

/** Debian's websockify in front of the TCP echo server; it forks a process per connection. */
export async function websockify(tcpPort: number): Promise<Target> {
  const port = await freePort();
  const proc = spawnPinned('websockify', 'websockify', [`127.0.0.1:${port}`, `127.0.0.1:${tcpPort}`], { core: SERVER_CORE });
  await untilListening(proc, port);
  return { name: 'websockify', path: 'vm', endpoint: { url: `ws://127.0.0.1:${port}/`, protocols: ['binary'], randomMasks: true, greeting: RFB_GREETING_BYTES }, memory: proc, collectsGarbage: false };
}
