import { CLOSE } from '../../errors/close-codes';
import { isValidId } from '../../store/ids';
import { owns } from '../../auth/ownership';
import { withoutToken } from '../upstream';
import { decodeSegment, segments } from './path-segments';
import type { Project } from '../../store/schema';
import type { TokenClaims } from '../../auth/tokens';
import { defineRoute, type Authorised, type Matched, type Target } from './route';

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
  // Synchronous on SQLite (and from Postgres's recent rows), so the router need not wait a tick.
  authorise(p: BuildParams, user, deps) {
    const project = deps.projects.find(p.projectId);
    return project instanceof Promise ? project.then((row) => decide(row, user)) : decide(project, user);
  },
  resolve(_p: BuildParams, projectId: string, ctx, deps) {
    const url = new URL(deps.buildBackend.href);
    url.pathname = `${url.pathname.replace(/\/$/, '')}/build/${encodeURIComponent(projectId)}`;
    url.search = withoutToken(ctx.query);
    // The backend token for this user and project is reused for half its life: usually already minted.
    const bearer = deps.backendTokens.mint({ user: ctx.user!, projectId });
    return bearer instanceof Promise ? bearer.then((b): Target => ({ transport: 'proxy', url, bearer: b })) : { transport: 'proxy', url, bearer };
  },
});

function decide(project: Project | undefined, user: TokenClaims | null): Authorised<string> {
  if (!project) return { ok: false, code: CLOSE.NOT_FOUND, reason: 'no such project' };
  if (!user || !owns(user, project.owner_id)) return { ok: false, code: CLOSE.FORBIDDEN, reason: 'not your project' };
  return { ok: true, resource: project.id, describe: `project:${project.id}` };
}
