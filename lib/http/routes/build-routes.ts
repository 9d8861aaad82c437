import type { IncomingMessage, ServerResponse } from 'node:http';
import { createProxyServer } from 'http-proxy-3';
import { HttpError } from '../../errors/http-errors';
import { toBuildInfo } from '../../store/builds';
import { isValidId } from '../../store/ids';
import { owns } from '../../upgrade/authorise';
import { withoutToken } from '../../upgrade/upstream';
import { requireUser } from '../caller';
import type { ApiDeps } from '../deps';
import { sendError, sendJson } from '../json';
import type { RouteContext, RouteDef } from '../route';

// Build history, and the SSE stream of a build: authorised here like the socket, then proxied to the
// build backend with the token as `Authorization: Bearer`, exactly as the upgrade is.

const sseProxy = createProxyServer({ xfwd: true });
sseProxy.on('error', (_err, _req, res) => {
  const r = res as ServerResponse;
  if (r && !r.headersSent && typeof r.writeHead === 'function') sendError(r, 'bad_gateway');
  else (res as { destroy?: () => void })?.destroy?.();
});

async function ownedProjectId(ctx: RouteContext<ApiDeps>, id: string): Promise<{ token: string }> {
  const user = await requireUser(ctx.req, ctx.deps.tokens, ctx.deps.config.allowedOrigins, ctx.url.searchParams.get('token'));
  if (!isValidId(id)) throw new HttpError('bad_request', 'That project id is not valid.');
  const project = await ctx.deps.projects.byId(id);
  if (!project) throw new HttpError('not_found', 'No such project.');
  if (!owns(user, project.owner_id)) throw new HttpError('forbidden', 'This project belongs to someone else.');
  return { token: user.token };
}

export const buildRoutes: RouteDef<ApiDeps>[] = [
  {
    method: 'GET',
    pattern: '/api/projects/:id/builds',
    async handler(ctx) {
      await ownedProjectId(ctx, ctx.params.id);
      const rows = await ctx.deps.builds.listFor(ctx.params.id);
      sendJson(ctx.res, 200, rows.map(toBuildInfo));
    },
  },
  {
    method: 'GET',
    pattern: '/api/build/:projectId/events',
    async handler(ctx) {
      const { token } = await ownedProjectId(ctx, ctx.params.projectId);
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
