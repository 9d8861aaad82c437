'use client';

import type { DeclaredRouteStatus } from '@/lib/protocol/api';
import { Panel } from './panel';

// The operator's declared routes (ROUTES_FILE) on the status page: where each prefix goes, what passes,
// who may pass, its open sockets, and whether its upstream answers. Nothing is shown when none are
// declared: the built-in routes have their own panels.

const TRAFFIC: Record<DeclaredRouteStatus['traffic'], string> = { http: 'HTTP', websocket: 'WebSocket', both: 'HTTP + WebSocket' };

export function DeclaredRoutes({ routes }: { routes: readonly DeclaredRouteStatus[] | undefined }) {
  if (!routes || routes.length === 0) return null;
  const down = routes.filter((r) => r.health && !r.health.reachable).length;
  return (
    <Panel
      id="declared-routes"
      title="Declared routes"
      description="Routes from the operator's routes file, reloaded on change or SIGHUP."
      aside={<span className={`shrink-0 text-xs ${down ? 'text-danger' : 'text-muted'}`}>{down ? `${down} of ${routes.length} unreachable` : `${routes.length} ${routes.length === 1 ? 'route' : 'routes'}`}</span>}
    >
      <ul className="divide-y divide-line">
        {routes.map((r) => (
          <li key={r.name} aria-label={`Route ${r.path}`} className="flex flex-col gap-2 px-5 py-3 text-sm sm:flex-row sm:items-center sm:gap-4">
            <div className="flex min-w-0 flex-1 items-start gap-3">
              <span aria-hidden className={`mt-1.5 size-2 shrink-0 rounded-full ${!r.health ? 'bg-line' : r.health.reachable ? 'bg-emerald-500' : 'bg-danger'}`} />
              <div className="min-w-0">
                <code className="block truncate font-medium text-ink">{r.path}</code>
                <span className="block truncate text-xs text-muted">
                  → <code>{r.upstream}</code>
                </span>
                <span className="mt-1 flex flex-wrap gap-1.5">
                  <Tag>{TRAFFIC[r.traffic]}</Tag>
                  <Tag>{r.auth}</Tag>
                </span>
              </div>
            </div>
            <dl className="flex shrink-0 gap-4 pl-5 text-xs sm:pl-0 sm:text-right">
              <div>
                <dt className="text-muted">Open sockets</dt>
                <dd data-testid={`declared-sockets-${r.name}`} className="font-medium tabular-nums text-ink">
                  {r.openSockets}
                  {r.maxSockets !== null ? <span className="text-muted"> / {r.maxSockets}</span> : null}
                </dd>
              </div>
              <div className="min-w-0 max-w-56">
                <dt className="text-muted">Upstream</dt>
                <dd data-testid={`declared-health-${r.name}`} className={`break-words font-medium ${r.health && !r.health.reachable ? 'text-danger' : 'text-ink'}`}>
                  {!r.health ? 'Checking…' : r.health.reachable ? `Reachable · ${r.health.ms} ms` : `Unreachable: ${r.health.error ?? 'no answer'}`}
                </dd>
              </div>
            </dl>
          </li>
        ))}
      </ul>
    </Panel>
  );
}

function Tag({ children }: { children: string }) {
  return <span className="rounded-md border border-line bg-sunken px-1.5 py-0.5 text-xs text-muted">{children}</span>;
}
