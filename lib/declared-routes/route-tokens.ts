import { hkdfSync } from 'node:crypto';
import { SignJWT } from 'jose';
import type { TokenClaims } from '../auth/tokens';

// What a declared route with `identity: bearer` sends upstream: never the user's own token (it opens the
// whole dashboard as that user), but one minted for that route alone — audience `portico-route:<name>`,
// valid a minute, signed with a key derived from JWT_SECRET for that route name (HKDF, a label of its
// own). The upstream is given its route's key (`npm run doctor -- --route-key <name>`), so one route's
// service can neither mint tokens for another route nor forge a session token for the dashboard.

export const ROUTE_TOKEN_ISSUER = 'portico-gateway';
export const ROUTE_TOKEN_TTL_S = 60;
const KEY_LABEL = 'portico/route-token/v1:';
const MAX_REUSED = 4096;

export const routeAudience = (routeName: string) => `portico-route:${routeName}`;

export function deriveRouteKey(secret: string, routeName: string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', secret, 'portico', KEY_LABEL + routeName, 32));
}

export type RouteTokens = { mint(routeName: string, user: TokenClaims): Promise<string> };

export function createRouteTokens(secret: string, ttlS = ROUTE_TOKEN_TTL_S): RouteTokens {
  const keys = new Map<string, Uint8Array>();
  const recent = new Map<string, { token: Promise<string>; reuseUntil: number }>();
  return {
    mint(routeName, user) {
      // As backend tokens: the same user on the same route shares one token for half its life, so a busy
      // route does not sign on every request.
      const slot = `${routeName}\0${user.userId}\0${user.username}\0${user.role}`;
      const now = Date.now();
      const hit = recent.get(slot);
      if (hit && hit.reuseUntil > now) return hit.token;
      let key = keys.get(routeName);
      if (!key) keys.set(routeName, (key = deriveRouteKey(secret, routeName)));
      const token = new SignJWT({ name: user.username, role: user.role })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(user.userId)
        .setIssuer(ROUTE_TOKEN_ISSUER)
        .setAudience(routeAudience(routeName))
        .setIssuedAt()
        .setExpirationTime(Math.floor(now / 1000) + ttlS)
        .sign(key);
      if (recent.size >= MAX_REUSED) recent.delete(recent.keys().next().value!);
      recent.set(slot, { token, reuseUntil: now + (ttlS * 1000) / 2 });
      token.catch(() => recent.delete(slot));
      return token;
    },
  };
}
