import { CLOSE } from '../errors/close-codes';
import type { LeaseRefusal, Leases } from './leases';
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

  function settle(route: AnyRoute, holder: string, refusal: LeaseRefusal | null): SocketSlot | Refusal {
    if (refusal === 'global') return { ok: false, code: CLOSE.TOO_MANY, reason: 'server socket limit reached' };
    if (refusal) return { ok: false, code: CLOSE.TOO_MANY, reason: holder.startsWith(ADDRESS) ? 'too many sockets from this address' : 'too many sockets for this user' };
    let released = false;
    return {
      release() {
        if (released) return;
        released = true;
        leases.release(holder);
        heldByRoute.set(route.name, (heldByRoute.get(route.name) ?? 1) - 1);
      },
    };
  }

  return {
    /** A slot or a refusal; a promise of one only when the leases are shared (Redis). */
    take(route: AnyRoute, holder: string): SocketSlot | Refusal | Promise<SocketSlot | Refusal> {
      const held = heldByRoute.get(route.name) ?? 0;
      if (route.maxSockets !== undefined && held >= route.maxSockets) return { ok: false, code: CLOSE.TOO_MANY, reason: `route ${route.name} is at its limit of ${route.maxSockets} sockets` };
      // Counted before the answer, so concurrent upgrades cannot all pass a route's cap while one waits.
      heldByRoute.set(route.name, held + 1);
      const undo = (answer: SocketSlot | Refusal) => {
        if ('ok' in answer) heldByRoute.set(route.name, (heldByRoute.get(route.name) ?? 1) - 1);
        return answer;
      };
      const refusal = leases.acquire(holder);
      if (refusal instanceof Promise) {
        return refusal.then(
          (r) => undo(settle(route, holder, r)),
          (): Refusal => undo({ ok: false, code: CLOSE.TRY_AGAIN_LATER, reason: 'socket limits unavailable' }) as Refusal,
        );
      }
      return undo(settle(route, holder, refusal));
    },
  };
}
