import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startClient } from './load-client';
import { pinSelf, runBench } from './procs';
import { SCALE_OUT_NOTE, scaleOutTables } from './scale-out-report';
import { measureScaleOut, startScaleOut } from './scale-out-rows';
import * as targets from './targets';

// `npx tsx bench/scale-out.ts`: the scale-out rows of `npm run bench` alone (bench/scale-out-rows.ts), in
// about a minute: hub fan-out to 1,000 subscribers over two gateways on Redis against one
// embedded gateway, and upgrades/s through HAProxy with two gateways against one. Servers on core 0, the
// load client on core 1, as in bench/run.ts. BENCH_ROUNDS (default 5), BENCH_EVENTS events per target per
// round (default 10), BENCH_SUBSCRIBERS (default 1000). Prints the tables; writes bench/tmp/scale-out.json.

const ROOT = path.resolve(__dirname, '..');
export const SCALE_OUT_SETTINGS = {
  rounds: Number(process.env.BENCH_ROUNDS ?? 5),
  events: Number(process.env.BENCH_EVENTS ?? 10),
  upgrade: { concurrency: 16, warmupMs: 300, durationMs: 2000 },
};

async function main() {
  const started = Date.now();
  const load = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
  const loadStart = load();
  pinSelf(targets.CLIENT_CORE);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-bench-'));
  process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
  const log = (line: string) => process.stdout.write(`[scale-out ${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s] ${line}\n`);
  const echo = await targets.startEchoBackends();
  const so = await startScaleOut({ backendUrl: echo.wsUrl, adminPassword: randomBytes(12).toString('base64url'), dataDir: tmp, subscribers: Number(process.env.BENCH_SUBSCRIBERS ?? 1000), log });
  const { client } = await startClient();
  const result = await measureScaleOut(client, so, SCALE_OUT_SETTINGS, log);
  await so.close();
  const seconds = (Date.now() - started) / 1000;
  process.stdout.write(`\n${result.rounds} rounds, ${seconds.toFixed(0)} s, load average ${loadStart} → ${load()}\n\n${scaleOutTables(result)}\n\n${SCALE_OUT_NOTE}\n`);
  fs.mkdirSync(path.join(ROOT, 'bench', 'tmp'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'bench', 'tmp', 'scale-out.json'), JSON.stringify({ seconds, load: { start: loadStart, end: load() }, ...result }, null, 2));
}

runBench(main);
