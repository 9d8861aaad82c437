import type { IncomingMessage, ServerResponse } from 'node:http';
import { createProxyServer } from 'http-proxy-3';
import { HttpError } from '../../errors/http-errors';
import { toBuildInfo } from '../../store/builds';
import { withoutToken } from '../../auth/request-token';
import { requireOwnedProject } from '../owned';
import type { ApiDeps } from '../deps';
import { sendError, sendJson } from '../json';
import type { RouteDef } from '../route';

// Build history, and the SSE stream of a build: authorised here like the socket, holding a socket slot
// like the socket (an open stream costs the server what a socket does), then proxied to the build
// backend with a token minted for it, exactly as the upgrade is.

const sseProxy = createProxyServer({ xfwd: true });
sseProxy.on('error', (_err, _req, res) => {
  const r = res as ServerResponse;
  if (r && !r.headersSent && typeof r.writeHead === 'function') sendError(r, 'bad_gateway');
  else (res as { destroy?: () => void })?.destroy?.();
});

export const buildRoutes: RouteDef<ApiDeps>[] = [
  {
    method: 'GET',
    pattern: '/api/projects/:id/builds',
    async handler(ctx) {
      await requireOwnedProject(ctx, ctx.params.id);
      const rows = await ctx.deps.builds.listFor(ctx.params.id);
      sendJson(ctx.res, 200, rows.map(toBuildInfo));
    },
  },
  {
    method: 'GET',
    pattern: '/api/build/:projectId/events',
    async handler(ctx) {
      const { user, project } = await requireOwnedProject(ctx, ctx.params.projectId, { queryToken: true });
      const refusal = await Promise.resolve(ctx.deps.leases.acquire(user.userId)).catch(() => {
        throw new HttpError('unavailable', 'Socket limits are unavailable (Redis did not answer); try again shortly.');
      });
      if (refusal === 'user') throw new HttpError('too_many_requests', `Too many open connections: you already have ${ctx.deps.config.maxSocketsPerUser} sockets and event streams open.`);
      if (refusal) throw new HttpError('too_many_requests', 'Too many open connections: the server is at its limit of open sockets and event streams.');
      // The slot is held exactly as long as the client's connection, however the stream ends.
      let held = true;
      ctx.res.once('close', () => {
        if (held) ctx.deps.leases.release(user.userId);
        held = false;
      });
      const bearer = await ctx.deps.backendTokens.mint({ user, projectId: project.id });
      proxyToBackend(ctx.req, ctx.res, ctx.deps.buildBackendHttp, `/build/${encodeURIComponent(project.id)}/events${withoutToken(ctx.url.searchParams)}`, bearer);
    },
  },
];

function proxyToBackend(req: IncomingMessage, res: ServerResponse, backend: URL, path: string, bearer: string) {
  req.url = path;
  delete req.headers.cookie;
  delete req.headers['proxy-authorization'];
  req.headers.authorization = `Bearer ${bearer}`;
  sseProxy.web(req, res, { target: backend.origin });
}
