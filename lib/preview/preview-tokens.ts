import { hkdfSync } from 'node:crypto';
import { SignJWT, errors, jwtVerify } from 'jose';

// The capability a preview URL carries in its path (design.md "Preview origin"): signed by the gateway
// for one build's output (or one project's workspace, for Raw), audience `portico-preview`, valid an
// hour. The preview server trusts nothing else: no cookie, no session. The key is derived from
// JWT_SECRET under a label of its own, so no other token of Portico's verifies here, nor the reverse.

export const PREVIEW_TOKEN_AUDIENCE = 'portico-preview';
export const PREVIEW_TOKEN_ISSUER = 'portico-gateway';
export const PREVIEW_TOKEN_TTL_S = 3600;
const ALG = 'HS256';
const KEY_LABEL = 'portico/preview-token/v1';
/** A token is a few hundred characters; anything much longer is not one of ours. */
const MAX_TOKEN_CHARS = 2048;

export type PreviewScope = { kind: 'build'; projectId: string; buildId: string } | { kind: 'workspace'; projectId: string };

export type PreviewGrant = PreviewScope & {
  userId: string;
  /** The dashboard origin that asked: the only one allowed to frame the preview (CSP frame-ancestors). */
  frameAncestor: string | null;
  expiresAt: number;
};

export type PreviewTokens = {
  mint(input: { userId: string; scope: PreviewScope; frameAncestor: string | null }): Promise<{ token: string; expiresAt: number }>;
  verify(token: string): Promise<PreviewGrant | null>;
};

export function derivePreviewKey(secret: string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', secret, 'portico', KEY_LABEL, 32));
}

export function createPreviewTokens(secret: string, ttlS = PREVIEW_TOKEN_TTL_S): PreviewTokens {
  const key = derivePreviewKey(secret);
  return {
    async mint({ userId, scope, frameAncestor }) {
      const exp = Math.floor(Date.now() / 1000) + ttlS;
      const claims: Record<string, string> = { scope: scope.kind, project: scope.projectId };
      if (scope.kind === 'build') claims.build = scope.buildId;
      if (frameAncestor) claims.fa = frameAncestor;
      const token = await new SignJWT(claims)
        .setProtectedHeader({ alg: ALG, typ: 'JWT' })
        .setSubject(userId)
        .setIssuer(PREVIEW_TOKEN_ISSUER)
        .setAudience(PREVIEW_TOKEN_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(exp)
        .sign(key);
      return { token, expiresAt: exp * 1000 };
    },
    async verify(token) {
      if (!token || token.length > MAX_TOKEN_CHARS) return null;
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: [ALG],
          issuer: PREVIEW_TOKEN_ISSUER,
          audience: PREVIEW_TOKEN_AUDIENCE,
          requiredClaims: ['sub', 'exp', 'scope', 'project'],
        });
        const { sub, scope, project, build, fa, exp } = payload as Record<string, unknown>;
        if (typeof sub !== 'string' || typeof project !== 'string' || typeof exp !== 'number') return null;
        const frameAncestor = typeof fa === 'string' ? fa : null;
        const base = { userId: sub, frameAncestor, expiresAt: exp * 1000 };
        if (scope === 'workspace') return { ...base, kind: 'workspace', projectId: project };
        if (scope === 'build' && typeof build === 'string') return { ...base, kind: 'build', projectId: project, buildId: build };
        return null;
      } catch (err) {
        if (err instanceof errors.JOSEError) return null;
        throw err;
      }
    },
  };
}
