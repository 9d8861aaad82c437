import { z } from 'zod';
import { toPublicSession } from '../../store/sessions';
import { requireUser } from '../caller';
import type { ApiDeps } from '../deps';
import { readJson, sendJson } from '../json';
import { requireOwnedSession } from '../owned';
import type { RouteDef } from '../route';
import { parseBody } from '../validate';
import { readSessionWithAccess } from './session-shares-routes';

const newSessionBody = z.object({
  name: z.string({ error: 'name is required.' }).trim().min(1, 'Give the session a name.').max(100, 'A session name is at most 100 characters.'),
  target: z.string().max(500).optional(),
  ownerId: z.string().max(64).optional(),
});

export const sessionsRoutes: RouteDef<ApiDeps>[] = [
  {
    method: 'GET',
    pattern: '/api/sessions',
    async handler(ctx) {
      const user = await requireUser(ctx.req, ctx.deps.tokens, ctx.deps.config.allowedOrigins);
      const rows = await ctx.deps.sessions.listFor(user.userId);
      sendJson(ctx.res, 200, rows.map(toPublicSession));
    },
  },
  {
    method: 'GET',
    pattern: '/api/sessions/:id',
    async handler(ctx) {
      // The owner, an admin, or a user of a live share link (with `access` saying which).
      sendJson(ctx.res, 200, await readSessionWithAccess(ctx));
    },
  },
  {
    method: 'POST',
    pattern: '/api/sessions',
    async handler(ctx) {
      const user = await requireUser(ctx.req, ctx.deps.tokens, ctx.deps.config.allowedOrigins);
      const body = parseBody(newSessionBody, await readJson(ctx.req));
      // Counted against the user the session will belong to: an admin may register one for someone else.
      const ownerId = user.role === 'admin' && body.ownerId ? body.ownerId : user.userId;
      sendJson(ctx.res, 201, await ctx.deps.quotas.createSession(ownerId, () => ctx.deps.sessionService.create(user, body)));
    },
  },
  {
    method: 'DELETE',
    pattern: '/api/sessions/:id',
    async handler(ctx) {
      const { user, session } = await requireOwnedSession(ctx, ctx.params.id);
      await ctx.deps.sessionService.remove(user, session);
      ctx.res.writeHead(204).end();
    },
  },
  {
    method: 'GET',
    pattern: '/api/vm-provider',
    async handler(ctx) {
      const user = await requireUser(ctx.req, ctx.deps.tokens, ctx.deps.config.allowedOrigins);
      sendJson(ctx.res, 200, ctx.deps.sessionService.providerInfo(user));
    },
  },
];
