import { SignJWT } from 'jose';
import type { Role } from '../store/schema';
import { hmacKey } from './hmac-key';
import { verifyHs256 } from './hs256';
import type { SessionGuard, SessionState } from './session-guard';

// Session tokens: HS256 JWTs. The algorithm is pinned on verify, so `alg: none` or an RS/HS confusion
// token is refused before its signature is even looked at; iss, aud and exp are always checked.
// Each token names its server-side session (`jti`); with a guard, verify also asks whether that session
// is still alive, so logout, a password or role change, disable and delete end the token at once.

export const TOKEN_ALG = 'HS256';
export const TOKEN_ISSUER = 'portico';
export const TOKEN_AUDIENCE = 'portico-gateway';

export type TokenClaims = { userId: string; username: string; role: Role; sessionId?: string };

export type Verified = { ok: true; claims: TokenClaims; expiresAt: number } | { ok: false; reason: TokenProblem };
export type TokenProblem = 'missing' | 'malformed' | 'expired' | 'invalid' | 'revoked';

export type Tokens = {
  sign(claims: TokenClaims): Promise<{ token: string; expiresAt: number }>;
  verify(token: string | undefined | null): Promise<Verified>;
  /** The same answer, without a promise when it is at hand (SQLite or the guard's memo): the upgrade path's. */
  verifyNow(token: string | undefined | null): Verified | Promise<Verified>;
};

export function createTokens(secret: string, ttlSeconds: number, guard?: SessionGuard): Tokens {
  const raw = new TextEncoder().encode(secret);
  const key = hmacKey(raw);
  const signature = verifiedSignatures(raw);
  return {
    async sign(claims) {
      const now = Math.floor(Date.now() / 1000);
      const exp = now + ttlSeconds;
      const jwt = new SignJWT({ name: claims.username, role: claims.role })
        .setProtectedHeader({ alg: TOKEN_ALG, typ: 'JWT' })
        .setSubject(claims.userId)
        .setIssuer(TOKEN_ISSUER)
        .setAudience(TOKEN_AUDIENCE)
        .setIssuedAt(now)
        .setExpirationTime(exp);
      if (claims.sessionId) jwt.setJti(claims.sessionId);
      return { token: await jwt.sign(await key()), expiresAt: exp * 1000 };
    },
    async verify(token) {
      return verifyNow(token);
    },
    verifyNow,
  };

  function verifyNow(token: string | undefined | null): Verified | Promise<Verified> {
    const result = signature(token);
    if (!result.ok || !guard) return result;
    // With server-side sessions a token without one is not ours any more (or was minted by hand).
    const sessionId = result.claims.sessionId;
    if (!sessionId) return { ok: false, reason: 'invalid' };
    const state = guard.check(sessionId, result.claims.userId);
    // Postgres; SQLite and the guard's memo answer without a tick.
    if (state instanceof Promise) return state.then((st) => withSession(result, st));
    return withSession(result, state);
  }
}

function withSession(result: Extract<Verified, { ok: true }>, state: SessionState): Verified {
  if (!state.ok) return { ok: false, reason: state.reason === 'expired' ? 'expired' : 'revoked' };
  return { ok: true, claims: result.claims, expiresAt: Math.min(result.expiresAt, state.expiresAt) };
}

// A token cannot change, so a signature that verified once stays verified; only time changes the answer,
// so `exp` is checked again on every use, and the session behind it is checked by the guard every time.
// Only good tokens are kept, at most `max`. (The check itself is synchronous, lib/auth/hs256.ts; the memo
// saves the HMAC and the JSON parse on every upgrade and request of a signed-in client.)
export function verifiedSignatures(key: Uint8Array, max = 1024): (token: string | undefined | null) => Verified {
  const verified = new Map<string, Extract<Verified, { ok: true }>>();
  return (token) => {
    if (!token) return { ok: false, reason: 'missing' };
    const hit = verified.get(token);
    if (hit && hit.expiresAt > Date.now()) return hit;
    verified.delete(token);
    const result = verifySignature(key, token);
    if (result.ok) {
      if (verified.size >= max) verified.delete(verified.keys().next().value!);
      verified.set(token, result);
    }
    return result;
  };
}

function verifySignature(key: Uint8Array, token: string): Verified {
  const checked = verifyHs256(token, key, { issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE, requiredClaims: ['sub', 'exp'] });
  if (!checked.ok) return { ok: false, reason: checked.problem };
  const payload = checked.payload;
  const role = payload.role === 'admin' ? 'admin' : 'user';
  if (typeof payload.sub !== 'string' || typeof payload.name !== 'string') return { ok: false, reason: 'invalid' };
  const claims: TokenClaims = { userId: payload.sub, username: payload.name, role };
  if (typeof payload.jti === 'string') claims.sessionId = payload.jti;
  return { ok: true, claims, expiresAt: (payload.exp as number) * 1000 };
}
