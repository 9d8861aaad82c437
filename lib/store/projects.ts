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

export function createProjects(db: Db) {
  const byId = preparedFirst(db, db.selectFrom('projects').selectAll().where('id', '=', ''));
  return {
    /** Runs on every upgrade that names a project: one prepared statement. */
    async byId(id: string): Promise<Project | undefined> {
      return byId(id);
    },
    listFor(ownerId: string): Promise<Project[]> {
      return db.selectFrom('projects').selectAll().where('owner_id', '=', ownerId).orderBy('created_at', 'desc').execute();
    },
    async create(ownerId: string, name: string): Promise<Project> {
      const row: Project = { id: newId(), name, owner_id: ownerId, created_at: Date.now() };
      await db.insertInto('projects').values(row).execute();
      return row;
    },
    async remove(id: string): Promise<void> {
      await db.deleteFrom('projects').where('id', '=', id).execute();
    },
  };
}

export type Projects = ReturnType<typeof createProjects>;
