import { z } from 'zod';
import { HttpError } from '../../errors/http-errors';
import { isValidId } from '../../store/ids';
import { owns } from '../../auth/ownership';
import { requireUser } from '../caller';
import type { ApiDeps } from '../deps';
import { readJson, sendJson } from '../json';
import type { RouteDef } from '../route';
import { parseBody } from '../validate';

// POST /api/socket-tickets (design.md "Socket tickets"): the browser asks for a ticket right before each
// (re)connect. The resource is authorised here exactly as the API would (404 / 403), so a ticket is only
// ever minted for a socket the caller may open; the upgrade still authorises again.

const ticketBody = z.object({
  route: z.enum(['build', 'vnc', 'events'], { error: 'route is "build", "vnc" or "events".' }),
  resource: z.string().max(64).optional(),
});

export const socketTicketsRoutes: RouteDef<ApiDeps>[] = [
  {
    method: 'POST',
    pattern: '/api/socket-tickets',
    async handler(ctx) {
      const user = await requireUser(ctx.req, ctx.deps.tokens, ctx.deps.config.allowedOrigins);
      const body = parseBody(ticketBody, await readJson(ctx.req, 1024));
      let resource = 'hub';
      if (body.route !== 'events') {
        if (!body.resource || !isValidId(body.resource)) throw new HttpError('bad_request', `That ${body.route === 'build' ? 'project' : 'session'} id is not valid.`);
        const row = body.route === 'build' ? await ctx.deps.projects.byId(body.resource) : await ctx.deps.sessions.byId(body.resource);
        if (!row) throw new HttpError('not_found');
        if (!owns(user, row.owner_id)) throw new HttpError('forbidden');
        resource = row.id;
      }
      sendJson(ctx.res, 200, await ctx.deps.tickets.mint(user, { route: body.route, resource }));
    },
  },
];
