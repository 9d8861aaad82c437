import type { IncomingMessage, ServerResponse } from 'node:http';
import { createProxyServer } from 'http-proxy-3';
import { toBuildInfo } from '../../store/builds';
import { withoutToken } from '../../upgrade/upstream';
import { requireOwnedProject } from '../owned';
import type { ApiDeps } from '../deps';
import { sendError, sendJson } from '../json';
import type { RouteDef } from '../route';

// Build history, and the SSE stream of a build: authorised here like the socket, then proxied to the
// build backend with the token as `Authorization: Bearer`, exactly as the upgrade is.

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
      const { user } = await requireOwnedProject(ctx, ctx.params.projectId, { queryToken: true });
      const token = user.token;
      proxyToBackend(ctx.req, ctx.res, ctx.deps.buildBackendHttp, `/build/${encodeURIComponent(ctx.params.projectId)}/events${withoutToken(ctx.url.searchParams)}`, token);
    },
  },
];

function proxyToBackend(req: IncomingMessage, res: ServerResponse, backend: URL, path: string, token: string) {
  req.url = path;
  req.headers.authorization = `Bearer ${token}`;
  delete req.headers.cookie;
  sseProxy.web(req, res, { target: backend.origin });
}
