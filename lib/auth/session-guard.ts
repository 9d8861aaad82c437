import type { AuthSessionStore } from '../store/auth-sessions';
import type { AuthSession, AuthSessionEnd } from '../store/schema';

// The server side of a sign-in (design.md "Trust boundaries"): every request and upgrade asks whether the
// token's session is still alive. The answer is remembered for at most `cacheMs` (≤ 5 s), so a revocation
// made by another process is seen within that; one made in this process evicts the memo at once and tells
// the listeners (the socket sweep closes that session's sockets with 4401 immediately).
//
// Expiry slides: a session seen in use moves its `expires_at` to now + idle TTL, never past created_at +
// the absolute cap. The write is throttled to one per `touchEveryMs` per session, so a busy user costs
// one UPDATE a minute, not one per request.

export type SessionState = { ok: true; userId: string; expiresAt: number } | { ok: false; reason: 'revoked' | 'expired' | 'unknown' };

export type SessionGuardOptions = {
  store: AuthSessionStore;
  /** Idle expiry (TOKEN_TTL_S). */
  idleMs: number;
  /** Absolute cap from sign-in (SESSION_MAX_S). */
  maxMs: number;
  cacheMs: number;
  touchEveryMs?: number;
};

type Entry = { state: SessionState; createdAt: number; lastSeenAt: number; checkedAt: number };

const MAX_ENTRIES = 10_000;

export function createSessionGuard(opts: SessionGuardOptions) {
  const touchEveryMs = opts.touchEveryMs ?? Math.min(60_000, Math.max(1000, opts.idleMs / 10));
  const memo = new Map<string, Entry>();
  const listeners = new Set<(sessionIds: string[], reason: AuthSessionEnd) => void>();
  let evictions = 0;

  /** The memo's entry, or the row's answer: synchronous on SQLite, one round trip on Postgres. */
  function load(id: string, now: number): Entry | Promise<Entry> {
    const hit = memo.get(id);
    if (hit && now - hit.checkedAt < opts.cacheMs) return hit;
    const row = opts.store.byId(id);
    if (!(row instanceof Promise)) return remember(id, row, now);
    // A revocation made here while the row was on its way must not be undone by memoising what was read
    // before it: the answer still serves the request that asked, but is not remembered.
    const evictedBefore = evictions;
    return row.then((r) => remember(id, r, now, evictions === evictedBefore));
  }

  function remember(id: string, row: AuthSession | undefined, now: number, keep = true): Entry {
    let entry: Entry;
    if (!row) entry = { state: { ok: false, reason: 'unknown' }, createdAt: 0, lastSeenAt: 0, checkedAt: now };
    else if (row.revoked_at !== null) entry = { state: { ok: false, reason: 'revoked' }, createdAt: row.created_at, lastSeenAt: row.last_seen_at, checkedAt: now };
    else entry = { state: { ok: true, userId: row.user_id, expiresAt: Number(row.expires_at) }, createdAt: Number(row.created_at), lastSeenAt: Number(row.last_seen_at), checkedAt: now };
    if (!keep) return entry;
    memo.delete(id);
    if (memo.size >= MAX_ENTRIES) memo.delete(memo.keys().next().value!);
    memo.set(id, entry);
    return entry;
  }

  function decide(entry: Entry, id: string, userId: string, active: boolean, now: number): SessionState {
    const s = entry.state;
    if (!s.ok) return s;
    if (s.userId !== userId) return { ok: false, reason: 'unknown' };
    if (s.expiresAt <= now) return { ok: false, reason: 'expired' };
    if (active && now - entry.lastSeenAt >= touchEveryMs) {
      const expiresAt = Math.min(now + opts.idleMs, entry.createdAt + opts.maxMs);
      entry.lastSeenAt = now;
      entry.state = { ...s, expiresAt };
      // A failed write only means the session slides a little later; the request goes on either way.
      void opts.store.touch(id, now, expiresAt).catch(() => undefined);
    }
    return entry.state;
  }

  function evict(ids: string[], reason: AuthSessionEnd) {
    evictions++;
    for (const id of ids) memo.delete(id);
    for (const l of listeners) l(ids, reason);
  }

  return {
    async start(userId: string, meta: { ip?: string; userAgent?: string } = {}): Promise<{ id: string; expiresAt: number; endsAt: number }> {
      const row = await opts.store.create({ userId, idleMs: opts.idleMs, maxMs: opts.maxMs, ip: meta.ip, userAgent: meta.userAgent });
      return { id: row.id, expiresAt: row.expires_at, endsAt: row.created_at + opts.maxMs };
    },

    /**
     * Whether the session is alive, for a request or upgrade by `userId`; `active` (the default) counts as
     * use and slides the expiry. The sweep over open sockets passes false: an open socket alone is not use.
     * Synchronous on SQLite and from the memo; a promise when Postgres is asked (callers await only then).
     */
    check(id: string, userId: string, active = true): SessionState | Promise<SessionState> {
      const now = Date.now();
      const entry = load(id, now);
      return entry instanceof Promise ? entry.then((e) => decide(e, id, userId, active, now)) : decide(entry, id, userId, active, now);
    },

    async revoke(id: string, reason: AuthSessionEnd): Promise<void> {
      await opts.store.revoke(id, reason);
      evict([id], reason);
    },

    /** Ends every sign-in of a user except `keep` (a user who changes their own password stays in). */
    async revokeUser(userId: string, reason: AuthSessionEnd, keep?: string): Promise<string[]> {
      const ids = await opts.store.revokeForUser(userId, reason, keep);
      evict(ids, reason);
      return ids;
    },

    /** A user's rows are gone (deleted with the user): forget what the memo knows and tell the listeners. */
    forget(ids: string[], reason: AuthSessionEnd): void {
      evict(ids, reason);
    },

    onRevoke(listener: (sessionIds: string[], reason: AuthSessionEnd) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    prune(): Promise<void> {
      return opts.store.prune(Date.now() - 24 * 3600_000);
    },
  };
}

export type SessionGuard = ReturnType<typeof createSessionGuard>;
