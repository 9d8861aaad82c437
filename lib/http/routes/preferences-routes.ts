import { preferencesChange } from '../../store/preferences';
import { requireUser } from '../caller';
import type { ApiDeps } from '../deps';
import { readJson, sendJson } from '../json';
import type { RouteDef } from '../route';
import { parseBody } from '../validate';

// The caller's own preferences (the viewer's scaling, quality and compression): nobody reads or
// changes another user's.

const BODY_LIMIT = 4 * 1024;

export const preferencesRoutes: RouteDef<ApiDeps>[] = [
  {
    method: 'GET',
    pattern: '/api/preferences',
    async handler(ctx) {
      const user = await requireUser(ctx.req, ctx.deps.tokens, ctx.deps.config.allowedOrigins);
      sendJson(ctx.res, 200, await ctx.deps.preferences.get(user.userId));
    },
  },
  {
    method: 'PUT',
    pattern: '/api/preferences',
    async handler(ctx) {
      const user = await requireUser(ctx.req, ctx.deps.tokens, ctx.deps.config.allowedOrigins);
      const change = parseBody(preferencesChange, await readJson(ctx.req, BODY_LIMIT));
      sendJson(ctx.res, 200, await ctx.deps.preferences.change(user.userId, change));
    },
  },
];
