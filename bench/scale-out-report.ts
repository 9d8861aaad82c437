import type { ScaleOutResult } from './scale-out-rows';

// The scale-out rows as markdown: the two tables and how they were taken (README, results.md, and
// `npx tsx bench/scale-out.ts`).

const fmt = (v: number, digits = 0) => (Number.isFinite(v) ? v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '—');

export function scaleOutTables(r: ScaleOutResult): string {
  const ratio = (a: string, what: string) => r.ratios.find((x) => x.a === a && x.what === what);
  const times = (p?: { median: number; min: number; max: number }) => (p ? `${p.median.toFixed(2)}× (${p.min.toFixed(2)}–${p.max.toFixed(2)})` : '—');
  return [
    `| hub fan-out to ${fmt(r.subscribers)} subscribers | gateways | latency p50 (µs) | latency p99 (µs) | first receipt (µs) | p50 per gateway (µs) | ÷ one gateway, paired: p50 · p99 · first | not received |`,
    '|---|---|--:|--:|--:|--:|--:|--:|',
    ...r.fanout.map((f) => {
      const per = f.byGateway ? Object.entries(f.byGateway).map(([g, v]) => `${g} ${fmt(v)}`).join(' · ') : '—';
      const ratios = f.name === 'hub-one-gateway' ? '—' : ['hub fan-out p50', 'hub fan-out p99', 'hub first receipt'].map((w) => times(ratio(f.name, w))).join(' · ');
      return `| ${f.name} | ${f.gateways} | ${fmt(f.p50Us)} | ${fmt(f.p99Us)} | ${fmt(f.firstUs)} | ${per} | ${ratios} | ${fmt(f.lost)} |`;
    }),
    '',
    '| scale-out upgrades (`?token=`) | path | upgrades/s | ÷ the next row, paired | failed |',
    '|---|---|--:|--:|--:|',
    ...r.upgrades.map((u) => `| ${u.name} | ${u.via} | ${fmt(u.perS)} | ${times(r.ratios.find((x) => x.what === 'upgrades/s' && x.a === u.name))} | ${fmt(u.failed)} |`),
  ].join('\n');
}

export const SCALE_OUT_NOTE =
  'Scale-out rows: gateways A and B run with `REDIS_URL` (one redis-server) and `DATABASE_URL` (one Postgres), as `npm run cluster` runs them; `hub-one-gateway` is an embedded gateway (SQLite, no Redis). ' +
  'Fan-out: each event is a `POST /api/emit` (the `EMIT_TOKEN`) to A (or to the embedded gateway), timed on the load client’s clock from just before the request to each subscriber’s receipt of its `event` (first receipt: the median over events of the earliest subscriber’s, the hop without the queue of sends behind it); the subscribers are `/api/events` sockets (`?token=`) to the project’s `files` topic, alternately on A and on B; events one at a time, each once the last has reached everyone. ' +
  'Upgrades: the portico row’s `/api/build/<project>?token=` through HAProxy running `deploy/haproxy.cfg` (lib/cluster/haproxy-config.ts) with both gateways, with A alone, to A directly, and to the embedded gateway directly (what Redis’s leases and Postgres cost an upgrade). ' +
  'Every server — both gateways, Redis, Postgres, HAProxy — is pinned to the server core like the other rows, so two gateways share one core: these rows show what the cluster’s shape costs on the same CPU, not what a second machine adds. ' +
  'Each figure is the median over rounds; each ratio is taken within a round (range over rounds in parentheses).';
