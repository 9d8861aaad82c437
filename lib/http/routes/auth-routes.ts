import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { HttpError } from '../../errors/http-errors';
import { SESSION_COOKIE } from '../../auth/request-token';
import { verifyPassword } from '../../auth/passwords';
import { toPublicUser } from '../../store/users';
import { requireUser } from '../caller';
import type { ApiDeps } from '../deps';
import { readJson, sendJson } from '../json';
import type { RouteContext, RouteDef } from '../route';
import { parseBody } from '../validate';

const loginBody = z.object({
  username: z.string({ error: 'Enter your username.' }).min(1, 'Enter your username.').max(64),
  password: z.string({ error: 'Enter your password.' }).min(1, 'Enter your password.').max(1024),
});

// A hash to compare against when the username does not exist, so that a wrong username and a wrong
// password take the same time.
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

function sessionCookie(ctx: RouteContext<ApiDeps>, value: string, maxAgeS: number): string {
  const secure = ctx.req.headers['x-forwarded-proto'] === 'https' || (ctx.req.socket as { encrypted?: boolean }).encrypted;
  return [`${SESSION_COOKIE}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${maxAgeS}`, ...(secure ? ['Secure'] : [])].join('; ');
}

async function login(ctx: RouteContext<ApiDeps>) {
  const { username, password } = parseBody(loginBody, await readJson(ctx.req));
  const user = await ctx.deps.users.byUsername(username);
  const ok = await verifyPassword(password, user?.password_hash ?? DUMMY_HASH);
  if (!user || !ok) {
    ctx.deps.logger.info({ event: 'login_failed', username }, 'login failed');
    throw new HttpError('bad_credentials');
  }
  const { token, expiresAt } = await ctx.deps.tokens.sign({ userId: user.id, username: user.username, role: user.role });
  ctx.deps.logger.info({ event: 'login', user: user.username }, 'signed in');
  sendJson(ctx.res, 200, { token, expiresAt, user: toPublicUser(user) }, { 'Set-Cookie': sessionCookie(ctx, token, ctx.deps.config.tokenTtlS) });
}

function logout(ctx: RouteContext<ApiDeps>) {
  // Tokens are stateless: signing out clears the cookie; a copied token lives until it expires.
  const res: ServerResponse = ctx.res;
  res.writeHead(204, { 'Set-Cookie': sessionCookie(ctx, '', 0), 'Cache-Control': 'no-store' });
  res.end();
}

async function me(ctx: RouteContext<ApiDeps>) {
  const claims = await requireUser(ctx.req, ctx.deps.tokens, ctx.deps.config.allowedOrigins);
  const user = await ctx.deps.users.byId(claims.userId);
  if (!user) throw new HttpError('unauthorized', 'This account no longer exists.');
  sendJson(ctx.res, 200, toPublicUser(user));
}

export const authRoutes: RouteDef<ApiDeps>[] = [
  { method: 'POST', pattern: '/api/auth/login', handler: login },
  { method: 'POST', pattern: '/api/auth/logout', handler: logout },
  { method: 'GET', pattern: '/api/auth/me', handler: me },
];
