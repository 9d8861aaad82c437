import { CLOSE } from '../errors/close-codes';
import type { TokenClaims } from '../auth/tokens';
import { owns } from '../auth/ownership';
import { withoutToken } from '../auth/request-token';
import { defineRoute, type AnyRoute, type Authorised, type Refusal, type RouteDeps, type Target } from '../upgrade/routes/route';
import { matchDeclared, rawPathOf, upstreamPath, type DeclaredParams } from './match';
import type { RouteTokens } from './route-tokens';
import type { RouteSpec } from './spec';

// A declared route as a route record: the router runs Origin, credential (none on `public`), authorise,
// limits (with this route's maxSockets), resolve and connect for it exactly as for a built-in route.

export type DeclaredResource = { user: TokenClaims | null; projectId?: string };

export type AuthDecision = { ok: true; resource: DeclaredResource } | { ok: false; status: 403 | 404; code: number; reason: string };

/** Who may pass, for both halves (HTTP and upgrades); `user` is null only on a `public` route. */
export async function authoriseDeclared(spec: RouteSpec, params: DeclaredParams, user: TokenClaims | null, projects: RouteDeps['projects']): Promise<AuthDecision> {
  if (spec.auth === 'public') return { ok: true, resource: { user: null } };
  if (!user) return { ok: false, status: 403, code: CLOSE.UNAUTHORIZED, reason: 'no user' };
  if (spec.auth === 'user') return { ok: true, resource: { user } };
  if (spec.auth === 'admin') {
    return user.role === 'admin' ? { ok: true, resource: { user } } : { ok: false, status: 403, code: CLOSE.FORBIDDEN, reason: 'admins only' };
  }
  const project = await projects.byId(params.projectId!);
  if (!project) return { ok: false, status: 404, code: CLOSE.NOT_FOUND, reason: 'no such project' };
  // Admins reach every project, as on the built-in routes (the one ownership rule, lib/auth/ownership.ts).
  if (!owns(user, project.owner_id)) return { ok: false, status: 404, code: CLOSE.FORBIDDEN, reason: 'not your project' };
  return { ok: true, resource: { user, projectId: project.id } };
}

/** The identity the upstream is told, per the route's `identity`; a bearer is minted for this route only. */
export async function identityFor(spec: RouteSpec, user: TokenClaims | null, routeTokens: RouteTokens): Promise<{ headers: Record<string, string>; bearer?: string }> {
  if (!user || spec.identity === 'none') return { headers: {} };
  if (spec.identity === 'bearer') return { headers: {}, bearer: await routeTokens.mint(spec.name, user) };
  return { headers: { 'x-portico-user': user.username, 'x-portico-user-id': user.userId, 'x-portico-role': user.role } };
}

/** The upstream URL of one request: scheme for the transport, base path, client path, query minus credentials. */
export function upstreamUrl(spec: RouteSpec, rest: string, query: URLSearchParams, scheme: 'http' | 'ws'): URL {
  const url = new URL(spec.upstream.href);
  const tls = url.protocol === 'https:' || url.protocol === 'wss:';
  url.protocol = scheme === 'ws' ? (tls ? 'wss:' : 'ws:') : tls ? 'https:' : 'http:';
  url.pathname = upstreamPath(spec, rest);
  url.search = withoutToken(query);
  return url;
}

export function declaredRecord(spec: RouteSpec, routeTokens: RouteTokens): AnyRoute {
  return defineRoute<string, DeclaredParams, DeclaredResource>({
    name: spec.name,
    pattern: `${spec.path}*`,
    label: `${spec.path} → ${spec.upstream.host}`,
    transport: 'proxy',
    access: spec.auth === 'public' ? 'public' : 'user',
    origin: 'declared',
    ...(spec.maxSockets ? { maxSockets: spec.maxSockets } : {}),
    match(pathname, query) {
      // A route that carries HTTP only has no sockets: its paths fall through to the built-in table (404).
      if (spec.traffic === 'http') return null;
      return matchDeclared(spec, pathname, query);
    },
    ticketResource(params) {
      return params.projectId ?? spec.name;
    },
    async authorise(params, user, deps): Promise<Authorised<DeclaredResource>> {
      const d = await authoriseDeclared(spec, params, user, deps.projects);
      return d.ok ? { ok: true, resource: d.resource, describe: d.resource.projectId ? `project:${d.resource.projectId}` : spec.name } : { ok: false, code: d.code, reason: d.reason };
    },
    async resolve(params, resource, ctx): Promise<Target | Refusal> {
      // The router matched the parsed path, in which `\` became `/` and dot segments were resolved; the
      // request as the client sent it must be this route's too, or it is refused as HTTP requests are.
      const raw = rawPathOf(ctx.req.url);
      const again = raw === null ? null : matchDeclared(spec, raw, ctx.query);
      if (!again || again.problem) return { ok: false, code: CLOSE.BAD_REQUEST, reason: again?.problem ?? 'the path leaves the route prefix' };
      // The router's prepareUpstreamRequest drops the client's X-Portico-* and sets these in their place.
      const identity = await identityFor(spec, resource.user, routeTokens);
      return {
        transport: 'proxy',
        url: upstreamUrl(spec, params.rest, ctx.query, 'ws'),
        headers: identity.headers,
        ...(identity.bearer ? { bearer: identity.bearer } : {}),
        ...(spec.connectTimeoutMs ? { connectTimeoutMs: spec.connectTimeoutMs } : {}),
        ...(spec.idleTimeoutMs ? { idleTimeoutMs: spec.idleTimeoutMs } : {}),
      };
    },
  });
}
