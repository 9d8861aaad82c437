import http, { type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { createProxyServer } from 'http-proxy-3';
import { SESSION_COOKIE, bearerToken, readCookie } from '../auth/request-token';
import type { TokenClaims, Tokens } from '../auth/tokens';
import { checkOrigin } from '../auth/origin';
import { prepareUpstreamRequest } from '../upgrade/upstream';
import { sendError } from '../http/json';
import type { Logger } from '../observability/logger';
import type { Projects } from '../store/projects';
import type { DeclaredParams } from './match';
import { authoriseDeclared, identityFor, upstreamUrl } from './record';
import type { RouteTokens } from './route-tokens';
import type { RouteSpec } from './spec';

// HTTP through a declared route, on http-proxy-3's `web` (a proxy server of its own, apart from the
// upgrade proxy). The same credential rules as the API and the upgrades; nothing of the user's goes
// upstream (no Authorization, no cookie — the dashboard's cookies belong to its origin); the upstream
// gets the identity the route declares. Responses stream through as they come (nothing is buffered, so
// server-sent events pass event by event), minus Set-Cookie — an upstream must not be able to plant a
// cookie on the dashboard's origin (its session cookie among them) — and minus the upstream's own
// Content-Security-Policy: the answer keeps Portico's `default-src 'none'`, so nothing an upstream serves
// runs as script on the dashboard's origin, where it could use the user's session (a script file loaded
// by a page, like the Socket.IO client, is unaffected: a policy applies to documents).

export type DeclaredHttpDeps = {
  tokens: Tokens;
  projects: Projects;
  allowedOrigins: readonly string[];
  routeTokens: RouteTokens;
  logger: Logger;
  /** Used when a route sets no connectTimeoutMs. */
  connectTimeoutMs: number;
  /** Who an anonymous caller is (its limits are per address): the address X-Forwarded-For names past a trusted proxy. */
  clientAddress(req: IncomingMessage): string;
};

const SAFE = new Set(['GET', 'HEAD']);
/**
 * HTTP requests in flight on one route (its `maxSockets` when set): past it, 429. Long-polls and event
 * streams hold theirs for as long as they last, so the upstream agent may open as many connections —
 * a request never waits in an unbounded queue behind them.
 */
const ROUTE_IN_FLIGHT = 1024;
/** …and for one user (or, on a public route, one address) on one route. */
const CALLER_IN_FLIGHT = 64;

type Pending = { spec: RouteSpec; timer?: NodeJS.Timeout; timedOut?: boolean };

const routeCap = (spec: RouteSpec) => spec.maxSockets ?? ROUTE_IN_FLIGHT;

export function createDeclaredHttp(deps: DeclaredHttpDeps) {
  const proxy = createProxyServer({ xfwd: false, prependPath: false, changeOrigin: true });
  const pending = new WeakMap<IncomingMessage, Pending>();
  const agents = new Map<string, http.Agent>();
  const inFlight = new Map<string, number>();
  const bump = (key: string, by: number) => {
    const n = (inFlight.get(key) ?? 0) + by;
    if (n > 0) inFlight.set(key, n);
    else inFlight.delete(key);
  };

  // The connect timeout covers reaching the upstream and its response head, not a long response body
  // (an event stream may stay open for hours; idleTimeoutMs bounds a silent one).
  proxy.on('proxyReq', (proxyReq: ClientRequest, req: IncomingMessage) => {
    const p = pending.get(req);
    if (!p) return;
    const ms = p.spec.connectTimeoutMs ?? deps.connectTimeoutMs;
    p.timer = setTimeout(() => {
      p.timedOut = true;
      proxyReq.destroy(new Error(`no answer within ${ms} ms`));
    }, ms);
    proxyReq.once('response', () => clearTimeout(p.timer));
    proxyReq.once('close', () => clearTimeout(p.timer));
  });
  proxy.on('proxyRes', (proxyRes: IncomingMessage) => {
    delete proxyRes.headers['set-cookie'];
    delete proxyRes.headers['content-security-policy'];
    delete proxyRes.headers['content-security-policy-report-only'];
  });
  proxy.on('error', () => undefined);

  const agentKey = (spec: RouteSpec) => `${spec.name}\0${spec.upstream.origin}\0${routeCap(spec)}`;
  function agentFor(spec: RouteSpec): http.Agent {
    const key = agentKey(spec);
    let agent = agents.get(key);
    if (!agent) {
      const tls = spec.upstream.protocol === 'https:' || spec.upstream.protocol === 'wss:';
      const opts = { keepAlive: true, maxSockets: routeCap(spec) };
      agents.set(key, (agent = tls ? new https.Agent(opts) : new http.Agent(opts)));
    }
    return agent;
  }

  /**
   * Who is calling, or a refusal already sent. A cookie rides along on requests other sites make, so it
   * counts only where that cannot be abused: on a change (not GET/HEAD) only with an allowed Origin; on a
   * GET/HEAD only when the browser says the request is same-origin or typed by the user (Sec-Fetch-Site
   * `same-origin` / `none`) or an allowed Origin vouches — our cookie is SameSite=Lax, which still sends
   * it on another site's top-level GET navigation, and a route's upstream may act on a GET.
   */
  async function caller(spec: RouteSpec, req: IncomingMessage, res: ServerResponse): Promise<{ user: TokenClaims } | null> {
    const bearer = bearerToken(req.headers);
    let token = bearer;
    if (!token) {
      const cookie = readCookie(req.headers.cookie, SESSION_COOKIE);
      if (cookie) {
        const origin = checkOrigin(req, deps.allowedOrigins);
        const fetchSite = req.headers['sec-fetch-site'];
        const vouched = origin.ok && origin.browser;
        const safeGet = SAFE.has(req.method ?? 'GET') && (fetchSite === 'same-origin' || fetchSite === 'none');
        if (vouched || safeGet) token = cookie;
        else if (!origin.ok) return (sendError(res, 'forbidden', `A page of another site may not use ${spec.path}.`), null);
      }
    }
    if (!token) return (sendError(res, 'unauthorized', `Sign in to use ${spec.path}.`), null);
    const verified = await deps.tokens.verify(token);
    if (!verified.ok) {
      const code = verified.reason === 'expired' ? 'token_expired' : verified.reason === 'revoked' ? 'session_revoked' : 'unauthorized';
      return (sendError(res, code, code === 'unauthorized' ? `Sign in to use ${spec.path}.` : undefined), null);
    }
    return { user: verified.claims };
  }

  async function handle(spec: RouteSpec, params: DeclaredParams, req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
    let user: TokenClaims | null = null;
    if (spec.auth !== 'public') {
      const found = await caller(spec, req, res);
      if (!found) return;
      user = found.user;
    }
    const decision = await authoriseDeclared(spec, params, user, deps.projects);
    if (!decision.ok) {
      if (decision.status === 404) return sendError(res, 'no_such_project');
      return sendError(res, 'forbidden', `Only admins may use ${spec.path}.`);
    }
    // Counted from here until the client's connection for this request ends, however it ends.
    const routeKey = `route\0${spec.name}`;
    const callerKey = `caller\0${spec.name}\0${user ? user.userId : `address:${deps.clientAddress(req)}`}`;
    if ((inFlight.get(routeKey) ?? 0) >= routeCap(spec) || (inFlight.get(callerKey) ?? 0) >= CALLER_IN_FLIGHT) {
      return sendError(res, 'too_many_requests', `Too many requests in flight on ${spec.path}; try again shortly.`);
    }
    bump(routeKey, 1);
    bump(callerKey, 1);
    res.once('close', () => (bump(routeKey, -1), bump(callerKey, -1)));
    const identity = await identityFor(spec, user, deps.routeTokens);
    const target = upstreamUrl(spec, params.rest, query, 'http');
    // Drops every credential of the user's and the client's own X-Portico-* headers, sets the identity.
    prepareUpstreamRequest(req, target, identity.bearer, identity.headers);
    pending.set(req, { spec });
    proxy.web(req, res, { target: target.origin, agent: agentFor(spec), ...(spec.idleTimeoutMs ? { proxyTimeout: spec.idleTimeoutMs } : {}) }, (err: Error) => {
      const p = pending.get(req);
      clearTimeout(p?.timer);
      const code = (err as NodeJS.ErrnoException).code;
      if (p?.timedOut) return sendError(res, 'gateway_timeout', `The upstream of ${spec.path} did not answer within ${spec.connectTimeoutMs ?? deps.connectTimeoutMs} ms.`);
      deps.logger.warn({ event: 'declared_route_upstream_error', route: spec.name, upstream: spec.upstream.origin, code }, `route ${spec.path}: upstream unreachable`);
      sendError(res, 'bad_gateway', `The upstream of ${spec.path} is unreachable${code ? ` (${code})` : ''}.`);
    });
  }

  return {
    /** Answers the request (every refusal included); errors of our own become 500 with a log line. */
    serve(spec: RouteSpec, params: DeclaredParams, req: IncomingMessage, res: ServerResponse, query: URLSearchParams): void {
      handle(spec, params, req, res, query).catch((err: Error) => {
        deps.logger.error({ err, route: spec.name }, 'declared route failed');
        sendError(res, 'internal');
      });
    },
    /** Forgets the upstream agents of routes no longer in the table: idle connections go, open requests finish. */
    retain(specs: readonly RouteSpec[]): void {
      const keep = new Set(specs.map(agentKey));
      for (const [key, agent] of agents) {
        if (keep.has(key)) continue;
        agents.delete(key);
        for (const list of Object.values(agent.freeSockets)) for (const s of list ?? []) s.destroy();
      }
    },
    close(): void {
      for (const agent of agents.values()) agent.destroy();
      agents.clear();
      proxy.close();
    },
  };
}
