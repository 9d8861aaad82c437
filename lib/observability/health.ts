import type { SocketRegistry } from '../upgrade/socket-registry';

// GET /healthz. The build backend is asked for its own /healthz (reachability and active builds in one
// request), cached briefly so a tight health-check loop cannot become a request storm against it.

const PROBE_TIMEOUT_MS = 1000;
const CACHE_MS = 2000;

type BackendHealth = { url: string; reachable: boolean; ms: number; activeBuilds?: number; error?: string };

export async function probeBackend(httpOrigin: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<BackendHealth> {
  const started = Date.now();
  try {
    const res = await fetch(`${httpOrigin}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
    // Any HTTP answer means the backend is there; only Portico's own backend reports its builds.
    const body = res.ok ? ((await res.json().catch(() => ({}))) as { activeBuilds?: number }) : {};
    if (!res.ok) await res.body?.cancel();
    return { url: httpOrigin, reachable: true, ms: Date.now() - started, activeBuilds: body.activeBuilds };
  } catch (err) {
    const e = err as { name?: string; cause?: { code?: string } };
    const error = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? String(err));
    return { url: httpOrigin, reachable: false, ms: Date.now() - started, error };
  }
}

export function createHealth(deps: { registry: SocketRegistry; buildBackendHttp: URL; isDraining: () => boolean }) {
  const startedAt = Date.now();
  let cached: { at: number; value: BackendHealth } | null = null;
  async function build(): Promise<BackendHealth> {
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.value;
    cached = { at: Date.now(), value: await probeBackend(deps.buildBackendHttp.origin) };
    return cached.value;
  }
  return async () => {
    const backend = await build();
    return {
      status: deps.isDraining() ? 'draining' : 'ok',
      uptimeS: Math.round((Date.now() - startedAt) / 1000),
      sockets: { open: deps.registry.size, byRoute: deps.registry.byRoute() },
      activeBuilds: backend.activeBuilds ?? null,
      upstreams: { build: backend },
    };
  };
}
