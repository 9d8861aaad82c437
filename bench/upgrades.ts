import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startClient } from './load-client';
import type { Upgrades } from './measure';
import { pinSelf, runBench } from './procs';
import { median } from './stats';
import { FLAG } from './pages';
import * as targets from './targets';
import type { Target, TargetName } from './targets';

// `npx tsx bench/upgrades.ts`: upgrades/s alone, the figure of issue 12.5, in a few minutes rather than
// the whole bench's six. Portico with `?token=` and with a ticket per socket, http-proxy-middleware and a
// direct connection, rounds interleaved in a rotated order, servers on core 0 and the client on core 1
// as in bench/run.ts. Each ratio is taken within a round and the median of those reported, so noise from
// elsewhere on the machine (it is shared) moves both sides of a ratio alike.
//
// BENCH_TARGETS may name portico-incremental: the gateway with --no-incremental-marking toggled.
// BENCH_BASE=<another checkout of Portico> adds its gateway as `portico-base` (and `-ticket`), for the
// before/after of one change measured in the same run. BENCH_ROUNDS (default 8); BENCH_PROFILE=1 writes
// a CPU profile of each gateway to bench/tmp/profile. Prints the table and writes bench/tmp/upgrades.json.

const ROOT = path.resolve(__dirname, '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);
const BASE = process.env.BENCH_BASE ? path.resolve(process.env.BENCH_BASE) : undefined;
const PROFILE = process.env.BENCH_PROFILE === '1';
// BENCH_BASE_FLAGS: Node flags for the base instead of scripts/gateway-runtime.js's (a runtime flag's A/B).
const BASE_FLAGS = process.env.BENCH_BASE_FLAGS?.split(' ').filter(Boolean);
// BENCH_TARGETS=portico,hpm measures only those (a profile of one credential's path alone, say).
const ONLY = process.env.BENCH_TARGETS?.split(',');
// BENCH_NO_GC=1: no forced collection before each window. Each one deoptimises the code that embedded
// maps it freed (V8's "weak objects"), so every window starts re-warming; this shows the steady state.
const NO_GC = process.env.BENCH_NO_GC === '1';
const MEASURE = { concurrency: 16, warmupMs: 300, durationMs: 2000, tickets: 5000 };

/** CPU time (user + system) a process has used, in µs; clock ticks are 10 ms, so read it over seconds. */
function cpuUs(pid: number, only?: 'user' | 'system'): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  const user = Number(fields[11]);
  const system = Number(fields[12]);
  return ((only === 'user' ? user : only === 'system' ? system : user + system) * 1e6) / 100;
}

function toggled(flag: string): string[] {
  const flags: string[] = require('../scripts/gateway-runtime').nodeFlags;
  return flags.includes(flag) ? flags.filter((f) => f !== flag) : [...flags, flag];
}

async function collectGarbage(t: Target): Promise<void> {
  if (!t.collectsGarbage || NO_GC) return;
  const from = t.memory.output().length;
  process.kill(t.memory.pid, 'SIGUSR2');
  await t.memory.waitFor(/GC \d+/, 10_000, from);
}

const PAIRS: [TargetName, TargetName][] = [
  ['portico', 'hpm'],
  ['portico-ticket', 'hpm'],
  ['portico', 'portico-base'],
  ['portico-ticket', 'portico-base-ticket'],
  ['portico-incremental', 'portico'],
  ['portico', 'hp3'],
  ['hp3', 'hpm'],
  ['hpm', 'direct'],
];

