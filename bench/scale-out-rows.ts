import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { haproxyConfigFor } from '../lib/cluster/haproxy-config';
import { startPostgresServer } from '../lib/engines/postgres-server';
import { startRedisServer } from '../lib/engines/redis-server';
import type { HubEmit, HubLatencies, HubSubscribers } from './hub';
import type { Client } from './load-client';
import type { Endpoint, Upgrades } from './measure';
import { processTree, spawnPinned } from './procs';
import { median, percentile } from './stats';
import { freePort, SERVER_CORE, startPortico, untilListening } from './targets';

// The scale-out rows (issue 13.6): what a second gateway costs or buys on this machine.
// - Hub fan-out: one event published with POST /api/emit on gateway A reaches 1,000 subscribers of its
//   topic, half on A and half on B (both with REDIS_URL on one redis-server and DATABASE_URL on one
//   Postgres, as `npm run cluster` runs them), against the same 1,000 on one embedded gateway (no Redis).
// - Upgrades/s through HAProxy running deploy/haproxy.cfg with both gateways, against the same HAProxy
//   config with gateway A alone, A directly, and the embedded gateway directly.
// Every server (gateways, Redis, Postgres, HAProxy) is on the server core, like the other rows.

export type ScaleOutOpts = { backendUrl: string; adminPassword: string; dataDir: string; subscribers: number; log(line: string): void };

type FanoutTarget = { name: string; gateways: string; subscribers: HubSubscribers; emit: Omit<HubEmit, 'events'>; viaNames?: string[] };
type UpgradeTarget = { name: string; via: string; endpoint: Endpoint };

export type ScaleOut = { fanout: FanoutTarget[]; upgrades: UpgradeTarget[]; close(): Promise<void> };

/** Pins an engine we did not start through procs.ts (and what it forked so far) to the server core. */
function pinTree(pid: number): void {
  for (const p of processTree(pid)) spawnSync('taskset', ['-acp', String(SERVER_CORE), String(p)], { stdio: 'ignore' });
}

/** HAProxy asks for two descriptors per connection at start: fit maxconn to this process's limit. */
function maxconn(): number {
  const line = fs.readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
  return Math.max(256, Math.min(20_000, Math.floor(((Number(line?.split(/\s+/)[4]) || 1024) - 100) / 2)));
}

/** deploy/haproxy.cfg (through lib/cluster/haproxy-config.ts) in front of `gateways`; its log lines go to /dev/null. */
async function haproxyFor(name: string, dir: string, gateways: number[]) {
  const port = await freePort();
  // The previews frontend is in the file too; nothing is measured through it.
  const layout = { host: '127.0.0.1', port, previewPort: await freePort(), gateways: await Promise.all(gateways.map(async (p) => ({ port: p, previewPort: await freePort() }))), maxconn: maxconn() };
  const cfg = path.join(dir, `${name}.cfg`);
  fs.writeFileSync(cfg, haproxyConfigFor(layout));
  // The shipped file logs one line per socket to stdout: written, as in production, but not kept here.
  const proc = spawnPinned(name, 'sh', ['-c', 'exec haproxy -db -f "$0" >/dev/null', cfg], { core: SERVER_CORE });
  await untilListening(proc, port);
  return port;
}

