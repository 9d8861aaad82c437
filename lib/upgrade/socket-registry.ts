// Every socket the gateway holds open, so that health can count them per route and shutdown can close
// each one with 1001. Whoever opens a socket registers it and removes it when it ends.

import { BUILTIN_ROUTE_NAMES } from './routes';

export type OpenSocket = {
  /** A route record's name: a built-in one, or an operator's (which may come and go with a reload). */
  readonly route: string;
  /** Absent on a public route's socket. */
  readonly userId?: string;
  /** The server-side sign-in the socket was opened under; the session sweep closes it when that ends. */
  readonly sessionId?: string;
  /** Closes the socket from the gateway's side with a close frame; resolves once it is gone. */
  close(code: number, reason: string): Promise<void>;
};

export type SocketRegistry = ReturnType<typeof createSocketRegistry>;

export const DRAIN_BATCH_MIN = 50;
export const DRAIN_BATCHES = 10;
export const DRAIN_GAP_MS = 100;

export function createSocketRegistry(onChange?: (route: string, open: number) => void) {
  const sockets = new Set<OpenSocket>();
  // The built-in routes are always listed (at 0), so a chart or a scrape sees them before their first socket.
  const counts = new Map<string, number>(BUILTIN_ROUTE_NAMES.map((r) => [r, 0]));
  // And told as such, so /metrics has an open_sockets series for each from the first scrape.
  for (const route of counts.keys()) onChange?.(route, 0);
  const bump = (route: string, by: number) => {
    const n = (counts.get(route) ?? 0) + by;
    counts.set(route, n);
    onChange?.(route, n);
  };
  return {
    add(s: OpenSocket) {
      sockets.add(s);
      bump(s.route, 1);
    },
    remove(s: OpenSocket) {
      if (sockets.delete(s)) bump(s.route, -1);
    },
    byRoute(): Record<string, number> {
      return Object.fromEntries(counts);
    },
    /** A snapshot of the open sockets, for sweeps. */
    list(): OpenSocket[] {
      return [...sockets];
    },
    get size() {
      return sockets.size;
    },
    /**
     * Shutdown's drain: 1001 in batches of at least DRAIN_BATCH_MIN, at most DRAIN_BATCHES of them
     * DRAIN_GAP_MS apart, so thousands of clients do not reconnect to the other gateways in the same
     * instant, while the whole drain stays under a second (well inside SHUTDOWN_LIMIT_MS).
     */
    async closeAll(code: number, reason: string): Promise<void> {
      const all = [...sockets];
      const size = Math.max(DRAIN_BATCH_MIN, Math.ceil(all.length / DRAIN_BATCHES));
      const closing: Promise<void>[] = [];
      for (let i = 0; i < all.length; i += size) {
        if (i > 0) await new Promise((r) => setTimeout(r, DRAIN_GAP_MS));
        closing.push(...all.slice(i, i + size).map((s) => s.close(code, reason).catch(() => undefined)));
      }
      await Promise.all(closing);
    },
    /** Closes the sockets that match (an operator's "disconnect"); resolves with how many. */
    async closeWhere(match: (s: OpenSocket) => boolean, code: number, reason: string): Promise<number> {
      const chosen = [...sockets].filter(match);
      await Promise.all(chosen.map((s) => s.close(code, reason).catch(() => undefined)));
      return chosen.length;
    },
  };
}
