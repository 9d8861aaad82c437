import { CLOSE } from '../../errors/close-codes';
import { isValidId } from '../../store/ids';
import { owns } from '../../auth/ownership';
import { withoutToken } from '../upstream';
import { decodeSegment, segments } from './path-segments';
import { defineRoute, type Matched } from './route';

// The build stream (design.md "Build stream protocol"): proxied to the build backend with a credential
// minted for that backend and this project alone; the user's own token never goes upstream.

export type BuildParams = { projectId: string; buildId?: string; after?: number };

export function matchBuild(pathname: string, query: URLSearchParams): Matched<BuildParams> {
  const seg = segments(pathname);
  if (seg.length !== 3 || seg[0] !== 'api' || seg[1] !== 'build') return null;
  const projectId = decodeSegment(seg[2]);
  if (!isValidId(projectId)) return { problem: 'malformed project id' };
  const buildId = query.get('build') ?? undefined;
  if (buildId !== undefined && !isValidId(buildId)) return { problem: 'malformed build id' };
  const afterRaw = query.get('after');
  if (afterRaw === null) return { params: { projectId, buildId } };
  if (!/^\d{1,15}$/.test(afterRaw)) return { problem: '`after` must be a sequence number' };
  return { params: { projectId, buildId, after: Number(afterRaw) } };
}

export const buildRoute = defineRoute({
  name: 'build',
  pattern: '/api/build/:projectId',
  label: 'Build streams',
  transport: 'proxy',
  access: 'user',
  origin: 'builtin',
  match: matchBuild,
  ticketResource: (p: BuildParams) => p.projectId,
  async authorise(p: BuildParams, user, deps) {
    const project = await deps.projects.byId(p.projectId);
    if (!project) return { ok: false, code: CLOSE.NOT_FOUND, reason: 'no such project' };
    if (!user || !owns(user, project.owner_id)) return { ok: false, code: CLOSE.FORBIDDEN, reason: 'not your project' };
    return { ok: true, resource: project.id, describe: `project:${project.id}` };
  },
  async resolve(_p: BuildParams, projectId: string, ctx, deps) {
    const url = new URL(deps.buildBackend.href);
    url.pathname = `${url.pathname.replace(/\/$/, '')}/build/${encodeURIComponent(projectId)}`;
    url.search = withoutToken(ctx.query);
    return { transport: 'proxy', url, bearer: await deps.backendTokens.mint({ user: ctx.user!, projectId }) };
  },
});
