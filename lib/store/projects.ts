import { preparedFirst, type Db } from './db';
import { newId } from './ids';
import type { Project } from './schema';
import type { PublicProject } from '../protocol/api';

export type { PublicProject } from '../protocol/api';

export const toPublicProject = (p: Project): PublicProject => ({
  id: p.id,
  name: p.name,
  ownerId: p.owner_id,
  createdAt: p.created_at,
});

// On Postgres a found project is remembered for RECENT_MS, because the lookup runs on every upgrade and
// hub subscription (a reconnect storm is thousands at once). That is safe because a project's owner never
// changes: the one stale answer possible is a project deleted by another process, which stays reachable
// for at most RECENT_MS (a delete here forgets it at once). "Not found" is never remembered, so a project
// created through one gateway is found at once through another.
const RECENT_MS = 1000;
const RECENT_MAX = 10_000;

export function createProjects(db: Db) {
  const byId = preparedFirst(db, db.selectFrom('projects').selectAll().where('id', '=', ''));
  const recent = new Map<string, { row: Project; at: number }>();
  const remember = (row: Project | undefined) => {
    if (!row) return row;
    recent.delete(row.id);
    if (recent.size >= RECENT_MAX) recent.delete(recent.keys().next().value!);
    recent.set(row.id, { row, at: Date.now() });
    return row;
  };
  function find(id: string): Project | undefined | Promise<Project | undefined> {
    const hit = recent.get(id);
    if (hit && Date.now() - hit.at < RECENT_MS) return hit.row;
    const row = byId(id);
    return row instanceof Promise ? row.then(remember) : row;
  }
  return {
    /** Runs on every upgrade that names a project: one prepared statement (on SQLite no cache: it is in-process). */
    async byId(id: string): Promise<Project | undefined> {
      return find(id);
    },
    /** The same, without a promise when the answer is at hand (SQLite, or a recent row): the upgrade path's. */
    find,

    listFor(ownerId: string): Promise<Project[]> {
      return db.selectFrom('projects').selectAll().where('owner_id', '=', ownerId).orderBy('created_at', 'desc').execute();
    },
    async create(ownerId: string, name: string): Promise<Project> {
      const row: Project = { id: newId(), name, owner_id: ownerId, created_at: Date.now() };
      await db.insertInto('projects').values(row).execute();
      return row;
    },
    async remove(id: string): Promise<void> {
      recent.delete(id);
      await db.deleteFrom('projects').where('id', '=', id).execute();
      recent.delete(id); // a lookup that ran during the delete may have put it back
    },
  };
}

export type Projects = ReturnType<typeof createProjects>;
