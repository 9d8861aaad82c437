import { CLOSE } from '../errors/close-codes';
import type { Leases } from './leases';
import type { AnyRoute, Refusal } from './routes/route';

// Step 5 of an upgrade, and the only place a socket slot is taken: per user (per client address on a
// public route), for the server, and for the route when it caps its own. Each slot is released exactly
// once, however the socket ends.

export type SocketSlot = { release(): void };

/** How a public route's client is named as a slot holder: by its address, never a user id. */
export const ADDRESS = 'address:';

export function createSocketSlots(leases: Leases) {
  /** Open sockets per route, for the routes that cap theirs (counted from the slot, not from the 101). */
  const heldByRoute = new Map<string, number>();
  return {
    take(route: AnyRoute, holder: string): SocketSlot | Refusal {
      const held = heldByRoute.get(route.name) ?? 0;
      if (route.maxSockets !== undefined && held >= route.maxSockets) return { ok: false, code: CLOSE.TOO_MANY, reason: `route ${route.name} is at its limit of ${route.maxSockets} sockets` };
      const refusal = leases.acquire(holder);
      if (refusal === 'global') return { ok: false, code: CLOSE.TOO_MANY, reason: 'server socket limit reached' };
      if (refusal) return { ok: false, code: CLOSE.TOO_MANY, reason: holder.startsWith(ADDRESS) ? 'too many sockets from this address' : 'too many sockets for this user' };
      heldByRoute.set(route.name, held + 1);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          leases.release(holder);
          heldByRoute.set(route.name, (heldByRoute.get(route.name) ?? 1) - 1);
        },
      };
    },
  };
}
