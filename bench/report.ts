import type { PagesRow } from './pages';
import { SCALE_OUT_NOTE, scaleOutTables } from './scale-out-report';
import type { ScaleOutResult } from './scale-out-rows';
import type { Check, Figures, TargetResult } from './summary';

// The results as the markdown page README links to: when and where it ran, one table, Portico's targets,
// and how each figure was taken.

export type Meta = {
  date: string;
  cpu: string;
  cores: number;
  kernel: string;
  node: string;
  nginx: string;
  haproxy: string;
  websockify: string;
  /** The commit measured (of lib/ and server.ts). */
  commit: string;
  /** /proc/loadavg (1 min) when the run started and ended: other work on the machine skews every figure. */
  load: { start: number; end: number };
  rounds: number;
  seconds: number;
  settings: Record<string, number>;
};

const fmt = (v: number, digits = 0) => (Number.isFinite(v) ? v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '—');
const times = (v: number) => (!Number.isFinite(v) ? '—' : v >= 0.1 ? `${v.toFixed(2)}×` : `${v.toPrecision(1)}×`);

function cell(t: TargetResult, key: keyof Figures, digits = 0): string {
  const value = fmt(t.figures[key], digits);
  return t.name === t.baseline ? value : `${value} (${times(t.ratios[key])})`;
}

export function table(results: TargetResult[]): string {
  const rows = results.map((t) => {
    const mem = t.idle ? `${cell(t, 'kbPerSocket', 1)}${t.idle.metric === 'pss' ? ' †' : ''}${t.idle.sockets !== 8000 ? ` @${fmt(t.idle.sockets)}` : ''}` : '—';
    if (!t.idle && !Number.isFinite(t.figures.p50Us)) return `| ${t.path} | ${t.name} | — | — | — | ${cell(t, 'upgradesPerS')} | ${mem} |`;
    return `| ${t.path} | ${t.name} | ${cell(t, 'p50Us')} | ${cell(t, 'p99Us')} | ${cell(t, 'mbPerS')} | ${cell(t, 'upgradesPerS')} | ${mem} |`;
  });
  return [
    '| path | target | round trip p50 (µs) | round trip p99 (µs) | 64 KiB throughput (MB/s) | upgrades/s | KiB per idle socket |',
    '|---|---|--:|--:|--:|--:|--:|',
    ...rows,
  ].join('\n');
}

/** The page-rendering row: round trips through a gateway that renders dashboard pages, with and without the flag. */
export function pagesTable(rows: PagesRow[]): string {
  return [
    '| gateway rendering pages | Node flags | page loads/s | page load p50 (ms) | round trip p50 (µs) | round trip p99 (µs) | round trip p99.9 (µs) |',
    '|---|---|--:|--:|--:|--:|--:|',
    ...rows.map((r) => `| ${r.name} | \`${r.flags}\` | ${fmt(r.pages.perS, 1)} | ${fmt(r.pages.p50Ms)} | ${fmt(r.roundTrip.p50Us)} | ${fmt(r.roundTrip.p99Us)} | ${fmt(r.roundTrip.p999Us)} |`),
  ].join('\n');
}

const PAGES_NOTE =
  'Two more gateways with the dashboard’s pages (production Next), one with `--no-incremental-marking` and one without, each rendering a signed-in dashboard page (`/`, the whole HTML read) at the rate shown while the load client times 32-byte round trips through it; one renders at a time, in alternating slices.';

export function checkList(list: Check[]): string {
  const show = (c: Check, v: number) => (c.unit === '×' ? times(v) : `${fmt(v, 1)} KiB`);
  return [
    '| target | figure | measured | limit | met |',
    '|---|---|--:|--:|:-:|',
    ...list.map((c) => `| ${c.target} | ${c.what} | ${show(c, c.value)} | ${c.atMost ? '≤' : '≥'} ${show(c, c.limit)} | ${c.ok ? 'yes' : '**no**'} |`),
  ].join('\n');
}

function runLine(meta: Meta): string {
  return (
    `Run ${meta.date} on ${meta.cpu} (${meta.cores} cores), Linux ${meta.kernel}, Node ${meta.node}, nginx ${meta.nginx}, HAProxy ${meta.haproxy}, websockify ${meta.websockify}; ` +
    `commit ${meta.commit}; \`npm run bench\`, ${meta.rounds} interleaved rounds, ${Math.round(meta.seconds)} s in all; load average ${meta.load.start.toFixed(2)} at the start, ${meta.load.end.toFixed(2)} at the end.`
  );
}

const RATIO_NOTE = 'Each figure is the median over the rounds; in parentheses its ratio to the baseline of its path: `direct` for the build path, `websockify` for the VM path.';

// README shows the last run between these markers; `npm run bench` rewrites what lies between them.
const README_START = '<!-- bench:start (written by npm run bench) -->';
const README_END = '<!-- bench:end -->';

/** `readme` with the block between the markers replaced by this run, or null when the markers are missing. */
export function withReadmeResults(readme: string, meta: Meta, results: TargetResult[], list: Check[], pages?: PagesRow[], scaleOut?: ScaleOutResult): string | null {
  const from = readme.indexOf(README_START);
  const to = readme.indexOf(README_END);
  if (from === -1 || to < from) return null;
  const pagesBlock = pages ? [pagesTable(pages), '', PAGES_NOTE, ''] : [];
  const scaleBlock = scaleOut ? [scaleOutTables(scaleOut), '', SCALE_OUT_NOTE, ''] : [];
  const block = [README_START, '', runLine(meta), '', table(results), '', RATIO_NOTE, '', ...pagesBlock, ...scaleBlock, '### Portico’s targets', '', checkList(list), '', README_END].join('\n');
  return readme.slice(0, from) + block + readme.slice(to + README_END.length);
}

