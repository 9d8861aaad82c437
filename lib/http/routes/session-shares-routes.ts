import { z } from 'zod';
import { HttpError } from '../../errors/http-errors';
import { isValidId } from '../../store/ids';
import { toPublicSession } from '../../store/sessions';
import { requireUser } from '../caller';
import type { ApiDeps } from '../deps';
import { readJson, sendJson } from '../json';
import { requireOwnedSession } from '../owned';
import type { RouteContext, RouteDef } from '../route';
import { parseBody } from '../validate';

// Share links of a VM session (lib/sessions/session-shares.ts). The owner (or an admin) makes, lists and
// revokes them; any signed-in user may read what a link gives and accept it. A link's token is in the
// path (it is the capability); it is never logged by the API and never shown again after creation.

const newShareBody = z.object({
  rights: z.enum(['view-only', 'interactive'], { error: 'rights is "view-only" or "interactive".' }),
  expires: z.enum(['1h', '1d', '7d'], { error: 'expires is "1h", "1d" or "7d".' }),
});

export const sessionSharesRoutes: RouteDef<ApiDeps>[] = [
  {
    method: 'GET',
    pattern: '/api/sessions/:id/shares',
    async handler(ctx) {
      const { session } = await requireOwnedSession(ctx, ctx.params.id);
      sendJson(ctx.res, 200, await ctx.deps.sharing.list(session));
    },
  },
  {
    method: 'POST',
    pattern: '/api/sessions/:id/shares',
    async handler(ctx) {
      const { user, session } = await requireOwnedSession(ctx, ctx.params.id);
      const body = parseBody(newShareBody, await readJson(ctx.req, 1024));
      sendJson(ctx.res, 201, await ctx.deps.sharing.create(user, session, body));
    },
  },
  {
    method: 'DELETE',
    pattern: '/api/sessions/:id/shares/:shareId',
    async handler(ctx) {
      const { user, session } = await requireOwnedSession(ctx, ctx.params.id);
      if (!isValidId(ctx.params.shareId)) throw new HttpError('bad_request', 'That share id is not valid.');
      await ctx.deps.sharing.revoke(user, session, ctx.params.shareId);
      ctx.res.writeHead(204).end();
    },
  },
  {
    // Not under /api/sessions/: `shared` would read as a session id there.
    method: 'GET',
    pattern: '/api/shared-sessions',
    async handler(ctx) {
      const user = await requireUser(ctx.req, ctx.deps.tokens, ctx.deps.config.allowedOrigins);
      sendJson(ctx.res, 200, await ctx.deps.sharing.sharedWith(user));
    },
  },
  {
    method: 'GET',
    pattern: '/api/shares/:token',
    async handler(ctx) {
      const user = await requireUser(ctx.req, ctx.deps.tokens, ctx.deps.config.allowedOrigins);
      sendJson(ctx.res, 200, await ctx.deps.sharing.invite(ctx.params.token, user));
    },
  },
  {
    method: 'POST',
    pattern: '/api/shares/:token/accept',
    async handler(ctx) {
      const user = await requireUser(ctx.req, ctx.deps.tokens, ctx.deps.config.allowedOrigins);
      sendJson(ctx.res, 200, await ctx.deps.sharing.accept(ctx.params.token, user));
    },
  },
];

/**
 * GET /api/sessions/:id for whoever may see the session: its owner or an admin (`access: 'owner'`), or a
 * user of a live share link (its rights). Anyone else gets the one sentence for unknown and not yours.
 */
export async function readSessionWithAccess(ctx: RouteContext<ApiDeps>) {
  const user = await requireUser(ctx.req, ctx.deps.tokens, ctx.deps.config.allowedOrigins);
  if (!isValidId(ctx.params.id)) throw new HttpError('bad_request', 'That session id is not valid.');
  const session = await ctx.deps.sessions.byId(ctx.params.id);
  if (!session) throw new HttpError('not_found');
  const decision = await ctx.deps.sharing.accessTo(session, user);
  if (!decision) throw new HttpError('forbidden');
  const owner = decision.access === 'owner' && session.owner_id === user.userId ? user.username : (await ctx.deps.users.byId(session.owner_id))?.username;
  return { ...toPublicSession(session), access: decision.access, ownerName: owner ?? 'someone' };
}
