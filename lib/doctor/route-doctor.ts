import http from 'node:http';
import https from 'node:https';
import { WebSocket } from 'ws';
import { closeInfo } from '../errors/close-codes';
import type { DeclaredRouteStatus } from '../declared-routes/declared-routes';
import type { CheckResult } from './checks';

// `npm run doctor -- --route /socket.io/ [url] --token T`: one declared route, checked through the running
// Portico the way a client uses it — the route in the table (with an admin's token: its traffic and its
// upstream's health), an HTTP request on the prefix, then the WebSocket upgrade with the token — and one
// sentence saying what broke.

export type RouteDoctorOptions = { url: string; route: string; token?: string; wsPath?: string; timeoutMs?: number };
export type RouteDoctorReport = { target: string; route: string; ok: boolean; checks: CheckResult[]; verdict: string };

type Answer = { status: number; body: string; ms: number } | { error: string; ms: number };

function get(url: URL, token: string | undefined, timeoutMs: number): Promise<Answer> {
  const started = Date.now();
  return new Promise((resolve) => {
    const req = (url.protocol === 'https:' ? https : http).get(url, { agent: false, headers: token ? { authorization: `Bearer ${token}` } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body = (body + c).slice(0, 64 * 1024)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ms: Date.now() - started }));
      res.on('error', (err) => resolve({ error: err.message, ms: Date.now() - started }));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message, ms: Date.now() - started }));
  });
}

/** Portico's own JSON error (code, message), or null when the answer came from the upstream. */
function ours(body: string): { code: string; message: string } | null {
  try {
    const e = (JSON.parse(body) as { error?: { code?: unknown; message?: unknown } }).error;
    return e && typeof e.code === 'string' && typeof e.message === 'string' ? { code: e.code, message: e.message } : null;
  } catch {
    return null;
  }
}

async function findRoute(base: URL, route: string, token: string | undefined, timeoutMs: number): Promise<{ result: CheckResult; status?: DeclaredRouteStatus }> {
  if (!token) return { result: { name: 'table', ok: true, detail: 'Skipped: no token given, so the table cannot be read.' } };
  const a = await get(new URL('/api/admin/health', base), token, timeoutMs);
  if ('error' in a) return { result: { name: 'table', ok: false, ms: a.ms, detail: `Portico did not answer at ${base.origin}: ${a.error}.`, fix: 'Is Portico running at that address?' } };
  if (a.status === 403) return { result: { name: 'table', ok: true, ms: a.ms, detail: 'Skipped: reading the table needs an admin token.' } };
  if (a.status !== 200 && a.status !== 503) return { result: { name: 'table', ok: false, ms: a.ms, detail: `Portico answered the health details with HTTP ${a.status}: ${ours(a.body)?.message ?? 'not JSON'}.` } };
  const list = ((JSON.parse(a.body) as { declaredRoutes?: DeclaredRouteStatus[] }).declaredRoutes ?? []);
  const found = list.find((r) => r.path === route);
  if (!found) {
    return { result: { name: 'table', ok: false, ms: a.ms, detail: `No declared route ${route} (declared: ${list.map((r) => r.path).join(', ') || 'none'}).`, fix: 'Check ROUTES_FILE, then reload (SIGHUP or save the file); a bad file is named in the log.' } };
  }
  const h = found.health;
  if (h && !h.reachable) return { status: found, result: { name: 'table', ok: false, ms: a.ms, detail: `Route ${route} is declared, but its upstream ${found.upstream} does not answer Portico (${h.error ?? 'no answer'}).`, fix: 'Start the upstream, or fix its address in ROUTES_FILE.' } };
  return { status: found, result: { name: 'table', ok: true, ms: a.ms, detail: `Declared: ${route} → ${found.upstream} (${found.traffic}, ${found.auth}); the upstream answers Portico.` } };
}

