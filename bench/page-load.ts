import { percentile } from './stats';

// Page loads against one gateway at a steady rate, for the page-rendering row of bench/run.ts: a signed-in
// browser's GET of a dashboard page (the whole HTML, read to its end) every 1/BENCH_PAGE_RATE s, at most
// MAX_IN_FLIGHT at once so that a gateway that falls behind is not buried. Prints WARM after its first
// loads; SIGUSR1 pauses or resumes it (the orchestrator loads one gateway at a time, so that two
// gateways rendering at once do not share one core); on SIGUSR2 prints what it did while running since
// the last report (`PAGES {json}`) and starts counting anew.

const url = process.env.BENCH_PAGE_URL!;
const cookie = process.env.BENCH_COOKIE!;
const rate = Number(process.env.BENCH_PAGE_RATE ?? 20);
const MAX_IN_FLIGHT = 4;
const WARM_AFTER = 10;

let inFlight = 0;
let done = 0;
let failed = 0;
let skipped = 0;
let firstError: string | undefined;
let latencies: number[] = [];
let active = true;
let activeMs = 0;
let since = performance.now();
const activeSeconds = () => (activeMs + (active ? performance.now() - since : 0)) / 1000;

async function load() {
  if (inFlight >= MAX_IN_FLIGHT) return void skipped++;
  inFlight++;
  const t0 = performance.now();
  try {
    const res = await fetch(url, { headers: { cookie }, redirect: 'manual' });
    const body = await res.text();
    if (res.status !== 200 || body.length < 1000) throw new Error(`HTTP ${res.status}, ${body.length} bytes`);
    latencies.push(performance.now() - t0);
    if (++done === WARM_AFTER) process.stdout.write('WARM\n');
  } catch (err) {
    failed++;
    firstError ??= (err as Error).message;
  } finally {
    inFlight--;
  }
}

setInterval(() => active && void load(), 1000 / rate);
process.on('SIGUSR1', () => {
  if (active) activeMs += performance.now() - since;
  else since = performance.now();
  active = !active;
  process.stdout.write(`${active ? 'RESUMED' : 'PAUSED'} ${Date.now()}\n`);
});
process.on('SIGUSR2', () => {
  const seconds = activeSeconds();
  const report = { loads: latencies.length, perS: latencies.length / seconds, failed, skipped, firstError, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
  process.stdout.write(`PAGES ${JSON.stringify(report)}\n`);
  latencies = [];
  failed = 0;
  skipped = 0;
  activeMs = 0;
  since = performance.now();
});
process.on('SIGTERM', () => process.exit(0));