async function main() {
  const started = Date.now();
  const load = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
  const loadStart = load();
  pinSelf(targets.CLIENT_CORE);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-bench-'));
  process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
  const profileDir = PROFILE ? path.join(ROOT, 'bench', 'tmp', 'profile') : undefined;
  if (profileDir) fs.rmSync(profileDir, { recursive: true, force: true });
  const log = (line: string) => process.stdout.write(`[upgrades ${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s] ${line}\n`);

  const echo = await targets.startEchoBackends();
  const adminPassword = randomBytes(12).toString('base64url');
  const o = { backendUrl: echo.wsUrl, adminPassword, dataDir: tmp, profileDir };
  const all: Target[] = [
    targets.direct(echo.ws),
    ...(await targets.portico(o)),
    await targets.hpm(echo.wsUrl, profileDir),
    await targets.hp3(echo.wsUrl, profileDir),
    ...(BASE ? await targets.portico({ ...o, root: BASE, nodeFlags: BASE_FLAGS }, 'portico-base') : []),
    ...(ONLY?.includes('portico-incremental') ? [(await targets.portico({ ...o, nodeFlags: toggled(FLAG) }, 'portico-incremental'))[0]] : []),
  ].filter((t) => !ONLY || ONLY.includes(t.name));
  const { client } = await startClient();
  log(`targets: ${all.map((t) => t.name).join(', ')}${BASE ? ` (base: ${BASE})` : ''}; warming up`);
  for (const t of all) await client.call('upgrades', t.endpoint, { ...MEASURE, warmupMs: 0, durationMs: 500, tickets: 1500 });

  const perRound: Record<string, number>[] = [];
  // The CPU each target's own process spent per upgrade it completed (the echo server's is left out: it is
  // the same for all). Other work on the machine slows a target down but does not add to its CPU time, so
  // on a shared machine this is the steadier figure of the two.
  const cpuPerUpgrade: Record<string, number[]> = {};
  const completed: Record<string, number> = {};
  const sysPerUpgrade: Record<string, number[]> = {};
  for (let r = 0; r < ROUNDS; r++) {
    const into: Record<string, number> = {};
    for (let i = 0; i < all.length; i++) {
      const t = all[(i + r) % all.length];
      // Tickets are minted first, outside both the window and the CPU reading, and the garbage they (and
      // the target before) left is collected, so that no target pays for another's.
      await client.call('stockTickets', t.endpoint, MEASURE.tickets);
      await collectGarbage(t);
      const cpu0 = cpuUs(t.memory.pid);
      const sys0 = cpuUs(t.memory.pid, 'system');
      const u = await client.call<Upgrades>('upgrades', t.endpoint, { ...MEASURE, tickets: 0, total: true });
      (cpuPerUpgrade[t.name] ??= []).push((cpuUs(t.memory.pid) - cpu0) / u.completed!);
      (sysPerUpgrade[t.name] ??= []).push((cpuUs(t.memory.pid, 'system') - sys0) / u.completed!);
      completed[t.name] = (completed[t.name] ?? 0) + u.completed!;
      if (u.failed) log(`  ${t.name}: ${u.failed} failed (${u.firstError})`);
      into[t.name] = u.perS;
    }
    perRound.push(into);
    log(`round ${r + 1}/${ROUNDS}: ${all.map((t) => `${t.name} ${into[t.name].toFixed(0)}/s`).join(' · ')}`);
  }
  if (profileDir) {
    for (const t of all) if (['portico', 'portico-base', 'hpm', 'hp3'].includes(t.name)) await t.memory.stop(true);
    log(`CPU profiles in ${path.relative(ROOT, profileDir)}`);
  }

  const names = all.map((t) => t.name);
  const medians = Object.fromEntries(names.map((n) => [n, median(perRound.map((r) => r[n]))]));
  const spread = (n: string) => {
    const v = perRound.map((r) => r[n]).sort((a, b) => a - b);
    return `${v[0].toFixed(0)}–${v[v.length - 1].toFixed(0)}`;
  };
  const ratios = PAIRS.filter(([a, b]) => names.includes(a) && names.includes(b)).map(([a, b]) => {
    const each = perRound.map((r) => r[a] / r[b]);
    return { a, b, median: median(each), min: Math.min(...each), max: Math.max(...each) };
  });
  const out = [
    `${ROUNDS} rounds, ${((Date.now() - started) / 1000).toFixed(0)} s, load average ${loadStart} → ${load()}`,
    '',
    '| target | upgrades/s (median) | range over rounds | CPU µs per upgrade, its own process (median) | of which in the kernel |',
    '|---|--:|--:|--:|--:|',
    ...names.map((n) => `| ${n} | ${medians[n].toFixed(0)} | ${spread(n)} | ${median(cpuPerUpgrade[n]).toFixed(0)} | ${median(sysPerUpgrade[n]).toFixed(0)} |`),
    '',
    '| ratio (paired within each round) | median | range |',
    '|---|--:|--:|',
    ...ratios.map((x) => `| ${x.a} ÷ ${x.b} | ${x.median.toFixed(2)} | ${x.min.toFixed(2)}–${x.max.toFixed(2)} |`),
  ].join('\n');
  process.stdout.write(`\n${out}\n`);
  fs.mkdirSync(path.join(ROOT, 'bench', 'tmp'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'bench', 'tmp', 'upgrades.json'), JSON.stringify({ base: BASE, measure: MEASURE, perRound, medians, ratios, cpuPerUpgrade, sysPerUpgrade, completed }, null, 2));
}

runBench(main);