async function checkRouteHttp(base: URL, route: string, token: string | undefined, timeoutMs: number): Promise<CheckResult> {
  const a = await get(new URL(route, base), token, timeoutMs);
  if ('error' in a) return { name: 'http', ok: false, ms: a.ms, detail: `No HTTP answer on ${route}: ${a.error}.` };
  const e = ours(a.body);
  if (!e) return { name: 'http', ok: true, ms: a.ms, detail: `The upstream answered through Portico (HTTP ${a.status}).` };
  const fix = a.status === 401 ? 'Pass --token <token> of a user the route admits.' : a.status === 502 || a.status === 504 ? 'Start the upstream, or fix its address in ROUTES_FILE.' : undefined;
  return { name: 'http', ok: false, ms: a.ms, detail: `Portico refused ${route} with HTTP ${a.status} (${e.code}): ${e.message}`, ...(fix ? { fix } : {}) };
}

function checkRouteUpgrade(base: URL, wsPath: string, token: string | undefined, timeoutMs: number): Promise<CheckResult> {
  const url = new URL(wsPath, base);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const started = Date.now();
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers: token ? { authorization: `Bearer ${token}` } : {}, handshakeTimeout: timeoutMs });
    const done = (r: CheckResult) => (resolve({ ...r, ms: Date.now() - started }), ws.terminate());
    ws.on('error', (err) => done({ name: 'upgrade', ok: false, detail: `The upgrade on ${url.pathname} failed: ${err.message}.` }));
    ws.on('unexpected-response', (_req, res) => done({ name: 'upgrade', ok: false, detail: `The upgrade on ${url.pathname} was answered with HTTP ${res.statusCode}, not a WebSocket.`, fix: res.statusCode === 404 ? "The route's traffic does not include websocket, or the path is not the route's." : undefined }));
    // A refusal comes as a close frame right after the handshake; a socket still open a moment later is in.
    ws.once('open', () => setTimeout(() => done({ name: 'upgrade', ok: true, detail: `The WebSocket on ${url.pathname} opened through Portico with the token.` }), 300));
    ws.once('close', (code, reason) => {
      const info = closeInfo(code);
      done({
        name: 'upgrade',
        ok: false,
        detail: `The WebSocket on ${url.pathname} was closed with ${code}${reason.length ? ` (${reason})` : ''}: ${info?.meaning ?? 'not a code of ours'}.`,
        fix: code === 4401 ? 'Pass --token <token> of a user the route admits.' : code === 1014 ? 'The upstream is down or refused the upgrade: see its log.' : info?.sentence ?? undefined,
      });
    });
  });
}

export async function runRouteDoctor(opts: RouteDoctorOptions): Promise<RouteDoctorReport> {
  const base = new URL(opts.url);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const wsPath = opts.wsPath ?? (/socket\.io\/$/.test(opts.route) ? `${opts.route}?EIO=4&transport=websocket` : opts.route);
  const checks: CheckResult[] = [];
  const table = await findRoute(base, opts.route, opts.token, timeoutMs);
  checks.push(table.result);
  if (table.result.ok) {
    const traffic = table.status?.traffic ?? 'both';
    if (traffic !== 'websocket') checks.push(await checkRouteHttp(base, opts.route, opts.token, timeoutMs));
    if (traffic !== 'http' && checks.every((c) => c.ok)) checks.push(await checkRouteUpgrade(base, wsPath, opts.token, timeoutMs));
  }
  const broken = checks.find((c) => !c.ok);
  return {
    target: base.origin,
    route: opts.route,
    ok: !broken,
    checks,
    verdict: broken ? `Route ${opts.route} is broken at ${broken.name}: ${broken.detail}` : `Route ${opts.route} works through ${base.origin}.`,
  };
}

export function formatRouteReport(r: RouteDoctorReport): string {
  const lines = [`Portico doctor: route ${r.route} through ${r.target}`];
  for (const c of r.checks) {
    lines.push(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name.padEnd(8)} ${c.detail}${c.ms !== undefined ? ` [${c.ms} ms]` : ''}`);
    if (!c.ok && c.fix) lines.push(`       fix: ${c.fix}`);
  }
  lines.push('', r.verdict);
  return lines.join('\n');
}