export async function startScaleOut(o: ScaleOutOpts): Promise<ScaleOut> {
  const emitToken = randomBytes(24).toString('base64url');
  const base = { backendUrl: o.backendUrl, adminPassword: o.adminPassword, dataDir: o.dataDir };
  o.log('scale-out: an embedded gateway, Redis, Postgres, gateways A and B, two HAProxies');
  const one = await startPortico('hub-one', { ...base, env: { BENCH_EMIT_TOKEN: emitToken } });
  const redis = await startRedisServer();
  const pg = await startPostgresServer();
  // If the bench dies, the engines go with it (they are not in procs.ts's process groups).
  const killEngines = () => {
    for (const pid of [redis.pid, pg.pid]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  };
  process.on('exit', killEngines);
  pinTree(redis.pid);
  pinTree(pg.pid);
  const shared = {
    BENCH_REDIS_URL: redis.url,
    BENCH_DATABASE_URL: await pg.createDatabase('bench'),
    BENCH_JWT_SECRET: randomBytes(48).toString('base64'),
    BENCH_EMIT_TOKEN: emitToken,
    BENCH_TRUSTED_PROXIES: '127.0.0.1',
  };
  // One after the other: the first one migrates the database and makes the admin.
  const a = await startPortico('gateway-a', { ...base, env: shared });
  const b = await startPortico('gateway-b', { ...base, env: shared });
  // Postgres's backends for the gateways' pools were forked after the pin, from the pinned postmaster.
  pinTree(pg.pid);
  const dir = path.join(o.dataDir, 'scale-out-haproxy');
  fs.mkdirSync(dir, { recursive: true });
  const two = await haproxyFor('haproxy-two', dir, [a.port, b.port]);
  const single = await haproxyFor('haproxy-one', dir, [a.port]);

  const oneProject = await one.call('POST', '/api/projects', one.token, { name: 'bench-hub' });
  const project = await a.call('POST', '/api/projects', a.token, { name: 'bench-hub' });
  const events = (port: number, token: string) => `ws://127.0.0.1:${port}/api/events?token=${encodeURIComponent(token)}`;
  const fanout: FanoutTarget[] = [
    {
      name: 'hub-one-gateway',
      gateways: 'one embedded gateway (no Redis)',
      subscribers: { key: 'one', urls: [events(one.port, one.token)], topic: `project:${oneProject.id}:files`, count: o.subscribers },
      emit: { key: 'one', emitUrl: `http://127.0.0.1:${one.port}/api/emit`, emitToken, topic: `project:${oneProject.id}:files` },
    },
    {
      name: 'hub-two-gateways',
      gateways: 'A and B on one Redis + Postgres, emitted on A',
      // Round robin: half on A (where the event is published), half on B (it reaches B through Redis).
      subscribers: { key: 'two', urls: [events(a.port, a.token), events(b.port, a.token)], topic: `project:${project.id}:files`, count: o.subscribers },
      emit: { key: 'two', emitUrl: `http://127.0.0.1:${a.port}/api/emit`, emitToken, topic: `project:${project.id}:files` },
      viaNames: ['A', 'B'],
    },
  ];
  const build = (port: number) => ({ url: `ws://127.0.0.1:${port}/api/build/${project.id}?token=${encodeURIComponent(a.token)}` });
  const upgrades: UpgradeTarget[] = [
    { name: 'haproxy-two-gateways', via: 'HAProxy (deploy/haproxy.cfg) → A or B (leastconn)', endpoint: build(two) },
    { name: 'haproxy-one-gateway', via: 'HAProxy (deploy/haproxy.cfg) → A', endpoint: build(single) },
    { name: 'gateway-a-direct', via: 'A directly', endpoint: build(a.port) },
    // What Redis's leases and Postgres's lookups cost an upgrade, against the embedded gateway's.
    { name: 'embedded-direct', via: 'the embedded gateway directly (SQLite, no Redis)', endpoint: { url: `ws://127.0.0.1:${one.port}/api/build/${oneProject.id}?token=${encodeURIComponent(one.token)}` } },
  ];
  return {
    fanout,
    upgrades,
    async close() {
      // The gateways and HAProxies are procs.ts's (killAll); the engines are stopped here.
      await redis.close();
      await pg.close();
      process.off('exit', killEngines);
    },
  };
}

type FanoutRound = { p50Us: number; p99Us: number; firstUs: number; byGateway?: Record<string, number> };
/** p50 / p99 of every receipt; `firstUs` the median first receipt per event; `byGateway` p50 per gateway. */
export type FanoutRow = { name: string; gateways: string; subscribers: number; events: number; lost: number; p50Us: number; p99Us: number; firstUs: number; byGateway?: Record<string, number>; rounds: FanoutRound[] };
export type UpgradeRow = { name: string; via: string; perS: number; failed: number; rounds: number[] };
export type Paired = { a: string; b: string; what: string; median: number; min: number; max: number };
export type ScaleOutResult = { subscribers: number; eventsPerRound: number; rounds: number; fanout: FanoutRow[]; upgrades: UpgradeRow[]; ratios: Paired[] };

export type ScaleOutSettings = { rounds: number; events: number; upgrade: { concurrency: number; warmupMs: number; durationMs: number } };

function paired(what: string, a: string, b: string, each: number[]): Paired {
  return { what, a, b, median: median(each), min: Math.min(...each), max: Math.max(...each) };
}

/** Opens the subscribers, then measures both rows in interleaved rounds (order rotated each round). */
export async function measureScaleOut(client: Client, so: ScaleOut, s: ScaleOutSettings, log: (line: string) => void): Promise<ScaleOutResult> {
  for (const t of so.fanout) {
    const opened = await client.call<{ opened: number; seconds: number }>('hubOpen', t.subscribers);
    log(`scale-out: ${opened.opened} subscribers of ${t.name} in ${opened.seconds.toFixed(1)} s`);
  }
  // Warm-up: a few events and upgrades through each, untimed.
  for (const t of so.fanout) await client.call('hubEmit', { ...t.emit, events: 3 });
  for (const t of so.upgrades) await client.call('upgrades', t.endpoint, { ...s.upgrade, warmupMs: 0, durationMs: 300 });

  const fan = new Map(so.fanout.map((t) => [t.name, [] as (FanoutRound & { lost: number })[]]));
  const up = new Map(so.upgrades.map((t) => [t.name, [] as Upgrades[]]));
  for (let r = 0; r < s.rounds; r++) {
    for (let i = 0; i < so.fanout.length; i++) {
      const t = so.fanout[(i + r) % so.fanout.length];
      const got = await client.call<HubLatencies>('hubEmit', { ...t.emit, events: s.events });
      const byGateway = t.viaNames && Object.fromEntries(t.viaNames.map((n, g) => [n, percentile(got.latenciesUs.filter((_, k) => got.gateways[k] === g), 50)]));
      fan.get(t.name)!.push({ p50Us: percentile(got.latenciesUs, 50), p99Us: percentile(got.latenciesUs, 99), firstUs: median(got.firstUs), byGateway, lost: got.lost });
    }
    for (let i = 0; i < so.upgrades.length; i++) {
      const t = so.upgrades[(i + r) % so.upgrades.length];
      up.get(t.name)!.push(await client.call<Upgrades>('upgrades', t.endpoint, s.upgrade));
      await new Promise((res) => setTimeout(res, 200));
    }
    log(
      `scale-out round ${r + 1}/${s.rounds}: ` +
        [...so.fanout.map((t) => `${t.name} p50 ${fan.get(t.name)![r].p50Us.toFixed(0)}µs p99 ${fan.get(t.name)![r].p99Us.toFixed(0)}µs`), ...so.upgrades.map((t) => `${t.name} ${up.get(t.name)![r].perS.toFixed(0)}/s`)].join(' · '),
    );
  }
  for (const t of so.fanout) await client.call('hubClose', t.subscribers.key);

  const fanout: FanoutRow[] = so.fanout.map((t) => {
    const rs = fan.get(t.name)!;
    const byGateway = t.viaNames && Object.fromEntries(t.viaNames.map((n) => [n, median(rs.map((x) => x.byGateway![n]))]));
    return {
      name: t.name,
      gateways: t.gateways,
      subscribers: t.subscribers.count,
      events: s.events,
      lost: rs.reduce((n, x) => n + x.lost, 0),
      p50Us: median(rs.map((x) => x.p50Us)),
      p99Us: median(rs.map((x) => x.p99Us)),
      firstUs: median(rs.map((x) => x.firstUs)),
      byGateway,
      rounds: rs.map(({ lost: _lost, ...x }) => x),
    };
  });
  const upgrades: UpgradeRow[] = so.upgrades.map((t) => {
    const rs = up.get(t.name)!;
    return { name: t.name, via: t.via, perS: median(rs.map((u) => u.perS)), failed: rs.reduce((n, u) => n + u.failed, 0), rounds: rs.map((u) => u.perS) };
  });
  const [one, two] = so.fanout.map((t) => fan.get(t.name)!);
  const per = (name: string) => up.get(name)!.map((u) => u.perS);
  const ratios = [
    paired('hub fan-out p50', 'hub-two-gateways', 'hub-one-gateway', two.map((x, i) => x.p50Us / one[i].p50Us)),
    paired('hub fan-out p99', 'hub-two-gateways', 'hub-one-gateway', two.map((x, i) => x.p99Us / one[i].p99Us)),
    paired('hub first receipt', 'hub-two-gateways', 'hub-one-gateway', two.map((x, i) => x.firstUs / one[i].firstUs)),
    paired('upgrades/s', 'haproxy-two-gateways', 'haproxy-one-gateway', per('haproxy-two-gateways').map((v, i) => v / per('haproxy-one-gateway')[i])),
    paired('upgrades/s', 'haproxy-one-gateway', 'gateway-a-direct', per('haproxy-one-gateway').map((v, i) => v / per('gateway-a-direct')[i])),
    paired('upgrades/s', 'gateway-a-direct', 'embedded-direct', per('gateway-a-direct').map((v, i) => v / per('embedded-direct')[i])),
  ];
  return { subscribers: so.fanout[0].subscribers.count, eventsPerRound: s.events, rounds: s.rounds, fanout, upgrades, ratios };
}
