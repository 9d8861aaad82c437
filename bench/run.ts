import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Endpoint } from './measure';
import { startClient, type Client } from './load-client';
import { pinSelf, runBench, treeMemory, type Memory } from './procs';
import { markdown, table, withReadmeResults, type Meta } from './report';
import { scaleOutTables } from './scale-out-report';
import { checks, idleCost, roundTripOf, summarise, type Idle, type Round } from './summary';
import { FLAG, measurePages, type PagesRow } from './pages';
import { measureScaleOut, startScaleOut, type ScaleOutResult } from './scale-out-rows';
import * as targets from './targets';
import type { Target, TargetName } from './targets';

// `npm run bench` (bench/run.ts): Portico's WebSocket paths against a direct connection and the usual proxies, in one
// run on this machine. Writes bench/results.json and bench/results.md and prints the table.
// BENCH_ROUNDS (default 5) sets the number of rounds; BENCH_PROFILE=1 writes a CPU profile of each
// gateway to bench/tmp/profile. BENCH_SCALE_OUT=0 leaves out the scale-out rows (bench/scale-out-rows.ts).

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'bench');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
// The whole run must stay under 10 minutes on a busy machine: no round starts that would end past this.
const DEADLINE_S = 540;
const PROFILE = process.env.BENCH_PROFILE === '1';

const SETTINGS = {
  rttBytes: 32,
  rttWarmup: 50,
  rttCount: 600,
  rttSlices: 8,
  tputBytes: 64 * 1024,
  tputInFlight: 16,
  tputWarmupSeconds: 0.5,
  tputSeconds: 2,
  upgradeConcurrency: 16,
  upgradeWarmupSeconds: 0.3,
  upgradeSeconds: 2,
  // Socket tickets minted before each ticket target's upgrade measurement: more than it can spend.
  upgradeTickets: 8000,
  idleSockets: 8000,
  idleSettleSeconds: 3,
  websockifyIdleSockets: 400,
  idleConcurrency: 64,
  // The page-rendering row: dashboard page loads per second while round trips are timed.
  pageRate: Number(process.env.BENCH_PAGE_RATE ?? 20),
  // The scale-out rows: hub subscribers, events per target per round; upgrades as above.
  hubSubscribers: 1000,
  hubEvents: 10,
};

// Build path first, then the VM path; the idle test runs in this order too (direct first, while its echo
// server has served nobody but the warm-up).
const ORDER: TargetName[] = ['direct', 'portico', 'portico-ticket', 'portico-incremental', 'hpm', 'hp3', 'nginx', 'haproxy', 'websockify', 'portico-bridge'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Memory of a target's process tree, after a garbage collection when the target is a Node process. */
async function memoryOf(t: Target): Promise<Memory> {
  if (t.collectsGarbage) {
    const from = t.memory.output().length;
    process.kill(t.memory.pid, 'SIGUSR2');
    await t.memory.waitFor(/GC \d+/, 10_000, from);
  }
  await sleep(300);
  return treeMemory(t.memory.pid);
}

// Both readings are taken after the same quiet spell, so that garbage and heap growth left by the burst
// before them (the warm-up; opening 8,000 sockets) count the same on both sides.
const SETTLE_MS = SETTINGS.idleSettleSeconds * 1000;

async function idleTest(client: Client, t: Target): Promise<Idle> {
  const sockets = t.name === 'websockify' ? SETTINGS.websockifyIdleSockets : SETTINGS.idleSockets;
  await sleep(SETTLE_MS);
  const before = await memoryOf(t);
  const opened = await client.call<{ opened: number; seconds: number }>('openIdle', t.endpoint, { count: sockets, concurrency: SETTINGS.idleConcurrency });
  await sleep(SETTLE_MS);
  const after = await memoryOf(t);
  await client.call('closeIdle');
  await sleep(1500);
  return idleCost(opened.opened, before, after, t.name === 'websockify' ? 'pss' : 'rss', opened.seconds);
}

async function measureRound(client: Client, ordered: Target[], into: Map<TargetName, Partial<Round>>): Promise<void> {
  const s = SETTINGS;
  const each = async (label: keyof Round, run: (ep: Endpoint) => Promise<unknown>) => {
    for (const t of ordered) {
      if (t.upgradesOnly && label !== 'upgrades') continue;
      into.get(t.name)![label] = (await run(t.endpoint)) as never;
      await sleep(200);
    }
  };
  // Round trips are the most sensitive to anything else the machine does, so they are taken in slices:
  // a few hundred per target, every target in turn, again and again; a burst of noise hits all alike.
  const timed = ordered.filter((t) => !t.upgradesOnly);
  const samples = new Map<TargetName, number[]>(timed.map((t) => [t.name, []]));
  for (let slice = 0; slice < s.rttSlices; slice++) {
    for (const t of timed) samples.get(t.name)!.push(...(await client.call<number[]>('roundTrip', t.endpoint, { size: s.rttBytes, warmup: s.rttWarmup, count: s.rttCount })));
  }
  for (const t of timed) into.get(t.name)!.roundTrip = roundTripOf(samples.get(t.name)!);
  await each('throughput', (ep) =>
    client.call('throughput', ep, { size: s.tputBytes, inFlight: s.tputInFlight, warmupMs: s.tputWarmupSeconds * 1000, durationMs: s.tputSeconds * 1000 }),
  );
  await each('upgrades', (ep) =>
    client.call('upgrades', ep, { concurrency: s.upgradeConcurrency, warmupMs: s.upgradeWarmupSeconds * 1000, durationMs: s.upgradeSeconds * 1000, tickets: s.upgradeTickets }),
  );
}

/** The first match of `re` in what a command prints (nginx -v prints to stderr), or 'unknown'. */
function version(cmd: string, args: string[], re: RegExp): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: ROOT });
  return re.exec(`${r.stdout ?? ''}${r.stderr ?? ''}`)?.[1] ?? 'unknown';
}

