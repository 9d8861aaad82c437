// Every socket the gateway holds open, so that health can count them per route and shutdown can close
// each one with 1001. Whoever opens a socket registers it and removes it when it ends.

export type RouteName = 'build' | 'vnc' | 'events';

export type OpenSocket = {
  readonly route: RouteName;
  readonly userId: string;
  /** The server-side sign-in the socket was opened under; the session sweep closes it when that ends. */
  readonly sessionId?: string;
  /** Closes the socket from the gateway's side with a close frame; resolves once it is gone. */
  close(code: number, reason: string): Promise<void>;
};

export type SocketRegistry = ReturnType<typeof createSocketRegistry>;

export const ROUTES: readonly RouteName[] = ['build', 'vnc', 'events'];

export function createSocketRegistry(onChange?: (route: RouteName, open: number) => void) {
  const sockets = new Set<OpenSocket>();
  const counts = new Map<RouteName, number>(ROUTES.map((r) => [r, 0]));
  const bump = (route: RouteName, by: number) => {
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
    byRoute(): Record<RouteName, number> {
      return Object.fromEntries(ROUTES.map((r) => [r, counts.get(r) ?? 0])) as Record<RouteName, number>;
    },
    /** A snapshot of the open sockets, for sweeps. */
    list(): OpenSocket[] {
      return [...sockets];
    },
    get size() {
      return sockets.size;
    },
    async closeAll(code: number, reason: string): Promise<void> {
      await Promise.all([...sockets].map((s) => s.close(code, reason).catch(() => undefined)));
    },
    /** Closes the sockets that match (an operator's "disconnect"); resolves with how many. */
    async closeWhere(match: (s: OpenSocket) => boolean, code: number, reason: string): Promise<number> {
      const chosen = [...sockets].filter(match);
      await Promise.all(chosen.map((s) => s.close(code, reason).catch(() => undefined)));
      return chosen.length;
    },
  };
}
