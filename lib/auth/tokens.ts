import { SignJWT, errors, jwtVerify } from 'jose';
import type { Role } from '../store/schema';

// Session tokens: HS256 JWTs. The algorithm is pinned on verify, so `alg: none` or an RS/HS confusion
// token is refused before its signature is even looked at; iss, aud and exp are always checked.

export const TOKEN_ALG = 'HS256';
export const TOKEN_ISSUER = 'portico';
export const TOKEN_AUDIENCE = 'portico-gateway';

export type TokenClaims = { userId: string; username: string; role: Role };

export type Verified = { ok: true; claims: TokenClaims; expiresAt: number } | { ok: false; reason: TokenProblem };
export type TokenProblem = 'missing' | 'malformed' | 'expired' | 'invalid';

export type Tokens = {
  sign(claims: TokenClaims): Promise<{ token: string; expiresAt: number }>;
  verify(token: string | undefined | null): Promise<Verified>;
};

export function createTokens(secret: string, ttlSeconds: number): Tokens {
  const key = new TextEncoder().encode(secret);
  return {
    async sign(claims) {
      const now = Math.floor(Date.now() / 1000);
      const exp = now + ttlSeconds;
      const token = await new SignJWT({ name: claims.username, role: claims.role })
        .setProtectedHeader({ alg: TOKEN_ALG, typ: 'JWT' })
        .setSubject(claims.userId)
        .setIssuer(TOKEN_ISSUER)
        .setAudience(TOKEN_AUDIENCE)
        .setIssuedAt(now)
        .setExpirationTime(exp)
        .sign(key);
      return { token, expiresAt: exp * 1000 };
    },
    async verify(token) {
      if (!token) return { ok: false, reason: 'missing' };
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
        return {
          ok: true,
          claims: { userId: payload.sub, username: payload.name, role },
          expiresAt: (payload.exp as number) * 1000,
        };
      } catch (err) {
        if (err instanceof errors.JWTExpired) return { ok: false, reason: 'expired' };
        if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return { ok: false, reason: 'malformed' };
        return { ok: false, reason: 'invalid' };
      }
    },
  };
}
