import http from 'node:http';
import https from 'node:https';
import type { SocketRegistry } from '../upgrade/socket-registry';
import type { AnyRoute } from '../upgrade/routes/route';
import type { ProcessStatus, RouteStatus } from '../protocol/api';
import type { DeclaredRouteStatus } from '../declared-routes/declared-routes';

// Health, in two halves. The public `/healthz` says only ok / not ok — a load balancer needs no more, and
// anyone on the internet gets no map of the upstreams. Admins get the details (sockets per route, the
// build backend's reachability and builds) from `/api/admin/health`, which the status page reads. The
// build backend is asked for its own /healthz, cached briefly so a tight loop cannot become a request
// storm against it.

const PROBE_TIMEOUT_MS = 1000;
const CACHE_MS = 2000;
const MAX_BODY_BYTES = 64 * 1024;

export type BackendHealth = { url: string; reachable: boolean; ms: number; activeBuilds?: number; error?: string };

/**
 * With `http.request`, not `fetch`: undici refuses the ports it deems "bad" (4190, 6000, 6665–6669, …)
 * before connecting, and so reported a live backend on such a port as down.
 */
export function probeBackend(httpOrigin: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<BackendHealth> {
  const started = Date.now();
  const done = (r: Omit<BackendHealth, 'url' | 'ms'>): BackendHealth => ({ url: httpOrigin, ms: Date.now() - started, ...r });
  return new Promise((resolve) => {
    let settled = false;
    const settle = (r: BackendHealth) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const url = new URL('/healthz', httpOrigin);
    const req = (url.protocol === 'https:' ? https : http).get(url, { agent: false, headers: { accept: 'application/json' } }, (res) => {
      // Any HTTP answer means the backend is there; only Portico's own backend reports its builds.
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        if (body.length > MAX_BODY_BYTES) res.destroy();
      });
      res.on('error', () => undefined);
      res.on('close', () => {
        let activeBuilds: number | undefined;
        if (res.statusCode === 200) {
          try {
            const n = (JSON.parse(body) as { activeBuilds?: unknown }).activeBuilds;
            if (typeof n === 'number') activeBuilds = n;
          } catch {
            // Not ours, or cut short: reachable all the same.
          }
        }
        settle(done({ reachable: true, activeBuilds }));
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => settle(done({ reachable: false, error: err.code ?? err.message })));
    const timer = setTimeout(() => {
      settle(done({ reachable: false, error: `no answer within ${timeoutMs} ms` }));
      req.destroy();
    }, timeoutMs);
  });
}

export type HealthStatus = 'ok' | 'draining';

/** One socket route as the status page lists it: from the route records, with its open sockets. */
export type { RouteStatus } from '../protocol/api';

export function createHealth(deps: {
  registry: SocketRegistry;
  routes: () => readonly AnyRoute[];
  buildBackendHttp: URL;
  isDraining: () => boolean;
  /** The operator's declared routes with their upstreams' health (ROUTES_FILE). */
  declaredRoutes?: () => Promise<DeclaredRouteStatus[]>;
  /** Every Portico process from its heartbeat (lib/cluster/process-registry.ts). */
  processes?: () => Promise<ProcessStatus[]>;
}) {
  const startedAt = Date.now();
  let cached: { at: number; value: Promise<BackendHealth> } | null = null;
  function build(): Promise<BackendHealth> {
    // Concurrent callers share one probe.
    if (!cached || Date.now() - cached.at >= CACHE_MS) cached = { at: Date.now(), value: probeBackend(deps.buildBackendHttp.origin) };
    return cached.value;
  }
  const status = (): HealthStatus => (deps.isDraining() ? 'draining' : 'ok');
  return {
    /** What the public `/healthz` says: 200 `ok`, or 503 while draining. */
    status,
    /** For admins: the whole picture. */
    async details() {
      const [backend, declaredRoutes, processes] = await Promise.all([
        build(),
        deps.declaredRoutes?.() ?? [],
        // Redis away: the rest of the picture still answers, and says what is missing.
        (deps.processes?.() ?? Promise.resolve(null)).then(
          (list) => ({ list, error: null }),
          (err: Error) => ({ list: null, error: `The process list is unavailable: ${err.message}` }),
        ),
      ]);
      const byRoute = deps.registry.byRoute();
      return {
        status: status(),
        uptimeS: Math.round((Date.now() - startedAt) / 1000),
        sockets: { open: deps.registry.size, byRoute },
        routes: deps.routes().map((r): RouteStatus => ({ name: r.name, label: r.label, pattern: r.pattern, origin: r.origin, access: r.access, open: byRoute[r.name] ?? 0 })),
        activeBuilds: backend.activeBuilds ?? null,
        upstreams: { build: backend },
        declaredRoutes,
        processes: processes.list,
        processesError: processes.error,
      };
    },
  };
}

export type Health = ReturnType<typeof createHealth>;
