import type { IncomingMessage } from 'node:http';
import { HttpError } from '../errors/http-errors';
import { SESSION_COOKIE, bearerToken, readCookie } from '../auth/request-token';
import type { TokenClaims, Tokens } from '../auth/tokens';
import { checkOrigin } from '../upgrade/origin';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Who is calling: `Authorization: Bearer` or the session cookie. A cookie-authenticated change must come
 * from an allowed Origin, so another site cannot make a signed-in browser change things.
 */
export async function requireUser(
  req: IncomingMessage,
  tokens: Tokens,
  allowedOrigins: readonly string[],
  queryToken?: string | null,
): Promise<TokenClaims & { token: string }> {
  const header = bearerToken(req.headers);
  // A query token is accepted only where the caller passes one in (streams an EventSource opens).
  const token = header ?? queryToken ?? readCookie(req.headers.cookie, SESSION_COOKIE);
  const verified = await tokens.verify(token);
  if (!verified.ok) {
    throw new HttpError(verified.reason === 'expired' ? 'token_expired' : 'unauthorized');
  }
  if (!header && !queryToken && !SAFE_METHODS.has(req.method ?? 'GET') && req.headers.origin !== undefined) {
    if (!checkOrigin(req, allowedOrigins).ok) throw new HttpError('forbidden', 'This request came from a page that is not allowed to make it.');
  }
  return { ...verified.claims, token: token! };
}

export function requireAdmin(user: TokenClaims): void {
  if (user.role !== 'admin') throw new HttpError('forbidden', 'Only an admin can do this.');
}
