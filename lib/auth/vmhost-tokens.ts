import { hkdfSync } from 'node:crypto';
import { SignJWT, errors, jwtVerify } from 'jose';
import { hmacKey } from './hmac-key';
import { reuseTokens } from './token-reuse';
import type { ShareRights } from '../protocol/api';

// The credential a gateway sends the vmhost (design.md "Trust boundaries", "Scale-out"): minted per
// request, for one operation on one session, valid a minute — never the user's session token.
//
// The key comes from VMHOST_SECRET, not from JWT_SECRET: the vmhost runs strangers' desktops, so it is the
// process most worth keeping away from the key that signs sign-ins, socket tickets and build-backend
// tokens. Holding VMHOST_SECRET lets it verify (or mint) vmhost tokens and nothing else. HKDF with a label
// of its own keeps even a VMHOST_SECRET that an operator reused elsewhere from verifying anything else.

export const VMHOST_TOKEN_AUDIENCE = 'portico-vmhost';
export const VMHOST_TOKEN_ISSUER = 'portico-gateway';
const ALG = 'HS256';
const KEY_LABEL = 'portico/vmhost-token/v1';
export const VMHOST_TOKEN_TTL_S = 60;
/** Distinct grants kept for reuse at once; the oldest goes first. */
const MAX_REUSED = 4096;

/** What a token allows: start, stop, open the viewer of or move files in one session, or read the vmhost's status. */
export type VmhostOp = 'create' | 'delete' | 'connect' | 'files' | 'status';

export type VmhostGrant = {
  op: VmhostOp;
  /** The one session the token is for; null only for `status`. */
  sessionId: string | null;
  /** Who asked (the gateway authorised them); null for the gateway's own `status` polls. */
  userId: string | null;
  role: 'admin' | 'user';
  /** `connect` for a share link's viewer: what the vmhost's bridge lets through (absent: the owner's). */
  rights?: ShareRights;
};

export type VmhostTokens = {
  mint(grant: VmhostGrant): Promise<string>;
  /**
   * The grant when the token is valid, for `op` and (unless `status`) for `sessionId`; `invalid` when it is
   * missing, forged or expired (401), `out_of_scope` when it is a good token for something else (403).
   */
  verify(token: string | undefined, op: VmhostOp, sessionId: string | null): Promise<VmhostGrant | 'invalid' | 'out_of_scope'>;
};

export function deriveVmhostKey(secret: string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', secret, 'portico', KEY_LABEL, 32));
}

export function createVmhostTokens(secret: string, ttlS = VMHOST_TOKEN_TTL_S): VmhostTokens {
  const key = hmacKey(deriveVmhostKey(secret));
  const reused = reuseTokens(ttlS, MAX_REUSED);
  const sign = async ({ op, sessionId, userId, role, rights }: VmhostGrant) => {
    const jwt = new SignJWT({ op, session: sessionId, role, ...(rights ? { rights } : {}) })
      .setProtectedHeader({ alg: ALG, typ: 'JWT' })
      .setIssuer(VMHOST_TOKEN_ISSUER)
      .setAudience(VMHOST_TOKEN_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlS);
    if (userId) jwt.setSubject(userId);
    return jwt.sign(await key());
  };
  return {
    mint(grant) {
      return reused(`${grant.op}\0${grant.sessionId}\0${grant.userId}\0${grant.role}\0${grant.rights ?? ''}`, () => sign(grant));
    },
    async verify(token, op, sessionId) {
      if (!token || token.length > 4096) return 'invalid';
      try {
        const { payload } = await jwtVerify(token, await key(), {
          algorithms: [ALG],
          issuer: VMHOST_TOKEN_ISSUER,
          audience: VMHOST_TOKEN_AUDIENCE,
          requiredClaims: ['exp', 'op'],
          maxTokenAge: ttlS,
        });
        const session = typeof payload.session === 'string' ? payload.session : null;
        // Every operation but `status` names exactly the session it was minted for.
        if (payload.op !== op || (op !== 'status' && (session === null || session !== sessionId))) return 'out_of_scope';
        const grant: VmhostGrant = { op, sessionId: session, userId: typeof payload.sub === 'string' ? payload.sub : null, role: payload.role === 'admin' ? 'admin' : 'user' };
        // An unknown rights claim is never read as the owner's: it is the narrowest there is.
        if (payload.rights !== undefined) grant.rights = payload.rights === 'interactive' ? 'interactive' : 'view-only';
        return grant;
      } catch (err) {
        if (err instanceof errors.JOSEError) return 'invalid';
        throw err;
      }
    },
  };
}
