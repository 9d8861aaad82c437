import { z } from 'zod';
import { HttpError, errorCodeForStatus } from '../../errors/http-errors';
import { statusForCloseCode } from '../../errors/status-map';
import { findRoute } from '../../upgrade/routes';
import { requireUser } from '../caller';
import type { ApiDeps } from '../deps';
import { readJson, sendJson } from '../json';
import { requestUrl } from '../request-url';
import type { RouteDef } from '../route';
import { parseBody } from '../validate';

// POST /api/socket-tickets (design.md "Socket tickets"): the browser asks for a ticket right before each
// (re)connect, naming the socket's path. The route record that path belongs to authorises it here exactly
// as the upgrade will (404 / 403), so a ticket is only ever minted for a socket the caller may open, and
// a new route needs nothing here; the upgrade still authorises again.

const ticketBody = z.object({
  path: z.string({ error: 'path is the socket path, e.g. "/api/events".' }).min(1).max(512),
});

export const socketTicketsRoutes: RouteDef<ApiDeps>[] = [
  {
    method: 'POST',
    pattern: '/api/socket-tickets',
    async handler(ctx) {
      const user = await requireUser(ctx.req, ctx.deps.tokens, ctx.deps.config.allowedOrigins);
      const body = parseBody(ticketBody, await readJson(ctx.req, 1024));
      const url = body.path.startsWith('/') ? requestUrl(body.path) : null;
      if (!url) throw new HttpError('bad_request', 'path must be a socket path starting with "/".');
      const found = findRoute(ctx.deps.socketRoutes.list(), url.pathname, url.searchParams);
      if (!found) throw new HttpError('not_found', 'No WebSocket route at this path.');
      const { route, matched } = found;
      if (matched.problem !== undefined) throw new HttpError('bad_request', `That socket path is not valid: ${matched.problem}.`);
      if (route.access === 'public') throw new HttpError('bad_request', 'That socket is public: it needs no ticket.');
      const decision = await route.authorise(matched.params, user, ctx.deps.socketRoutes.deps);
      // The refusal the upgrade would close with, as the status that means the same (the one map).
      if (!decision.ok) throw new HttpError(errorCodeForStatus(statusForCloseCode(decision.code) ?? 500));
      sendJson(ctx.res, 200, await ctx.deps.tickets.mint(user, { route: route.name, resource: route.ticketResource(matched.params) }));
    },
  },
];
