'use client';

import { Activity } from 'lucide-react';
import { useEffect, useId, useState, type ReactNode } from 'react';
import type { RouteStatus, SystemSample } from '@/lib/protocol/api';
import { OFFLINE_SENTENCE } from '@/lib/client/api';
import { feedFreshness } from '@/lib/client/feed-freshness';
import { formatBytes, formatDuration } from '@/lib/protocol/format-units';
import { useHubTopic } from '@/lib/client/use-hub-topic';
import { ConnectionBadge } from './connection-badge';
import { ErrorSentence } from './error-sentence';
import { LineChart } from './line-chart';
import { Panel } from './panel';
import { useCurrentUser } from './require-user';
import { AdminOnlyNotice } from './admin-only-notice';
import { ServerUnreachable } from './server-unreachable';
import { SYSTEM_TOPIC } from '@/lib/protocol/topics';
import { DeclaredRoutes } from './declared-routes';
import { RouteSockets } from './route-sockets';
import type { DeclaredRouteStatus, ProcessStatus } from '@/lib/protocol/api';
import { Processes } from './processes';

// The status page (design.md "Health and metrics", "Pages"): /api/admin/health on load and every few seconds for
// upstreams, and the `system` topic (a sample every 2 s) for the live numbers and the charts.

type Health = {
  status: 'ok' | 'draining';
  uptimeS: number;
  sockets: { open: number; byRoute: Record<string, number> };
  /** Every socket route the server has (built-in and declared), in the router's order. */
  routes: RouteStatus[];
  activeBuilds: number | null;
  upstreams: Record<string, { url: string; reachable: boolean; ms: number; activeBuilds?: number; error?: string }>;
  declaredRoutes?: DeclaredRouteStatus[];
  processes?: ProcessStatus[] | null;
  processesError?: string | null;
};

// Routes are coloured in the router's order, so the built-in ones keep their colours whatever is declared.
const ROUTE_COLORS = [
  'text-accent',
  'text-violet-500 dark:text-violet-400',
  'text-amber-500 dark:text-amber-400',
  'text-emerald-600 dark:text-emerald-400',
  'text-rose-500 dark:text-rose-400',
  'text-sky-500 dark:text-sky-400',
];

const UPSTREAM_NAMES: Record<string, string> = { build: 'Build service' };

/** A label inside a sentence: "Build streams" → "build streams", but "VM viewers" stays as it is. */
const inSentence = (label: string) => (/^[A-Z][a-z]/.test(label) ? label[0].toLowerCase() + label.slice(1) : label);

const HEALTH_EVERY_MS = 5000;
// The charts keep five minutes; until there is that much, their time axis spans what there is (at least a
// minute), so a page opened a moment ago does not draw its first samples as a sliver at the right edge.
const WINDOW_MS = 5 * 60_000;
const MIN_WINDOW_MS = 60_000;
const MAX_SAMPLES = WINDOW_MS / 2000 + 5;

export function StatusBoard() {
  const user = useCurrentUser();
  if (user.role !== 'admin') {
    return <AdminOnlyNotice>The status page shows every socket the server holds. Ask an admin if you need it.</AdminOnlyNotice>;
  }
  return <AdminStatus />;
}

