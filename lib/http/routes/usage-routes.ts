import { requireUser } from '../caller';
import type { ApiDeps } from '../deps';
import { sendJson } from '../json';
import type { RouteDef } from '../route';

// Where the caller stands against each limit of their account, as figures and as a sentence.

export const usageRoutes: RouteDef<ApiDeps>[] = [
  {
    method: 'GET',
    pattern: '/api/usage',
    async handler(ctx) {
      const user = await requireUser(ctx.req, ctx.deps.tokens, ctx.deps.config.allowedOrigins);
      sendJson(ctx.res, 200, await ctx.deps.quotas.usage(user.userId));
    },
  },
];
