import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { HttpError } from '../../errors/http-errors';
import { bearerToken } from '../../auth/request-token';
import { parseTopic } from '../../protocol/topics';
import { CLOSE } from '../../errors/close-codes';
import { requireAdmin, requireUser } from '../caller';
import type { ApiDeps } from '../deps';
import { readJson, sendJson } from '../json';
import type { RouteContext, RouteDef } from '../route';
import { parseBody } from '../validate';

const disconnectBody = z.object({
  route: z.enum(['build', 'vnc', 'events'], { error: 'route is "build", "vnc" or "events".' }).optional(),
  userId: z.string().max(64).optional(),
});

// An operator's "disconnect": the chosen sockets get 1001, so their clients reconnect (and resume).
async function disconnect(ctx: RouteContext<ApiDeps>) {
  requireAdmin(await requireUser(ctx.req, ctx.deps.tokens, ctx.deps.config.allowedOrigins));
  const body = parseBody(disconnectBody, await readJson(ctx.req));
  const closed = await ctx.deps.registry.closeWhere(
    (s) => (!body.route || s.route === body.route) && (!body.userId || s.userId === body.userId),
    CLOSE.GOING_AWAY,
    'disconnected by an admin',
  );
  sendJson(ctx.res, 200, { closed });
}

const emitBody = z.object({
  topic: z.string({ error: 'topic is required.' }),
  data: z.unknown(),
});

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

async function emit(ctx: RouteContext<ApiDeps>) {
  const expected = ctx.deps.config.emitToken;
  const given = bearerToken(ctx.req.headers);
  if (!given) throw new HttpError('unauthorized', 'Send Authorization: Bearer <EMIT_TOKEN>.');
  if (!expected) throw new HttpError('forbidden', 'Publishing is off on this server: EMIT_TOKEN is not set.');
  if (!sameSecret(given, expected)) throw new HttpError('forbidden', 'That emit token is not valid.');
  const body = parseBody(emitBody, await readJson(ctx.req, 256 * 1024));
  if (!parseTopic(body.topic)) throw new HttpError('bad_request', `Unknown topic "${body.topic.slice(0, 100)}".`);
  if (body.data === undefined) throw new HttpError('bad_request', 'data is required.');
  if (!(await ctx.deps.bus.publish(body.topic, body.data))) throw new HttpError('unavailable', 'The event bus is unavailable (Redis did not answer); try again shortly.');
  sendJson(ctx.res, 202, { accepted: true });
}

// Prometheus scrapes with `Authorization: Bearer $METRICS_TOKEN`; an admin's sign-in works too. The
// counts (users' sockets, routes, upstreams) are nobody else's business.
async function requireMetricsReader(ctx: RouteContext<ApiDeps>) {
  const expected = ctx.deps.config.metricsToken;
  const given = bearerToken(ctx.req.headers);
  if (expected && given && sameSecret(given, expected)) return;
  requireAdmin(await requireUser(ctx.req, ctx.deps.tokens, ctx.deps.config.allowedOrigins));
}

export const opsRoutes: RouteDef<ApiDeps>[] = [
  {
    method: 'GET',
    pattern: '/healthz',
    async handler(ctx) {
      // Public: ok or not, nothing more (details are for admins, below).
      const status = ctx.deps.health.status();
      sendJson(ctx.res, status === 'ok' ? 200 : 503, { status });
    },
  },
  {
    method: 'GET',
    pattern: '/api/admin/health',
    async handler(ctx) {
      requireAdmin(await requireUser(ctx.req, ctx.deps.tokens, ctx.deps.config.allowedOrigins));
      const details = await ctx.deps.health.details();
      sendJson(ctx.res, details.status === 'ok' ? 200 : 503, details);
    },
  },
  {
    method: 'GET',
    pattern: '/metrics',
    async handler(ctx) {
      await requireMetricsReader(ctx);
      const text = await ctx.deps.metrics.registry.metrics();
      ctx.res.writeHead(200, { 'Content-Type': ctx.deps.metrics.registry.contentType });
      ctx.res.end(text);
    },
  },
  { method: 'POST', pattern: '/api/emit', handler: emit },
  { method: 'POST', pattern: '/api/admin/sockets/close', handler: disconnect },
];
