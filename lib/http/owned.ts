import { HttpError } from '../errors/http-errors';
import { isValidId } from '../store/ids';
import type { Project, Session } from '../store/schema';
import { owns } from '../auth/ownership';
import { requireUser } from './caller';
import type { ApiDeps } from './deps';
import type { RouteContext } from './route';

// The check every project and session route starts with, answered with the sentences of the one table
// ("Not found.", "You don't have access to this.") so the UI shows the same words for HTTP and sockets.

export async function requireOwnedProject(ctx: RouteContext<ApiDeps>, id: string, opts: { queryToken?: boolean } = {}) {
  const user = await requireUser(ctx.req, ctx.deps.tokens, ctx.deps.config.allowedOrigins, opts.queryToken ? ctx.url.searchParams.get('token') : undefined);
  if (!isValidId(id)) throw new HttpError('bad_request', 'That project id is not valid.');
  const project: Project | undefined = await ctx.deps.projects.byId(id);
  if (!project) throw new HttpError('not_found');
  if (!owns(user, project.owner_id)) throw new HttpError('forbidden');
  return { user, project };
}

export async function requireOwnedSession(ctx: RouteContext<ApiDeps>, id: string) {
  const user = await requireUser(ctx.req, ctx.deps.tokens, ctx.deps.config.allowedOrigins);
  if (!isValidId(id)) throw new HttpError('bad_request', 'That session id is not valid.');
  const session: Session | undefined = await ctx.deps.sessions.byId(id);
  if (!session) throw new HttpError('not_found');
  if (!owns(user, session.owner_id)) throw new HttpError('forbidden');
  return { user, session };
}
