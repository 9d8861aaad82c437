import { createHmac, randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { hmacKey } from './hmac-key';
import { verifyHs256 } from './hs256';
import type { SessionGuard, SessionState } from './session-guard';
import { TOKEN_ALG, TOKEN_ISSUER, type TokenClaims } from './tokens';

// Socket tickets (design.md "Socket tickets"): what a browser puts in a socket URL instead of its sign-in.
// Signed with a key derived from the JWT secret for this purpose alone and with an audience of their own,
// so a ticket is never a session token and a session token is never a ticket. Each one is for one route and
// one resource, lives TICKET_TTL_S, opens one socket (its jti goes into a used-set until it would have
// expired anyway) and only while the session that asked for it is alive.

export const TICKET_AUDIENCE = 'portico-socket-ticket';
export const TICKET_TTL_S = 30;
/** Tickets redeemed within the last TICKET_TTL_S; past this the oldest are dropped only once expired. */
const MAX_USED = 100_000;

/** A route record's name and what its `ticketResource` made of the socket's path. */
export type TicketTarget = { route: string; resource: string };
export type Redeemed = { ok: true; claims: TokenClaims } | { ok: false; reason: string };

export function createSocketTickets(secret: string, guard: SessionGuard) {
  const raw = createHmac('sha256', secret).update('portico socket tickets v1').digest();
  const key = hmacKey(raw);
  const used = new Map<string, number>();

  function forgetExpired(now: number) {
    for (const [jti, exp] of used) {
      if (exp > now) break; // insertion order is expiry order: every ticket lives the same TTL
      used.delete(jti);
    }
  }

  return {
    async mint(claims: TokenClaims, target: TicketTarget): Promise<{ ticket: string; expiresAt: number }> {
      const now = Math.floor(Date.now() / 1000);
      const ticket = await new SignJWT({ name: claims.username, role: claims.role, sid: claims.sessionId, rt: target.route, rs: target.resource })
        .setProtectedHeader({ alg: TOKEN_ALG, typ: 'JWT' })
        .setSubject(claims.userId)
        .setIssuer(TOKEN_ISSUER)
        .setAudience(TICKET_AUDIENCE)
        .setJti(randomBytes(12).toString('base64url'))
        .setIssuedAt(now)
        .setExpirationTime(now + TICKET_TTL_S)
        .sign(await key());
      return { ticket, expiresAt: (now + TICKET_TTL_S) * 1000 };
    },

    /**
     * Spends a ticket for the socket `target`; the reasons become the 4401's close reason. Synchronous
     * (lib/auth/hs256.ts) unless the session behind it must be asked of Postgres.
     */
    redeem(ticket: string, target: TicketTarget): Redeemed | Promise<Redeemed> {
      if (ticket.length > 2048) return { ok: false, reason: 'ticket malformed' };
      const checked = verifyHs256(ticket, raw, { issuer: TOKEN_ISSUER, audience: TICKET_AUDIENCE, requiredClaims: ['sub', 'exp', 'jti'] });
      if (!checked.ok) return { ok: false, reason: checked.problem === 'expired' ? 'ticket expired' : 'ticket invalid' };
      const { sub, name, role, sid, rt, rs, jti, exp } = checked.payload;
      if (typeof sub !== 'string' || typeof name !== 'string' || typeof sid !== 'string' || typeof jti !== 'string') return { ok: false, reason: 'ticket invalid' };
      if (rt !== target.route || rs !== target.resource) return { ok: false, reason: 'ticket is for another socket' };
      const now = Date.now();
      forgetExpired(now);
      // Fail closed: a used-set that cannot remember one more ticket refuses it rather than forget one.
      if (used.has(jti) || used.size >= MAX_USED) return { ok: false, reason: 'ticket already used' };
      used.set(jti, (exp as number) * 1000);
      const claims: TokenClaims = { userId: sub, username: name, role: role === 'admin' ? 'admin' : 'user', sessionId: sid };
      const state = guard.check(sid, sub);
      if (state instanceof Promise) return state.then((st) => withSession(claims, st)); // Postgres; SQLite answers without a tick
      return withSession(claims, state);
    },
  };
}

function withSession(claims: TokenClaims, state: SessionState): Redeemed {
  if (!state.ok) return { ok: false, reason: `session ${state.reason === 'expired' ? 'expired' : 'revoked'}` };
  return { ok: true, claims };
}

export type SocketTickets = ReturnType<typeof createSocketTickets>;
