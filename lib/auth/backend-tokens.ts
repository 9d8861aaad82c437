import { hkdfSync } from 'node:crypto';
import { SignJWT, errors, jwtVerify } from 'jose';
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

export type BackendGrant = { user: TokenClaims; projectId: string };

export type BackendTokens = {
  mint(grant: BackendGrant): Promise<string>;
  /** The grant, only when the token is valid and was minted for `projectId`. */
  verify(token: string | undefined, projectId: string): Promise<BackendGrant | null>;
};

export function deriveBackendKey(secret: string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', secret, 'portico', KEY_LABEL, 32));
}

export function createBackendTokens(secret: string, ttlS = BACKEND_TOKEN_TTL_S): BackendTokens {
  const key = deriveBackendKey(secret);
  return {
    mint({ user, projectId }) {
      return new SignJWT({ name: user.username, role: user.role, project: projectId })
        .setProtectedHeader({ alg: ALG, typ: 'JWT' })
        .setSubject(user.userId)
        .setIssuer(BACKEND_TOKEN_ISSUER)
        .setAudience(BACKEND_TOKEN_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(Math.floor(Date.now() / 1000) + ttlS)
        .sign(key);
    },
    async verify(token, projectId) {
      if (!token || token.length > 4096) return null;
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: [ALG],
          issuer: BACKEND_TOKEN_ISSUER,
          audience: BACKEND_TOKEN_AUDIENCE,
          requiredClaims: ['sub', 'exp', 'project'],
          maxTokenAge: ttlS,
        });
        if (payload.project !== projectId || typeof payload.sub !== 'string' || typeof payload.name !== 'string') return null;
        return { projectId, user: { userId: payload.sub, username: payload.name, role: payload.role === 'admin' ? 'admin' : 'user' } };
      } catch (err) {
        if (err instanceof errors.JOSEError) return null;
        throw err;
      }
    },
  };
}