/** The commit measured, and whether the gateway's code differs from it. */
function commit(): string {
  const head = version('git', ['rev-parse', '--short', 'HEAD'], /^(\w+)/);
  const changed = spawnSync('git', ['status', '--porcelain', '--', 'lib', 'server.ts'], { encoding: 'utf8', cwd: ROOT }).stdout?.trim();
  return changed ? `${head} + uncommitted changes in lib/ or server.ts` : head;
}

function machine(): Omit<Meta, 'date' | 'load' | 'rounds' | 'seconds' | 'settings'> {
  const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
  return {
    cpu: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1].trim() ?? 'unknown CPU',
    cores: os.cpus().length,
    kernel: os.release(),
    node: process.version,
    nginx: version('nginx', ['-v'], /nginx\/(\S+)/),
    haproxy: version('haproxy', ['-v'], /version (\S+)/),
    websockify: version('dpkg-query', ['-W', '-f=${Version}', 'websockify'], /^(\S+)/),
    commit: commit(),
  };
}

/** The gateway runtime's Node flags with `flag` added when it is missing, removed when it is there. */
function toggled(flag: string): string[] {
  const flags: string[] = require('../scripts/gateway-runtime').nodeFlags;
  return flags.includes(flag) ? flags.filter((f) => f !== flag) : [...flags, flag];
}

const loadAverage = () => Number(fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);

// A CommonJS helper shared with scripts/test.js.
const { ensureSystemPackages } = require('../scripts/system-packages') as { ensureSystemPackages(p: string[]): string[] };

