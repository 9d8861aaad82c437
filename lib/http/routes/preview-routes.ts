import { z } from 'zod';
import { cleanRelativePath, PathError } from '../../build/workspace';
import { HttpError } from '../../errors/http-errors';
import type { PreviewScope } from '../../preview/preview-tokens';
import { serverOrigin } from '../../auth/origin';
import { requireOwnedProject } from '../owned';
import type { ApiDeps } from '../deps';
import { readJson, sendJson } from '../json';
import type { RouteContext, RouteDef } from '../route';
import { requireOwnedBuild } from './build-record-routes';

// The dashboard mints preview links (issue 11, point 10): a capability for one build's output, or for
// the project's workspace (the FileManager's "Raw"), on the preview origin. Only the owner may mint one;
// the link then works for an hour for whoever holds it, like a share link, and for nothing else.

const body = z.object({ path: z.string().max(400).optional() }).strict();

async function previewUrl(ctx: RouteContext<ApiDeps>, userId: string, scope: PreviewScope, path: string | undefined) {
  let file = 'index.html';
  if (path !== undefined) {
    try {
      file = cleanRelativePath(path);
    } catch (err) {
      if (err instanceof PathError) throw new HttpError('bad_request', err.message);
      throw err;
    }
  }
  const { token, expiresAt } = await ctx.deps.preview.tokens.mint({ userId, scope, frameAncestor: serverOrigin(ctx.req) });
  const encoded = file.split('/').map(encodeURIComponent).join('/');
  return { url: `${ctx.deps.preview.originFor(ctx.req)}/p/${token}/${encoded}`, expiresAt };
}

/**
 * "Raw" is a plain link on the dashboard (a GET that opens in a new tab), answered with a redirect to a
 * fresh preview link of that one file: the file itself, with its own Content-Type, from the preview
 * origin. Minting on the way costs nothing when nobody clicks, and no link on the page goes stale.
 */
function redirectTo(ctx: RouteContext<ApiDeps>, url: string) {
  ctx.res.writeHead(303, { Location: url, 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' });
  ctx.res.end();
}

/** The optional `{path}` of a mint: an empty body (no Content-Type, no length) means the app's index.html. */
async function readJsonOrEmpty(ctx: RouteContext<ApiDeps>): Promise<z.infer<typeof body>> {
  if (!ctx.req.headers['content-type'] && !ctx.req.headers['transfer-encoding'] && Number(ctx.req.headers['content-length'] ?? 0) === 0) return {};
  const parsed = body.safeParse(await readJson(ctx.req, 4096));
  if (!parsed.success) throw new HttpError('bad_request', 'Send {"path": "<file in the output>"} or an empty body.');
  return parsed.data;
}

export const previewRoutes: RouteDef<ApiDeps>[] = [
  {
    method: 'POST',
    pattern: '/api/projects/:id/builds/:buildId/preview',
    async handler(ctx) {
      const { build, userId } = await requireOwnedBuild(ctx);
      const { path } = await readJsonOrEmpty(ctx);
      sendJson(ctx.res, 200, await previewUrl(ctx, userId, { kind: 'build', projectId: build.project_id, buildId: build.id }, path));
    },
  },
  {
    method: 'GET',
    pattern: '/api/projects/:id/builds/:buildId/raw/*',
    async handler(ctx) {
      const { build, userId } = await requireOwnedBuild(ctx);
      redirectTo(ctx, (await previewUrl(ctx, userId, { kind: 'build', projectId: build.project_id, buildId: build.id }, ctx.params.rest)).url);
    },
  },
  {
    method: 'POST',
    pattern: '/api/projects/:id/preview',
    async handler(ctx) {
      const { user, project } = await requireOwnedProject(ctx, ctx.params.id);
      const { path } = await readJsonOrEmpty(ctx);
      sendJson(ctx.res, 200, await previewUrl(ctx, user.userId, { kind: 'workspace', projectId: project.id }, path));
    },
  },
  {
    method: 'GET',
    pattern: '/api/projects/:id/raw/*',
    async handler(ctx) {
      const { user, project } = await requireOwnedProject(ctx, ctx.params.id);
      redirectTo(ctx, (await previewUrl(ctx, user.userId, { kind: 'workspace', projectId: project.id }, ctx.params.rest)).url);
    },
  },
];
