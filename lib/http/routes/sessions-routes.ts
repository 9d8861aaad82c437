import { z } from 'zod';
import { HttpError } from '../../errors/http-errors';
import { isValidId } from '../../store/ids';
import { toPublicSession } from '../../store/sessions';
import { checkExternalTarget } from '../../sessions/target-allow';
import { owns } from '../../upgrade/authorise';
import { requireUser } from '../caller';
import type { ApiDeps } from '../deps';
import { readJson, sendJson } from '../json';
import type { RouteDef } from '../route';
import { parseBody } from '../validate';

const newSessionBody = z.object({
  name: z.string({ error: 'name is required.' }).trim().min(1, 'Give the session a name.').max(100, 'A session name is at most 100 characters.'),
  target: z.string().max(500).optional(),
  ownerId: z.string().optional(),
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
    method: 'POST',
    pattern: '/api/sessions',
    async handler(ctx) {
      const user = await requireUser(ctx.req, ctx.deps.tokens, ctx.deps.config.allowedOrigins);
      const body = parseBody(newSessionBody, await readJson(ctx.req));
      if (body.target === undefined) {
        throw new HttpError('unavailable', 'This server has no local VM provider yet; an admin can register an external target.');
      }
      if (user.role !== 'admin') throw new HttpError('forbidden', 'Only an admin can register an external target.');
      const check = checkExternalTarget(body.target, ctx.deps.config.vncTargetAllow);
      if (!check.ok) throw new HttpError('bad_request', check.message);
      const ownerId = body.ownerId ?? user.userId;
      if (!isValidId(ownerId) || !(await ctx.deps.users.byId(ownerId))) throw new HttpError('bad_request', 'ownerId is not a known user.');
      const session = await ctx.deps.sessions.create({ ownerId, name: body.name, target: check.url.href, kind: 'external', status: 'running' });
      sendJson(ctx.res, 201, toPublicSession(session));
    },
  },
  {
    method: 'DELETE',
    pattern: '/api/sessions/:id',
    async handler(ctx) {
      const user = await requireUser(ctx.req, ctx.deps.tokens, ctx.deps.config.allowedOrigins);
      if (!isValidId(ctx.params.id)) throw new HttpError('bad_request', 'That session id is not valid.');
      const session = await ctx.deps.sessions.byId(ctx.params.id);
      if (!session) throw new HttpError('not_found', 'No such session.');
      if (!owns(user, session.owner_id)) throw new HttpError('forbidden', 'This session belongs to someone else.');
      await ctx.deps.sessions.remove(session.id);
      ctx.res.writeHead(204).end();
    },
  },
];