async function main(): Promise<void> {
  // The peers it measures against are Debian's; installed when run as root, otherwise named.
  const missing = ensureSystemPackages(['nginx', 'haproxy', 'websockify']);
  if (missing.length) throw new Error(`the bench needs ${missing.join(', ')}: apt-get install -y ${missing.join(' ')}`);
  const started = Date.now();
  const loadStart = loadAverage();
  if (os.cpus().length < 2) throw new Error('the bench needs two cores: servers on core 0, the load client on core 1');
  pinSelf(targets.CLIENT_CORE);
  // The gateways' DATA_DIRs, nginx's and HAProxy's configs and temp files; removed on the way out.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-bench-'));
  process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
  const profileDir = PROFILE ? path.join(OUT, 'tmp', 'profile') : undefined;
  if (profileDir) fs.rmSync(profileDir, { recursive: true, force: true });

  const log = (line: string) => process.stdout.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s] ${line}\n`);
  log('starting the echo servers and the targets');
  const echo = await targets.startEchoBackends();
  const adminPassword = randomBytes(12).toString('base64url');
  const all: Target[] = [
    targets.direct(echo.ws),
    ...(await targets.portico({ backendUrl: echo.wsUrl, adminPassword, dataDir: tmp, profileDir })),
    // The same gateway with --no-incremental-marking toggled (scripts/gateway-runtime.js): what the flag buys.
    (await targets.portico({ backendUrl: echo.wsUrl, adminPassword, dataDir: tmp, nodeFlags: toggled(FLAG) }, 'portico-incremental'))[0],
    await targets.hpm(echo.wsUrl),
    await targets.hp3(echo.wsUrl),
    await targets.nginx(echo.ws.port, path.join(tmp, 'nginx')),
    await targets.haproxy(echo.ws.port, path.join(tmp, 'haproxy')),
    await targets.websockify(echo.tcp.port),
    await targets.porticoBridge({ backendUrl: echo.wsUrl, adminPassword, dataDir: tmp, profileDir, tcpPort: echo.tcp.port }),
  ];
  const byName = new Map(all.map((t) => [t.name, t]));
  const { client } = await startClient();

  log('warm-up: a few hundred messages and upgrades through every target');
  for (const t of all) {
    if (!t.upgradesOnly) await client.call('roundTrip', t.endpoint, { size: SETTINGS.rttBytes, warmup: 0, count: 300 });
    await client.call('upgrades', t.endpoint, { concurrency: 4, warmupMs: 0, durationMs: 300 });
  }

  const idle = new Map<TargetName, Idle>();
  for (const name of ORDER) {
    if (byName.get(name)!.upgradesOnly) continue;
    const i = await idleTest(client, byName.get(name)!);
    idle.set(name, i);
    log(`idle sockets: ${name.padEnd(14)} ${i.sockets} opened in ${i.openSeconds.toFixed(1)} s, ${i.kbPerSocket.toFixed(1)} KiB each (${i.metric})`);
  }

  const rounds = new Map<TargetName, Round[]>(ORDER.map((n) => [n, []]));
  let done = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const roundStarted = Date.now();
    const ordered = ORDER.map((_, i) => byName.get(ORDER[(i + r) % ORDER.length])!);
    const into = new Map<TargetName, Partial<Round>>(ORDER.map((n) => [n, {}]));
    await measureRound(client, ordered, into);
    for (const n of ORDER) rounds.get(n)!.push(into.get(n) as Round);
    done++;
    const f = (n: TargetName) => into.get(n)!;
    log(`round ${r + 1}/${ROUNDS}: ${ORDER.map((n) => `${n} ${f(n).roundTrip ? `${f(n).roundTrip!.p50Us.toFixed(0)}µs ${f(n).throughput!.mbPerS.toFixed(0)}MB/s ` : ''}${f(n).upgrades!.perS.toFixed(0)}/s`).join(' · ')}`);
    const elapsed = (Date.now() - started) / 1000;
    if (r + 1 < ROUNDS && elapsed + (Date.now() - roundStarted) / 1000 > DEADLINE_S) {
      log(`stopping after ${done} rounds to stay within ${DEADLINE_S} s`);
      break;
    }
  }

  let pages: PagesRow[] | undefined;
  if (fs.existsSync(path.join(ROOT, '.next', 'BUILD_ID'))) {
    log(`page rendering: two gateways with their pages, one with ${FLAG} and one without, ${SETTINGS.pageRate} page loads/s each in turn`);
    pages = await measurePages(client, { backendUrl: echo.wsUrl, adminPassword, dataDir: tmp, rate: SETTINGS.pageRate, slices: SETTINGS.rttSlices, rtt: { size: SETTINGS.rttBytes, warmup: SETTINGS.rttWarmup, count: SETTINGS.rttCount } }, log);
  } else {
    log('page rendering: skipped, there is no production build (npm run build first)');
  }

  // After everything else, so that its gateways, Redis, Postgres and HAProxies (idle, but health-checked
  // and beating) are not on the server core while the rows above are measured.
  let scaleOut: ScaleOutResult | undefined;
  if (process.env.BENCH_SCALE_OUT !== '0') {
    // Redis or Postgres failing to start must not cost the rows above: they are written without these.
    try {
      const so = await startScaleOut({ backendUrl: echo.wsUrl, adminPassword, dataDir: tmp, subscribers: SETTINGS.hubSubscribers, log });
      const upgrade = { concurrency: SETTINGS.upgradeConcurrency, warmupMs: SETTINGS.upgradeWarmupSeconds * 1000, durationMs: SETTINGS.upgradeSeconds * 1000 };
      scaleOut = await measureScaleOut(client, so, { rounds: done, events: SETTINGS.hubEvents, upgrade }, log);
      await so.close();
    } catch (err) {
      log(`scale-out rows left out: ${err instanceof Error ? err.message : err}`);
    }
  }

  if (profileDir) {
    await byName.get('portico')!.memory.stop(true);
    await byName.get('portico-bridge')!.memory.stop(true);
    log(`CPU profiles of the gateways in ${path.relative(ROOT, profileDir)}`);
  }

  const results = summarise(ORDER.map((name) => ({ name, path: byName.get(name)!.path, rounds: rounds.get(name)!, idle: idle.get(name) })));
  const list = checks(results);
  const meta: Meta = {
    date: `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    ...machine(),
    load: { start: loadStart, end: loadAverage() },
    rounds: done,
    seconds: (Date.now() - started) / 1000,
    settings: SETTINGS,
  };
  fs.writeFileSync(path.join(OUT, 'results.json'), JSON.stringify({ meta, results, checks: list, pages, scaleOut }, null, 2) + '\n');
  fs.writeFileSync(path.join(OUT, 'results.md'), markdown(meta, results, list, pages, scaleOut));
  const readmeFile = path.join(ROOT, 'README.md');
  const readme = withReadmeResults(fs.readFileSync(readmeFile, 'utf8'), meta, results, list, pages, scaleOut);
  if (readme) fs.writeFileSync(readmeFile, readme);
  else process.stdout.write('README.md has no bench markers: its table was left as it was.\n');
  process.stdout.write(`\n${table(results)}\n\n${scaleOut ? `${scaleOutTables(scaleOut)}\n\n` : ''}`);
  for (const c of list) process.stdout.write(`${c.ok ? 'met   ' : 'MISSED'} ${c.target}: ${c.what} ${c.unit === '×' ? `${c.value.toFixed(2)}×` : `${c.value.toFixed(1)} KiB`} (limit ${c.atMost ? '≤' : '≥'} ${c.limit}${c.unit === '×' ? '×' : ' KiB'})\n`);
  process.stdout.write(`\nWrote bench/results.json, bench/results.md${readme ? ' and the table in README.md' : ''} in ${Math.round(meta.seconds)} s.\n`);
}

runBench(main);
