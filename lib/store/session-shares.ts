import type { Db } from './db';
import { newId } from './ids';
import type { SessionShare, ShareRights } from './schema';

// Rows of share links and of who accepted them. Every query is plain Kysely: the same on SQLite and
// Postgres. Times are epoch ms.

export type ShareGrantRow = { share_id: string; user_id: string; username: string; accepted_at: number };

export function createSessionShareStore(db: Db) {
  return {
    async create(input: { sessionId: string; createdBy: string; tokenHash: string; rights: ShareRights; expiresAt: number }): Promise<SessionShare> {
      const row: SessionShare = {
        id: newId(),
        session_id: input.sessionId,
        created_by: input.createdBy,
        token_hash: input.tokenHash,
        rights: input.rights,
        created_at: Date.now(),
        expires_at: input.expiresAt,
        revoked_at: null,
      };
      await db.insertInto('session_shares').values(row).execute();
      return row;
    },
    byTokenHash(hash: string): Promise<SessionShare | undefined> {
      return db.selectFrom('session_shares').selectAll().where('token_hash', '=', hash).executeTakeFirst();
    },
    byId(id: string): Promise<SessionShare | undefined> {
      return db.selectFrom('session_shares').selectAll().where('id', '=', id).executeTakeFirst();
    },
    forSession(sessionId: string): Promise<SessionShare[]> {
      return db.selectFrom('session_shares').selectAll().where('session_id', '=', sessionId).orderBy('created_at', 'desc').execute();
    },
    /** Links of the session still usable at `now`: what the quota counts. */
    async countActive(sessionId: string, now: number): Promise<number> {
      const r = await db
        .selectFrom('session_shares')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('session_id', '=', sessionId)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return Number(r?.n ?? 0);
    },
    grantsFor(shareIds: readonly string[]): Promise<ShareGrantRow[]> {
      if (!shareIds.length) return Promise.resolve([]);
      return db
        .selectFrom('session_share_grants')
        .innerJoin('users', 'users.id', 'session_share_grants.user_id')
        .select(['session_share_grants.share_id', 'session_share_grants.user_id', 'users.username', 'session_share_grants.accepted_at'])
        .where('session_share_grants.share_id', 'in', shareIds)
        .orderBy('session_share_grants.accepted_at', 'asc')
        .execute();
    },
    async accept(shareId: string, userId: string): Promise<void> {
      await db
        .insertInto('session_share_grants')
        .values({ share_id: shareId, user_id: userId, accepted_at: Date.now() })
        .onConflict((oc) => oc.columns(['share_id', 'user_id']).doNothing())
        .execute();
    },
    async hasGrant(shareId: string, userId: string): Promise<boolean> {
      const r = await db.selectFrom('session_share_grants').select('share_id').where('share_id', '=', shareId).where('user_id', '=', userId).executeTakeFirst();
      return r !== undefined;
    },
    /** The live links of `sessionId` that `userId` accepted, interactive first. */
    liveGrants(sessionId: string, userId: string, now: number): Promise<Pick<SessionShare, 'id' | 'rights' | 'expires_at'>[]> {
      return db
        .selectFrom('session_share_grants')
        .innerJoin('session_shares', 'session_shares.id', 'session_share_grants.share_id')
        .select(['session_shares.id', 'session_shares.rights', 'session_shares.expires_at'])
        .where('session_shares.session_id', '=', sessionId)
        .where('session_share_grants.user_id', '=', userId)
        .where('session_shares.revoked_at', 'is', null)
        .where('session_shares.expires_at', '>', now)
        .orderBy('session_shares.rights', 'asc') // 'interactive' < 'view-only'
        .execute();
    },
    /** The ids among `ids` that are revoked or expired at `now` (or gone with their session). */
    async ended(ids: readonly string[], now: number): Promise<Set<string>> {
      if (!ids.length) return new Set();
      const live = await db
        .selectFrom('session_shares')
        .select('id')
        .where('id', 'in', ids)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now)
        .execute();
      const alive = new Set(live.map((r) => r.id));
      return new Set(ids.filter((id) => !alive.has(id)));
    },
    /** Sessions other users shared with `userId` through links still live. */
    async sharedWith(userId: string, now: number): Promise<{ session_id: string; rights: ShareRights }[]> {
      return db
        .selectFrom('session_share_grants')
        .innerJoin('session_shares', 'session_shares.id', 'session_share_grants.share_id')
        .select(['session_shares.session_id', 'session_shares.rights'])
        .where('session_share_grants.user_id', '=', userId)
        .where('session_shares.revoked_at', 'is', null)
        .where('session_shares.expires_at', '>', now)
        .execute();
    },
    /** Revokes the link; false when it was already revoked. */
    async revoke(id: string): Promise<boolean> {
      const r = await db.updateTable('session_shares').set({ revoked_at: Date.now() }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
  };
}

export type SessionShareStore = ReturnType<typeof createSessionShareStore>;
