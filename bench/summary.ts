import type { Memory } from './procs';
import type { Throughput, Upgrades } from './measure';
import type { TargetName } from './targets';
import { median, percentile, ratio } from './stats';

// Raw measurements → the figures of the table: the median over the interleaved rounds, each as a ratio
// to its path's baseline (direct for the build path, websockify for the VM path), and Portico's targets.

export type RoundTrip = { p50Us: number; p99Us: number; messages: number };
/** An upgrades-only target (a second credential on a gateway measured already) has no round trip or throughput. */
export type Round = { roundTrip?: RoundTrip; throughput?: Throughput; upgrades: Upgrades };

/** A round's round-trip figures, from every sample it took of one target. */
export function roundTripOf(samplesUs: readonly number[]): RoundTrip {
  return { p50Us: percentile(samplesUs, 50), p99Us: percentile(samplesUs, 99), messages: samplesUs.length };
}

export type Idle = {
  sockets: number;
  openSeconds: number;
  before: Memory;
  after: Memory;
  /** Which sum the per-socket figure uses: RSS, or PSS for a target that forks a process per socket. */
  metric: 'rss' | 'pss';
  kbPerSocket: number;
};

export type Figures = { p50Us: number; p99Us: number; mbPerS: number; upgradesPerS: number; kbPerSocket: number };

export type TargetResult = {
  name: TargetName;
  path: 'build' | 'vm';
  baseline: TargetName;
  rounds: Round[];
  idle?: Idle;
  figures: Figures;
  ratios: Figures;
};

export type Check = { target: TargetName; what: string; value: number; limit: number; atMost: boolean; unit: '×' | 'KiB'; ok: boolean };

export function idleCost(sockets: number, before: Memory, after: Memory, metric: Idle['metric'], openSeconds: number): Idle {
  const delta = metric === 'rss' ? after.rssKb - before.rssKb : after.pssKb - before.pssKb;
  return { sockets, openSeconds, before, after, metric, kbPerSocket: delta / sockets };
}

export function figuresOf(rounds: Round[], idle: Idle | undefined): Figures {
  return {
    p50Us: median(rounds.flatMap((r) => r.roundTrip?.p50Us ?? [])),
    p99Us: median(rounds.flatMap((r) => r.roundTrip?.p99Us ?? [])),
    mbPerS: median(rounds.flatMap((r) => r.throughput?.mbPerS ?? [])),
    upgradesPerS: median(rounds.map((r) => r.upgrades.perS)),
    kbPerSocket: idle?.kbPerSocket ?? NaN,
  };
}

/** The median over rounds of `a`'s upgrades/s ÷ `b`'s in the same round: paired, so a noisy round moves both. */
export function pairedUpgradeRatio(a: TargetResult, b: TargetResult): number {
  const n = Math.min(a.rounds.length, b.rounds.length);
  return median(Array.from({ length: n }, (_, i) => ratio(a.rounds[i].upgrades.perS, b.rounds[i].upgrades.perS)));
}

export function summarise(raw: { name: TargetName; path: 'build' | 'vm'; rounds: Round[]; idle?: Idle }[]): TargetResult[] {
  const figures = new Map(raw.map((t) => [t.name, figuresOf(t.rounds, t.idle)]));
  return raw.map((t) => {
    const baseline: TargetName = t.path === 'build' ? 'direct' : 'websockify';
    const f = figures.get(t.name)!;
    const b = figures.get(baseline)!;
    const ratios = Object.fromEntries(Object.entries(f).map(([k, v]) => [k, ratio(v, b[k as keyof Figures])])) as Figures;
    return { ...t, baseline, figures: f, ratios };
  });
}

export function checks(results: TargetResult[]): Check[] {
  const of = (name: TargetName) => results.find((r) => r.name === name)!;
  const portico = of('portico');
  const bridge = of('portico-bridge');
  const ticket = results.find((r) => r.name === 'portico-ticket');
  const hpm = of('hpm');
  const check = (target: TargetName, what: string, value: number, atMost: boolean, limit: number, unit: Check['unit'] = '×'): Check => ({
    target,
    what,
    value,
    limit,
    atMost,
    unit,
    ok: atMost ? value <= limit : value >= limit,
  });
  return [
    check('portico', 'round trip p50 vs direct', portico.ratios.p50Us, true, 1.3),
    check('portico', 'round trip p99 vs direct', portico.ratios.p99Us, true, 1.5),
    check('portico', '64 KiB throughput vs direct', portico.ratios.mbPerS, false, 0.5),
    check('portico', 'authenticated upgrades/s vs direct unauthenticated', portico.ratios.upgradesPerS, false, 0.5),
    // Issue 12.5: at least http-proxy-middleware's unauthenticated rate, with either credential.
    check('portico', 'upgrades/s with ?token= vs hpm unauthenticated (paired)', pairedUpgradeRatio(portico, hpm), false, 1),
    ...(ticket ? [check('portico-ticket', 'upgrades/s with a ticket vs hpm unauthenticated (paired)', pairedUpgradeRatio(ticket, hpm), false, 1)] : []),
    check('portico', 'RSS per idle proxied socket', portico.figures.kbPerSocket, true, 10, 'KiB'),
    check('portico-bridge', '64 KiB throughput vs websockify', bridge.ratios.mbPerS, false, 2),
    check('portico-bridge', 'round trip p50 vs websockify', bridge.ratios.p50Us, true, 0.8),
  ];
}
