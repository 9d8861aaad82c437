import { SignJWT, errors, jwtVerify } from 'jose';
import type { Role } from '../store/schema';
import { hmacKey } from './hmac-key';
import type { SessionGuard } from './session-guard';

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
      const result = await signature(token);
      if (!result.ok || !guard) return result;
      // With server-side sessions a token without one is not ours any more (or was minted by hand).
      const sessionId = result.claims.sessionId;
      if (!sessionId) return { ok: false, reason: 'invalid' };
      let state = guard.check(sessionId, result.claims.userId);
      if (state instanceof Promise) state = await state; // Postgres; SQLite answers without a tick
      if (!state.ok) return { ok: false, reason: state.reason === 'expired' ? 'expired' : 'revoked' };
      return { ok: true, claims: result.claims, expiresAt: Math.min(result.expiresAt, state.expiresAt) };
    },
  };
}

// Checking an HS256 signature goes through WebCrypto, which Node runs on its thread pool: a hop to another
// thread and back on every upgrade and request (bench/). A token cannot change, so a signature that
// verified once stays verified; only time changes the answer, so `exp` is checked again on every use, and
// the session behind it is checked by the guard every time. Only good tokens are kept, at most `max`.
export function verifiedSignatures(key: Uint8Array, max = 1024): (token: string | undefined | null) => Promise<Verified> {
  const verified = new Map<string, Extract<Verified, { ok: true }>>();
  const cryptoKey = hmacKey(key);
  return async (token) => {
    if (!token) return { ok: false, reason: 'missing' };
    const hit = verified.get(token);
    if (hit && hit.expiresAt > Date.now()) return hit;
    verified.delete(token);
    const result = await verifySignature(await cryptoKey(), token);
    if (result.ok) {
      if (verified.size >= max) verified.delete(verified.keys().next().value!);
      verified.set(token, result);
    }
    return result;
  };
}

async function verifySignature(key: CryptoKey, token: string): Promise<Verified> {
  // A JWS compact token is three base64url parts; anything else is malformed before we try.
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token) || token.length > 4096) {
    return { ok: false, reason: 'malformed' };
  }
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: [TOKEN_ALG],
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      requiredClaims: ['sub', 'exp'],
    });
    const role = payload.role === 'admin' ? 'admin' : 'user';
    if (typeof payload.sub !== 'string' || typeof payload.name !== 'string') return { ok: false, reason: 'invalid' };
    const claims: TokenClaims = { userId: payload.sub, username: payload.name, role };
    if (typeof payload.jti === 'string') claims.sessionId = payload.jti;
    return { ok: true, claims, expiresAt: (payload.exp as number) * 1000 };
  } catch (err) {
    if (err instanceof errors.JWTExpired) return { ok: false, reason: 'expired' };
    if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return { ok: false, reason: 'malformed' };
    return { ok: false, reason: 'invalid' };
  }
}