function AdminStatus() {
  const [samples, setSamples] = useState<SystemSample[]>([]);
  // This clock, not the sample's: the server's clock may differ from the browser's.
  const [receivedAt, setReceivedAt] = useState<number | null>(null);
  const hub = useHubTopic({
    topic: SYSTEM_TOPIC,
    onEvent(data) {
      const sample = data as SystemSample;
      if (typeof sample?.at !== 'number') return;
      setSamples((s) => [...s.slice(-(MAX_SAMPLES - 1)), sample]);
      setReceivedAt(Date.now());
    },
  });
  // Checked again the moment the feed is back, so the upstreams do not read "unreachable" for 5 s more.
  const health = useHealth(hub.state === 'live');
  const now = useNow(1000);
  const freshness = feedFreshness({ socket: hub.state, lastReceivedAt: receivedAt, now });
  // A final refusal (4403…) has its own sentence below; this is for a server that is not answering.
  const unreachable = (freshness === 'stale' && !hub.problem?.final) || health.unreachable;
  const bannerId = useId();

  const last = samples.at(-1);
  // The live sample is the fresher of the two; the health details stand in until the first one arrives.
  const byRoute = last?.sockets ?? health.data?.sockets.byRoute;
  const activeBuilds = last ? last.activeBuilds : health.data?.activeBuilds;
  const uptimeS = last?.uptimeS ?? health.data?.uptimeS;
  const build = health.data?.upstreams.build;
  const total = byRoute ? Object.values(byRoute).reduce((a, b) => a + b, 0) : undefined;
  const routes = (health.data?.routes ?? []).map((r, i) => ({ ...r, color: ROUTE_COLORS[i % ROUTE_COLORS.length] }));
  const points = (pick: (s: SystemSample) => number) => samples.map((s) => ({ t: s.at, v: pick(s) }));
  const windowMs = last ? Math.min(WINDOW_MS, Math.max(MIN_WINDOW_MS, last.at - samples[0].at)) : MIN_WINDOW_MS;

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div>
          <h1 className="text-xl font-semibold tracking-tight text-ink">Status</h1>
          <p className="mt-1 text-sm text-muted">Sockets, builds and upstreams of this server, live.</p>
        </div>
        <ConnectionBadge state={hub.state} label="Live system stats" />
      </div>

      {unreachable ? <ServerUnreachable id={bannerId} figuresAt={samples.at(-1)?.at ?? health.answeredAt} /> : null}
      {hub.problem?.final ? <ErrorSentence>{`${hub.problem.sentence} Live numbers are paused.`}</ErrorSentence> : null}
      {hub.topicError ? <ErrorSentence>{hub.topicError}</ErrorSentence> : null}
      {health.data?.status === 'draining' ? <ErrorSentence>The server is draining: it takes no new sockets and is about to stop.</ErrorSentence> : null}

      {/* Figures the banner says are old are greyed, and named stale to screen readers through it. */}
      <div
        data-testid="status-figures"
        data-stale={unreachable ? 'true' : 'false'}
        aria-describedby={unreachable ? bannerId : undefined}
        className={`space-y-6 transition-[opacity,filter] ${unreachable ? 'opacity-50 grayscale' : ''}`}
      >
        <dl className="grid grid-cols-2 gap-3 sm:gap-4 lg:grid-cols-4">
          <Stat label="Open sockets" value={total} testId="socket-count-total">
            {byRoute && routes.length ? routes.map((r) => `${byRoute[r.name] ?? 0} ${inSentence(r.label)}`).join(' · ') : null}
          </Stat>
          <Stat label="Active builds" value={activeBuilds === null ? '—' : activeBuilds} testId="active-builds">
            {activeBuilds === null ? 'Reported by an embedded build backend only.' : activeBuilds === 0 ? 'None running' : 'Running now'}
          </Stat>
          <Stat label="Build service" value={build ? (build.reachable ? 'Reachable' : 'Unreachable') : undefined} tone={build && !build.reachable ? 'bad' : build ? 'good' : undefined} testId="upstream-build">
            {build ? (build.reachable ? `Answered in ${build.ms} ms` : (build.error ?? 'No answer')) : null}
          </Stat>
          <Stat label="Uptime" value={uptimeS === undefined ? undefined : formatDuration(uptimeS)} testId="uptime">
            {last ? `Load average ${last.loadAverage.map((l) => l.toFixed(2)).join(' · ')}` : null}
          </Stat>
        </dl>

        <Panel id="system" title="System" description="This server process, sampled every 2 s." aside={last ? <SampleTime at={last.at} /> : null}>
          {samples.length === 0 ? (
            <p role="status" className="px-5 py-10 text-center text-sm text-muted">
              {hub.state === 'live' ? 'Waiting for the first sample…' : 'Connecting to the live feed…'}
            </p>
          ) : (
            <div className="grid grid-cols-1 gap-x-8 gap-y-6 px-5 py-5 lg:grid-cols-3">
              <ChartBlock title="CPU" value={`${last!.cpuPercent.toFixed(1)} %`} note="of one core">
                <LineChart label="CPU, % of one core" series={[{ name: 'CPU', color: 'text-accent', points: points((s) => s.cpuPercent) }]} now={last!.at} windowMs={windowMs} minMax={10} format={(v) => `${Math.round(v)} %`} />
              </ChartBlock>
              <ChartBlock title="Memory" value={formatBytes(last!.memory.rss)} note={`RSS · heap ${formatBytes(last!.memory.heapUsed)}`}>
                <LineChart label="Memory, resident set size" series={[{ name: 'RSS', color: 'text-accent', points: points((s) => s.memory.rss) }]} now={last!.at} windowMs={windowMs} minMax={50_000_000} format={formatBytes} />
              </ChartBlock>
              <ChartBlock title="Sockets" value={String(total ?? 0)} note="open, by route">
                <LineChart
                  label="Open sockets by route"
                  series={routes.map((r) => ({ name: r.label, color: r.color, points: points((s) => s.sockets[r.name] ?? 0) }))}
                  now={last!.at}
                  windowMs={windowMs}
                  minMax={4}
                  step
                  format={(v) => String(Math.round(v))}
                />
              </ChartBlock>
            </div>
          )}
        </Panel>

        <div className="grid grid-cols-1 items-start gap-6 lg:grid-cols-2">
          <RouteSockets routes={routes} byRoute={byRoute} />

          <Panel id="upstreams" title="Upstreams" description={`Checked by the gateway every ${HEALTH_EVERY_MS / 1000} s.`} aside={health.answeredAt ? <SampleTime at={health.answeredAt} /> : null}>
            {health.error ? (
              <div className="px-5 py-4">
                <ErrorSentence>{health.error}</ErrorSentence>
              </div>
            ) : null}
            {health.data ? (
              <ul className="divide-y divide-line">
                {Object.entries(health.data.upstreams).map(([name, u]) => (
                  <li key={name} className="flex items-center gap-3 px-5 py-3 text-sm">
                    <span aria-hidden className={`size-2 shrink-0 rounded-full ${u.reachable ? 'bg-emerald-500' : 'bg-danger'}`} />
                    <span className="min-w-0 flex-1">
                      <span className="block font-medium text-ink">{UPSTREAM_NAMES[name] ?? name}</span>
                      <code className="block truncate text-xs text-muted">{u.url}</code>
                    </span>
                    <span className={`shrink-0 text-right text-xs ${u.reachable ? 'text-muted' : 'text-danger'}`}>
                      {u.reachable ? `Reachable · ${u.ms} ms` : `Unreachable: ${u.error ?? 'no answer'}`}
                    </span>
                  </li>
                ))}
              </ul>
            ) : !health.error ? (
              <p role="status" className="px-5 py-4 text-sm text-muted">
                Checking…
              </p>
            ) : null}
          </Panel>
        </div>

        <Processes processes={health.data?.processes} error={health.data?.processesError} now={health.answeredAt ?? 0} />

        <DeclaredRoutes routes={health.data?.declaredRoutes} />
      </div>
    </div>
  );
}

