import net from 'node:net';
import type { SocketRegistry } from '../upgrade/socket-registry';

// GET /healthz. Upstream reachability is a TCP connect with a short timeout, cached briefly so that a
// tight health-check loop cannot turn into a connection storm against the backend.

const PROBE_TIMEOUT_MS = 1000;
const CACHE_MS = 5000;

export type UpstreamProbe = { name: string; url: URL };

export function probeTcp(host: string, port: number, timeoutMs = PROBE_TIMEOUT_MS): Promise<{ reachable: boolean; ms: number; error?: string }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const finish = (reachable: boolean, error?: string) => {
      s.destroy();
      resolve({ reachable, ms: Date.now() - started, ...(error ? { error } : {}) });
    };
    s.setTimeout(timeoutMs, () => finish(false, `no answer within ${timeoutMs} ms`));
    s.once('connect', () => finish(true));
    s.once('error', (err: NodeJS.ErrnoException) => finish(false, err.code ?? err.message));
  });
}

export function createHealth(deps: { registry: SocketRegistry; upstreams: UpstreamProbe[]; isDraining: () => boolean }) {
  const startedAt = Date.now();
  let cached: { at: number; value: Record<string, unknown> } | null = null;
  async function upstreams() {
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.value;
    const entries = await Promise.all(
      deps.upstreams.map(async (u) => {
        const port = Number(u.url.port || (u.url.protocol === 'wss:' || u.url.protocol === 'https:' ? 443 : 80));
        return [u.name, { url: u.url.origin, ...(await probeTcp(u.url.hostname, port)) }] as const;
      }),
    );
    cached = { at: Date.now(), value: Object.fromEntries(entries) };
    return cached.value;
  }
  return async () => ({
    status: deps.isDraining() ? 'draining' : 'ok',
    uptimeS: Math.round((Date.now() - startedAt) / 1000),
    sockets: { open: deps.registry.size, byRoute: deps.registry.byRoute() },
    upstreams: await upstreams(),
  });
}
