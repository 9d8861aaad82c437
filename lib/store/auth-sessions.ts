import { randomBytes } from 'node:crypto';
import { preparedFirst, type Db } from './db';
import type { AuthSession, AuthSessionEnd } from './schema';

// Rows of server-side sign-ins. The id is the token's `jti`: 128 random bits, so a guessed id is no use
// even without the signature.

export function createAuthSessionStore(db: Db) {
  const byId = preparedFirst(db, db.selectFrom('auth_sessions').selectAll().where('id', '=', ''));
  return {
    async create(input: { userId: string; idleMs: number; maxMs: number; ip?: string; userAgent?: string }): Promise<AuthSession> {
      const now = Date.now();
      const row: AuthSession = {
        id: randomBytes(16).toString('base64url'),
        user_id: input.userId,
        created_at: now,
        last_seen_at: now,
        expires_at: now + Math.min(input.idleMs, input.maxMs),
        revoked_at: null,
        reason: null,
        ip: input.ip?.slice(0, 64) ?? null,
        user_agent: input.userAgent?.slice(0, 256) ?? null,
      };
      await db.insertInto('auth_sessions').values(row).execute();
      return row;
    },
    /** Runs on every checked request whose cache entry is stale: one prepared statement (synchronous on SQLite). */
    byId(id: string): AuthSession | undefined | Promise<AuthSession | undefined> {
      return byId(id);
    },
    async touch(id: string, lastSeenAt: number, expiresAt: number): Promise<void> {
      await db.updateTable('auth_sessions').set({ last_seen_at: lastSeenAt, expires_at: expiresAt }).where('id', '=', id).where('revoked_at', 'is', null).execute();
    },
    async revoke(id: string, reason: AuthSessionEnd): Promise<void> {
      await db.updateTable('auth_sessions').set({ revoked_at: Date.now(), reason }).where('id', '=', id).where('revoked_at', 'is', null).execute();
    },
    /** Revokes every live sign-in of a user (but `keep`); resolves with the ids it ended. */
    async revokeForUser(userId: string, reason: AuthSessionEnd, keep?: string): Promise<string[]> {
      let q = db.selectFrom('auth_sessions').select('id').where('user_id', '=', userId).where('revoked_at', 'is', null);
      if (keep) q = q.where('id', '!=', keep);
      const ids = (await q.execute()).map((r) => r.id);
      if (ids.length) await db.updateTable('auth_sessions').set({ revoked_at: Date.now(), reason }).where('id', 'in', ids).execute();
      return ids;
    },
    /** Live sign-ins per user, for the users screen. */
    async activeCounts(now = Date.now()): Promise<Map<string, number>> {
      const rows = await db
        .selectFrom('auth_sessions')
        .select(['user_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now)
        .groupBy('user_id')
        .execute();
      return new Map(rows.map((r) => [r.user_id, Number(r.n)]));
    },
    /** Forgets rows that ended long ago, so the table does not grow with every sign-in forever. */
    async prune(before: number): Promise<void> {
      await db.deleteFrom('auth_sessions').where('expires_at', '<', before).execute();
    },
  };
}

export type AuthSessionStore = ReturnType<typeof createAuthSessionStore>;