type HealthState = {
  data: Health | null;
  /** The server refused (a sign-in that expired…): its sentence. */
  error: string | null;
  /** The last check got no answer at all; the banner says so, the details stay as they were. */
  unreachable: boolean;
  /** When the details shown last came (this clock). */
  answeredAt: number | null;
};

/** The admin's health details now and every few seconds (503 with the same body while the server drains). */
function useHealth(feedLive: boolean) {
  const [state, setState] = useState<HealthState>({ data: null, error: null, unreachable: false, answeredAt: null });
  useEffect(() => {
    const ctrl = new AbortController();
    const check = async () => {
      try {
        const res = await fetch('/api/admin/health', { cache: 'no-store', signal: ctrl.signal });
        const body: unknown = await res.json();
        if (!res.ok && res.status !== 503) {
          const message = (body as { error?: { message?: string } } | null)?.error?.message;
          setState((s) => ({ ...s, error: message ?? OFFLINE_SENTENCE, unreachable: false }));
          return;
        }
        setState({ data: body as Health, error: null, unreachable: false, answeredAt: Date.now() });
      } catch {
        if (ctrl.signal.aborted) return;
        setState((s) => ({ ...s, unreachable: true }));
      }
    };
    void check();
    const timer = setInterval(check, HEALTH_EVERY_MS);
    return () => {
      clearInterval(timer);
      ctrl.abort();
    };
  }, [feedLive]);
  return state;
}

/** The time now, again every `everyMs`: what lets a page notice that nothing has happened for a while. */
function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

function Stat({ label, value, tone, testId, children }: { label: string; value: string | number | undefined; tone?: 'good' | 'bad'; testId: string; children?: string | null }) {
  const color = tone === 'bad' ? 'text-danger' : tone === 'good' ? 'text-emerald-700 dark:text-emerald-300' : 'text-ink';
  return (
    <div className="min-w-0 rounded-xl border border-line bg-surface px-4 py-3 shadow-xs sm:px-5 sm:py-4">
      <dt className="text-xs font-medium text-muted">{label}</dt>
      <dd data-testid={testId} className={`mt-1 truncate text-xl font-semibold tracking-tight tabular-nums sm:text-2xl ${color}`}>
        {value ?? <span className="inline-block h-7 w-12 animate-pulse rounded bg-sunken align-middle" />}
      </dd>
      <dd className="mt-1 min-h-4 text-xs break-words text-muted">{children}</dd>
    </div>
  );
}

function ChartBlock({ title, value, note, children }: { title: string; value: string; note: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <div className="mb-3 flex items-baseline gap-2">
        <h3 className="text-sm font-medium text-ink">{title}</h3>
        <span className="ml-auto text-lg font-semibold tabular-nums text-ink">{value}</span>
      </div>
      <p className="-mt-2 mb-3 text-right text-xs text-muted">{note}</p>
      {children}
    </div>
  );
}

function SampleTime({ at }: { at: number }) {
  const d = new Date(at);
  return (
    <span className="inline-flex shrink-0 items-center gap-1.5 text-xs text-muted tabular-nums">
      <Activity aria-hidden className="size-3.5" />
      <time dateTime={d.toISOString()}>{d.toLocaleTimeString()}</time>
    </span>
  );
}
