import { z } from 'zod';
import { HttpError } from '../../errors/http-errors';
import { isValidId } from '../../store/ids';
import { toPublicSession } from '../../store/sessions';
import { owns } from '../../upgrade/authorise';
import { requireUser } from '../caller';
import type { ApiDeps } from '../deps';
import { readJson, sendJson } from '../json';
import type { RouteDef } from '../route';
import { parseBody } from '../validate';

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
      const user = await requireUser(ctx.req, ctx.deps.tokens, ctx.deps.config.allowedOrigins);
      if (!isValidId(ctx.params.id)) throw new HttpError('bad_request', 'That session id is not valid.');
      const session = await ctx.deps.sessions.byId(ctx.params.id);
      if (!session) throw new HttpError('not_found', 'No such session.');
      if (!owns(user, session.owner_id)) throw new HttpError('forbidden', 'This session belongs to someone else.');
      sendJson(ctx.res, 200, toPublicSession(session));
    },
  },
  {
    method: 'POST',
    pattern: '/api/sessions',
    async handler(ctx) {
      const user = await requireUser(ctx.req, ctx.deps.tokens, ctx.deps.config.allowedOrigins);
      const body = parseBody(newSessionBody, await readJson(ctx.req));
      sendJson(ctx.res, 201, await ctx.deps.sessionService.create(user, body));
    },
  },
  {
    method: 'DELETE',
    pattern: '/api/sessions/:id',
    async handler(ctx) {
      const user = await requireUser(ctx.req, ctx.deps.tokens, ctx.deps.config.allowedOrigins);
      if (!isValidId(ctx.params.id)) throw new HttpError('bad_request', 'That session id is not valid.');
      await ctx.deps.sessionService.remove(user, ctx.params.id);
      ctx.res.writeHead(204).end();
    },
  },
];