export function markdown(meta: Meta, results: TargetResult[], list: Check[], pages?: PagesRow[], scaleOut?: ScaleOutResult): string {
  const s = meta.settings;
  const failures = results.flatMap((t) => t.rounds.filter((r) => r.upgrades.failed > 0).map((r) => `${t.name}: ${r.upgrades.failed} failed upgrades (${r.upgrades.firstError})`));
  return [
    '# WebSocket proxy benchmark',
    '',
    runLine(meta),
    '',
    table(results),
    '',
    RATIO_NOTE,
    '',
    ...(pages ? ['## While the gateway renders pages', '', pagesTable(pages), '', PAGES_NOTE, ''] : []),
    ...(scaleOut ? ['## Two gateways (scale-out)', '', scaleOutTables(scaleOut), '', SCALE_OUT_NOTE, ''] : []),
    '## Portico’s targets',
    '',
    checkList(list),
    '',
    ...(failures.length ? ['Failed upgrades (not counted):', '', ...failures.map((f) => `- ${f}`), ''] : []),
    '## How',
    '',
    '- Every server (the echo backends and all proxies) is pinned to core 0 with `taskset`, the load client (one Node process driving `ws` clients) to core 1; everything on 127.0.0.1.',
    '- **build path**: `direct` is a `ws` echo server; `portico` is the gateway (`createPortico`, no pages, production mode, `LOG_LEVEL=info` written to /dev/null (one line per socket, as in production), a fresh `DATA_DIR`) started as `npm start` starts it (`--no-incremental-marking`, `MALLOC_TRIM_THRESHOLD_`: scripts/gateway-runtime.js), with `BUILD_BACKEND_URL` at that echo server, and the client opens `/api/build/<project>?token=<JWT>` with a token from `POST /api/auth/login`; `hpm` is http-proxy-middleware’s `proxy.upgrade` in a plain Node server; `hp3` is http-proxy-3’s `proxy.ws` alone in a plain Node server (the library Portico proxies with: its floor), measured for upgrades only; `nginx` runs the shipped `deploy/nginx.conf` with one worker; `haproxy` is `mode http`, `timeout tunnel 1h`, `nbthread 1`.',
    '- **portico-incremental**: the same gateway as `portico` with `--no-incremental-marking` toggled (scripts/gateway-runtime.js has it: this one runs without), so every row shows what the flag does.',
    '- **VM path**: `portico-bridge` is a second gateway with an admin-registered session whose target is `tcp://127.0.0.1:<port>` of a TCP echo server (client at `/api/sessions/<id>/vnc`, subprotocol `binary`); `websockify` is Debian’s `websockify 127.0.0.1:<p> 127.0.0.1:<tcp echo>`.',
    `- **round trip**: one connection, one ${s.rttBytes}-byte binary message in flight, timed until every byte is back: ${fmt(s.rttCount)} (after ${fmt(s.rttWarmup)} untimed) on a fresh connection to each target in turn, ${s.rttSlices} times over per round, so that noise from elsewhere on the machine falls on every target alike; p50 and p99 of a round's ${fmt(s.rttCount * s.rttSlices)} per target.`,
    `- **throughput**: one connection with ${s.tputInFlight} × 64 KiB binary messages in flight; echoed bytes over ${s.tputSeconds} s after ${s.tputWarmupSeconds} s of warm-up (MB = 10⁶ bytes).`,
    '- **masking**: on the build path nothing between client and echo server looks inside a frame, so the client masks with an all-zero key (allowed by RFC 6455, skipped by `ws` on both ends); on the VM path the bridge and websockify unmask every frame, so the client masks with a random key, as a browser does, framing each payload once and sending those bytes again.',
    `- **upgrades/s**: ${s.upgradeConcurrency} loops of open → close (with the closing handshake) for ${s.upgradeSeconds} s; \`direct\` and the other proxies take unauthenticated upgrades. Portico checks Origin, the token (\`?token=\`, one signed-in user; the gateway remembers a token it has verified until its \`exp\`, so this is the cost of a returning token) and the user’s socket limit, and looks the project up in SQLite on every upgrade. \`portico-ticket\` is the same gateway opened the way a browser opens it: each socket spends a fresh single-use ticket (\`?ticket=\`, ${fmt(s.upgradeTickets)} minted with \`POST /api/socket-tickets\` before each measurement, outside its window); it is measured for upgrades only. The checks against \`hpm\` take the ratio within each round (both measured minutes apart at most) and the median of those.`,
    `- **KiB per idle socket**: memory of the target’s process tree before and after opening ${fmt(s.idleSockets)} idle sockets, divided by their number; taken once, on freshly started processes (after a short warm-up), before the rounds, each reading after ${s.idleSettleSeconds} s of quiet. Node processes collect garbage (\`--expose-gc\`) before each reading, so the figure is live memory; for nginx it is master + worker. † websockify forks a process per connection, whose RSS mostly counts pages shared with its parent: its figure sums PSS instead, over ${fmt(s.websockifyIdleSockets)} sockets (8,000 forked interpreters would not fit). Raw RSS and PSS for every target are in \`results.json\`.`,
    '- Rounds are interleaved: each round measures every target once per figure, in an order rotated by one each round.',
    '',
  ].join('\n');
}
