import type { IncomingMessage } from 'node:http';
import { HttpError } from '../errors/http-errors';
import { SESSION_COOKIE, bearerToken, readCookie } from '../auth/request-token';
import type { TokenClaims, Tokens } from '../auth/tokens';
import { checkOrigin } from '../auth/origin';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const FOREIGN_ORIGIN_SENTENCE = 'This request came from a page that is not allowed to make it.';

/**
 * Who is calling: `Authorization: Bearer`, a `?token=` where the route allows one (non-browser clients), or
 * the session cookie. `tokens.verify` also checks the server-side session, so a revoked sign-in is refused
 * here. A cookie-authenticated change must come from an allowed Origin (scheme, host and port), so another
 * site cannot make a signed-in browser change things.
 */
export async function requireUser(
  req: IncomingMessage,
  tokens: Tokens,
  allowedOrigins: readonly string[],
  queryToken?: string | null,
): Promise<TokenClaims & { token: string }> {
  const header = bearerToken(req.headers);
  const token = header ?? queryToken ?? readCookie(req.headers.cookie, SESSION_COOKIE);
  const verified = await tokens.verify(token);
  if (!verified.ok) {
    throw new HttpError(verified.reason === 'expired' ? 'token_expired' : verified.reason === 'revoked' ? 'session_revoked' : 'unauthorized');
  }
  if (!header && !queryToken && !SAFE_METHODS.has(req.method ?? 'GET')) requireAllowedOrigin(req, allowedOrigins);
  return { ...verified.claims, token: token! };
}

/** A request a browser made from another site is refused; one without Origin is not a browser's. */
export function requireAllowedOrigin(req: IncomingMessage, allowedOrigins: readonly string[]): void {
  if (req.headers.origin !== undefined && !checkOrigin(req, allowedOrigins).ok) throw new HttpError('forbidden', FOREIGN_ORIGIN_SENTENCE);
}

export function requireAdmin(user: TokenClaims): void {
  if (user.role !== 'admin') throw new HttpError('forbidden', 'Only an admin can do this.');
}
