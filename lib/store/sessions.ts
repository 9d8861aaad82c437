import { preparedFirst, type Db } from './db';
import { newId } from './ids';
import type { Session, SessionKind, SessionStatus } from './schema';
import type { PublicSession } from '../protocol/api';

export type { PublicSession } from '../protocol/api';

// The target stays server side: the API never hands it to a browser.
export const toPublicSession = (s: Session): PublicSession => ({
  id: s.id,
  name: s.name,
  kind: s.kind,
  status: s.status,
  ownerId: s.owner_id,
  createdAt: s.created_at,
  desktopStartedAt: s.desktop_started_at ?? null,
  desktopEndedAt: s.desktop_ended_at ?? null,
});

export function createSessions(db: Db) {
  const byId = preparedFirst(db, db.selectFrom('sessions').selectAll().where('id', '=', ''));
  return {
    /** Runs on every upgrade that names a session: one prepared statement. */
    async byId(id: string): Promise<Session | undefined> {
      return byId(id);
    },
    listFor(ownerId: string): Promise<Session[]> {
      return db.selectFrom('sessions').selectAll().where('owner_id', '=', ownerId).orderBy('created_at', 'desc').execute();
    },
    create(input: { ownerId: string; name: string; target: string; kind: SessionKind; status: SessionStatus }): Promise<Session> {
      return this.createWithId(newId(), input);
    },
    async createWithId(id: string, input: { ownerId: string; name: string; target: string; kind: SessionKind; status: SessionStatus }): Promise<Session> {
      const row: Session = {
        id,
        owner_id: input.ownerId,
        name: input.name,
        target: input.target,
        kind: input.kind,
        status: input.status,
        created_at: Date.now(),
        desktop_started_at: input.kind === 'local' ? Date.now() : null,
        desktop_ended_at: null,
      };
      await db.insertInto('sessions').values(row).execute();
      return row;
    },
    all(): Promise<Session[]> {
      return db.selectFrom('sessions').selectAll().execute();
    },
    async setStatus(id: string, status: SessionStatus): Promise<Session | undefined> {
      await db.updateTable('sessions').set({ status }).where('id', '=', id).execute();
      return db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
    },
    /** A new desktop runs for the session (resumed after a restart, or started again). */
    async setTarget(id: string, target: string, startedAt: number = Date.now()): Promise<Session | undefined> {
      await db.updateTable('sessions').set({ target, status: 'running', desktop_started_at: startedAt }).where('id', '=', id).execute();
      return db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
    },
    /** The session's desktop ended at `at` (it exited, or this server stopped it to stop itself). */
    async setDesktopEnded(id: string, at: number, status?: SessionStatus): Promise<Session | undefined> {
      await db.updateTable('sessions').set(status ? { desktop_ended_at: at, status } : { desktop_ended_at: at }).where('id', '=', id).execute();
      return db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async remove(id: string): Promise<void> {
      await db.deleteFrom('sessions').where('id', '=', id).execute();
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;
