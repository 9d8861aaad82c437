import { hkdfSync } from 'node:crypto';
import { SignJWT, errors, jwtVerify } from 'jose';
import { hmacKey } from './hmac-key';
import { reuseTokensNow } from './token-reuse';
import type { TokenClaims } from './tokens';

// The credential the gateway sends the build backend (design.md "Trust boundaries"): minted per request,
// for one project and one backend, valid a few minutes — never the user's session token, which would let
// anything on the backend's side of the wire act as the user everywhere.
//
// The key is derived from JWT_SECRET with HKDF and a label of its own, so a backend token cannot verify
// as a session token (nor the reverse) even if an audience check were ever dropped; the backend shares
// only JWT_SECRET with the gateway, as before.

export const BACKEND_TOKEN_AUDIENCE = 'portico-build-backend';
export const BACKEND_TOKEN_ISSUER = 'portico-gateway';
const ALG = 'HS256';
const KEY_LABEL = 'portico/build-backend-token/v1';
/** Long enough for a slow handshake; the backend checks it once, at the start of a socket or stream. */
export const BACKEND_TOKEN_TTL_S = 60;
/** Distinct user × project tokens kept for reuse at once; the oldest goes first. */
const MAX_REUSED = 4096;

export type BackendGrant = { user: TokenClaims; projectId: string };

export type BackendTokens = {
  /** The token itself once one for this grant is signed and still reused (the upgrade path takes it without a tick). */
  mint(grant: BackendGrant): string | Promise<string>;
  /** The grant, only when the token is valid and was minted for `projectId`. */
  verify(token: string | undefined, projectId: string): Promise<BackendGrant | null>;
};

export function deriveBackendKey(secret: string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', secret, 'portico', KEY_LABEL, 32));
}

export function createBackendTokens(secret: string, ttlS = BACKEND_TOKEN_TTL_S): BackendTokens {
  const key = hmacKey(deriveBackendKey(secret));
  const reused = reuseTokensNow(ttlS, MAX_REUSED);
  const verified = new Map<string, { grant: BackendGrant; expiresAt: number }>();
  const sign = async ({ user, projectId }: BackendGrant) =>
    new SignJWT({ name: user.username, role: user.role, project: projectId })
      .setProtectedHeader({ alg: ALG, typ: 'JWT' })
      .setSubject(user.userId)
      .setIssuer(BACKEND_TOKEN_ISSUER)
      .setAudience(BACKEND_TOKEN_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlS)
      .sign(await key());
  return {
    mint(grant) {
      return reused(`${grant.user.userId}\0${grant.user.username}\0${grant.user.role}\0${grant.projectId}`, () => sign(grant));
    },
    async verify(token, projectId) {
      if (!token || token.length > 4096) return null;
      // The same token now opens several sockets: a signature that verified once is remembered until the
      // token expires (only good ones, at most MAX_REUSED; the project is compared every time).
      const known = verified.get(token);
      if (known && known.expiresAt > Date.now()) return known.grant.projectId === projectId ? known.grant : null;
      try {
        const { payload } = await jwtVerify(token, await key(), {
          algorithms: [ALG],
          issuer: BACKEND_TOKEN_ISSUER,
          audience: BACKEND_TOKEN_AUDIENCE,
          requiredClaims: ['sub', 'exp', 'project'],
          maxTokenAge: ttlS,
        });
        if (typeof payload.project !== 'string' || typeof payload.sub !== 'string' || typeof payload.name !== 'string') return null;
        const grant: BackendGrant = { projectId: payload.project, user: { userId: payload.sub, username: payload.name, role: payload.role === 'admin' ? 'admin' : 'user' } };
        if (verified.size >= MAX_REUSED) verified.delete(verified.keys().next().value!);
        verified.set(token, { grant, expiresAt: (payload.exp as number) * 1000 });
        return grant.projectId === projectId ? grant : null;
      } catch (err) {
        if (err instanceof errors.JOSEError) return null;
        throw err;
      }
    },
  };
}
