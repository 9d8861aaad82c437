import path from 'node:path';
import type { Client } from './load-client';
import { spawnPinned } from './procs';
import { percentile } from './stats';
import { roundTripOf, type RoundTrip } from './summary';
import { CLIENT_CORE, porticoWithPages, type PagesGateway } from './targets';
const runtime = require('../scripts/gateway-runtime') as { nodeFlags: string[] };

// The page-rendering row (issue 12.5): scripts/gateway-runtime.js starts the gateway with
// --no-incremental-marking, which bought relay throughput; its price is that each mark-compact is one
// pause, longer with the dashboard's pages loaded. Here two gateways with their pages (production Next),
// one with the runtime's flags and one without that flag, each rendering a signed-in dashboard page
// BENCH_PAGE_RATE times a second (default 20), while the load client times socket round trips through
// it. One gateway renders at a time (two would share core 0 and neither keep the rate): slice by slice,
// each gateway in turn gets its page loads and, a moment later, its round trips.

const ROOT = path.resolve(__dirname, '..');
export const FLAG = '--no-incremental-marking';

export type PageLoads = { loads: number; perS: number; failed: number; skipped: number; firstError?: string; p50Ms: number; p99Ms: number };
export type PagesRow = { name: string; flags: string; pages: PageLoads; roundTrip: RoundTrip & { p999Us: number } };

type Opts = { backendUrl: string; adminPassword: string; dataDir: string; rate: number; slices: number; rtt: { size: number; warmup: number; count: number } };

export async function measurePages(client: Client, o: Opts, log: (line: string) => void): Promise<PagesRow[]> {
  const withFlag = runtime.nodeFlags.includes(FLAG) ? runtime.nodeFlags : [...runtime.nodeFlags, FLAG];
  const withoutFlag = runtime.nodeFlags.filter((f) => f !== FLAG);
  const gateways: PagesGateway[] = [await porticoWithPages(o, 'pages-with-flag', withFlag), await porticoWithPages(o, 'pages-without-flag', withoutFlag)];
  const loaders = gateways.map((g) =>
    spawnPinned(`page-load ${g.name}`, process.execPath, ['--import', 'tsx', path.join(__dirname, 'page-load.ts')], {
      core: CLIENT_CORE,
      cwd: ROOT,
      env: { BENCH_PAGE_URL: g.pageUrl, BENCH_COOKIE: g.cookie, BENCH_PAGE_RATE: String(o.rate) },
    }),
  );
  try {
    await Promise.all(loaders.map((l) => l.waitFor(/WARM/, 120_000)));
    const report = async () =>
      Promise.all(
        loaders.map(async (l) => {
          const from = l.output().length;
          process.kill(l.pid, 'SIGUSR2');
          return JSON.parse((await l.waitFor(/PAGES (\{.*\})\n/, 10_000, from))[1]) as PageLoads;
        }),
      );
    const toggle = async (i: number) => {
      const from = loaders[i].output().length;
      process.kill(loaders[i].pid, 'SIGUSR1');
      await loaders[i].waitFor(/(PAUSED|RESUMED) \d+/, 10_000, from);
    };
    await Promise.all(loaders.map((_, i) => toggle(i))); // both paused
    await report(); // counting starts now
    const samples = gateways.map(() => [] as number[]);
    for (let slice = 0; slice < o.slices; slice++) {
      for (let i = 0; i < gateways.length; i++) {
        await toggle(i);
        // A few page loads under way before the first round trip is timed.
        await new Promise((r) => setTimeout(r, 300));
        samples[i].push(...(await client.call<number[]>('roundTrip', gateways[i].endpoint, o.rtt)));
        await toggle(i);
      }
    }
    const pages = await report();
    const rows = gateways.map((g, i) => ({
      name: g.name,
      flags: g.flags.join(' ') || '(none)',
      pages: pages[i],
      roundTrip: { ...roundTripOf(samples[i]), p999Us: percentile(samples[i], 99.9) },
    }));
    for (const r of rows) log(`pages: ${r.name.padEnd(20)} ${r.pages.perS.toFixed(1)} loads/s (p50 ${r.pages.p50Ms.toFixed(0)} ms, ${r.pages.failed} failed), round trip p50 ${r.roundTrip.p50Us.toFixed(0)} µs, p99 ${r.roundTrip.p99Us.toFixed(0)} µs`);
    return rows;
  } finally {
    await Promise.all([...loaders, ...gateways.map((g) => g.proc)].map((p) => p.stop()));
  }
}
