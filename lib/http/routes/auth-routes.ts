import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { HttpError } from '../../errors/http-errors';
import { SESSION_COOKIE, bearerToken, readCookie } from '../../auth/request-token';
import { hashPassword, passwordProblem, verifyPassword } from '../../auth/passwords';
import { HashPoolFull } from '../../auth/hash-pool';
import { toPublicUser } from '../../store/users';
import { requireAllowedOrigin, requireUser } from '../caller';
import type { ApiDeps } from '../deps';
import { readJson, sendJson } from '../json';
import type { RouteContext, RouteDef } from '../route';
import { parseBody } from '../validate';
import { clientAddress, trustedProxies, type TrustedProxies } from '../client-address';
import type { Config } from '../../config/config';

// Config is frozen and read once; its proxy list is turned into a lookup once per config.
const proxies = new WeakMap<Config, TrustedProxies>();
function proxiesOf(config: Config): TrustedProxies {
  let p = proxies.get(config);
  if (!p) proxies.set(config, (p = trustedProxies(config.trustedProxies)));
  return p;
}

const loginBody = z.object({
  username: z.string({ error: 'Enter your username.' }).min(1, 'Enter your username.').max(64),
  password: z.string({ error: 'Enter your password.' }).min(1, 'Enter your password.').max(1024),
});

const passwordBody = z.object({
  currentPassword: z.string({ error: 'Enter your current password.' }).min(1, 'Enter your current password.').max(1024),
  newPassword: z.string({ error: 'Enter a new password.' }),
});

// A hash to compare against when the username does not exist, so that a wrong username and a wrong
// password take the same time.
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

export function sessionCookie(ctx: RouteContext<ApiDeps>, value: string, maxAgeS: number): string {
  const secure = ctx.req.headers['x-forwarded-proto'] === 'https' || (ctx.req.socket as { encrypted?: boolean }).encrypted;
  return [`${SESSION_COOKIE}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${maxAgeS}`, ...(secure ? ['Secure'] : [])].join('; ');
}

/** Runs password hashing through the bounded pool; a full pool is a 429 the caller can retry. */
export async function hashed<T>(ctx: RouteContext<ApiDeps>, work: () => Promise<T>): Promise<T> {
  try {
    return await ctx.deps.hashPool.run(work);
  } catch (err) {
    if (err instanceof HashPoolFull) {
      ctx.res.setHeader('Retry-After', '2');
      throw new HttpError('too_many_requests', err.message);
    }
    throw err;
  }
}

async function login(ctx: RouteContext<ApiDeps>) {
  // Another site must not sign a browser in under an account of its choosing (login CSRF).
  requireAllowedOrigin(ctx.req, ctx.deps.config.allowedOrigins);
  const { username, password } = parseBody(loginBody, await readJson(ctx.req));
  const { loginLimits, users, guard, tokens, logger } = ctx.deps;
  const ip = clientAddress(ctx.req, proxiesOf(ctx.deps.config));
  const refusal = await loginLimits.admit(ip, username);
  if (refusal) {
    logger.info({ event: 'login_limited', username, retryAfterS: refusal.retryAfterS }, 'login refused by a rate limit');
    ctx.res.setHeader('Retry-After', String(refusal.retryAfterS));
    throw new HttpError('too_many_requests', refusal.sentence);
  }
  const user = await users.byUsername(username);
  const ok = await hashed(ctx, () => verifyPassword(password, user?.password_hash ?? DUMMY_HASH));
  if (!user || !ok) {
    await loginLimits.failed(username);
    logger.info({ event: 'login_failed', username }, 'login failed');
    throw new HttpError('bad_credentials');
  }
  await loginLimits.succeeded(username);
  if (user.disabled_at !== null) throw new HttpError('account_disabled');
  const session = await guard.start(user.id, { ip, userAgent: ctx.req.headers['user-agent'] });
  const { token } = await tokens.sign({ userId: user.id, username: user.username, role: user.role, sessionId: session.id });
  logger.info({ event: 'login', user: user.username }, 'signed in');
  // The cookie lasts as long as the session can (the absolute cap); the server decides when it ends.
  const cookie = sessionCookie(ctx, token, ctx.deps.config.sessionMaxS);
  // A browser (it always sends Origin on a POST) keeps its sign-in only in the httpOnly cookie: the page
  // never sees a token it could leak. A non-browser client gets the token for `Authorization: Bearer`.
  const browser = ctx.req.headers.origin !== undefined;
  const body = browser ? { expiresAt: session.expiresAt, user: toPublicUser(user) } : { token, expiresAt: session.expiresAt, user: toPublicUser(user) };
  sendJson(ctx.res, 200, body, { 'Set-Cookie': cookie });
}

async function logout(ctx: RouteContext<ApiDeps>) {
  // Another site must not be able to sign a user out either.
  requireAllowedOrigin(ctx.req, ctx.deps.config.allowedOrigins);
  const token = bearerToken(ctx.req.headers) ?? readCookie(ctx.req.headers.cookie, SESSION_COOKIE);
  const verified = await ctx.deps.tokens.verify(token);
  // The session ends server side: a copy of the token (another tab, a log, a thief) stops working too.
  if (verified.ok && verified.claims.sessionId) await ctx.deps.guard.revoke(verified.claims.sessionId, 'logout');
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

/** A user changes their own password: every other sign-in of theirs ends; this one stays. */
async function changeOwnPassword(ctx: RouteContext<ApiDeps>) {
  const claims = await requireUser(ctx.req, ctx.deps.tokens, ctx.deps.config.allowedOrigins);
  const body = parseBody(passwordBody, await readJson(ctx.req));
  const problem = passwordProblem(body.newPassword);
  if (problem) throw new HttpError('bad_request', problem);
  const user = await ctx.deps.users.byId(claims.userId);
  if (!user) throw new HttpError('unauthorized', 'This account no longer exists.');
  if (!(await hashed(ctx, () => verifyPassword(body.currentPassword, user.password_hash)))) {
    throw new HttpError('bad_request', 'The current password is not right.');
  }
  await ctx.deps.users.setPasswordHash(user.id, await hashed(ctx, () => hashPassword(body.newPassword)));
  await ctx.deps.guard.revokeUser(user.id, 'password', claims.sessionId);
  ctx.res.writeHead(204, { 'Cache-Control': 'no-store' }).end();
}

export const authRoutes: RouteDef<ApiDeps>[] = [
  { method: 'POST', pattern: '/api/auth/login', handler: login },
  { method: 'POST', pattern: '/api/auth/logout', handler: logout },
  { method: 'GET', pattern: '/api/auth/me', handler: me },
  { method: 'POST', pattern: '/api/auth/password', handler: changeOwnPassword },
];
