import type { SessionWatcher } from '../protocol/api';

// The viewer sockets open on this gateway, per VM session: who is watching now (the owner's share panel)
// and which sockets a revoked or expired share link must close. Entries come and go with the sockets
// (the router's open / end), so the map is bounded by the open sockets themselves.

export type Watcher = SessionWatcher;
type Entry = { watcher: Watcher; close(code: number, reason: string): Promise<void> };

export function createSessionWatchers() {
  const bySession = new Map<string, Set<Entry>>();

  return {
    add(sessionId: string, watcher: Watcher, close: Entry['close']): () => void {
      const entry: Entry = { watcher, close };
      let set = bySession.get(sessionId);
      if (!set) bySession.set(sessionId, (set = new Set()));
      set.add(entry);
      return () => {
        const s = bySession.get(sessionId);
        if (!s) return;
        s.delete(entry);
        if (!s.size) bySession.delete(sessionId);
      };
    },
    /** Who has a viewer open on the session here, one line per person. */
    of(sessionId: string): SessionWatcher[] {
      return onePerPerson([...(bySession.get(sessionId) ?? [])].map((e) => e.watcher));
    },
    /** The share links that open sockets came through (for the sweep). */
    shareIds(): string[] {
      const ids = new Set<string>();
      for (const set of bySession.values()) for (const { watcher } of set) if (watcher.shareId) ids.add(watcher.shareId);
      return [...ids];
    },
    /** Closes every socket opened through the link; how many. */
    closeShare(shareId: string, code: number, reason: string): number {
      let n = 0;
      for (const set of bySession.values()) {
        for (const e of set) {
          if (e.watcher.shareId !== shareId) continue;
          n++;
          void e.close(code, reason).catch(() => undefined);
        }
      }
      return n;
    },
  };
}

export type SessionWatchers = ReturnType<typeof createSessionWatchers>;

/** One line per person (their earliest socket), the owner first, then by when they came. */
export function onePerPerson(sockets: readonly SessionWatcher[]): SessionWatcher[] {
  const people = new Map<string, SessionWatcher>();
  for (const watcher of sockets) {
    const known = people.get(watcher.userId);
    if (!known || watcher.since < known.since) people.set(watcher.userId, watcher);
  }
  return [...people.values()].sort((a, b) => (a.access === 'owner' ? -1 : b.access === 'owner' ? 1 : a.since - b.since));
}
