import type { Db } from './db';
import { newId } from './ids';
import type { Build, BuildStatus } from './schema';
import type { BuildEvent, BuildInfo } from '../protocol/build';

export const toBuildInfo = (b: Build): BuildInfo => ({
  id: b.id,
  projectId: b.project_id,
  prompt: b.prompt,
  status: b.status,
  provider: b.provider,
  summary: b.summary,
  files: filesOf(b.files),
  lastSeq: b.last_seq,
  createdAt: b.created_at,
  finishedAt: b.finished_at,
  durationMs: b.duration_ms,
});

/** The files column as a list; an old row may hold `null` there, which the UI must never see. */
function filesOf(column: string | null): BuildInfo['files'] {
  const parsed: unknown = column ? JSON.parse(column) : null;
  return Array.isArray(parsed) ? (parsed as BuildInfo['files']) : [];
}

export function createBuilds(db: Db) {
  return {
    byId(id: string): Promise<Build | undefined> {
      return db.selectFrom('builds').selectAll().where('id', '=', id).executeTakeFirst();
    },
    latestFor(projectId: string): Promise<Build | undefined> {
      return db.selectFrom('builds').selectAll().where('project_id', '=', projectId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
    },
    listFor(projectId: string, limit = 50): Promise<Build[]> {
      return db.selectFrom('builds').selectAll().where('project_id', '=', projectId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    },
    async create(input: { projectId: string; userId: string; prompt: string }): Promise<Build> {
      const row: Build = {
        id: newId(),
        project_id: input.projectId,
        user_id: input.userId,
        prompt: input.prompt,
        status: 'running',
        provider: null,
        summary: null,
        files: '[]',
        last_seq: 0,
        created_at: Date.now(),
        finished_at: null,
        duration_ms: null,
      };
      await db.insertInto('builds').values(row).execute();
      return row;
    },
    async setProvider(id: string, provider: string): Promise<void> {
      await db.updateTable('builds').set({ provider }).where('id', '=', id).execute();
    },
    async finish(id: string, end: { status: Exclude<BuildStatus, 'running'>; summary: string; files: { path: string; bytes: number }[]; startedAt: number }) {
      const now = Date.now();
      await db
        .updateTable('builds')
        .set({ status: end.status, summary: end.summary, files: JSON.stringify(end.files), finished_at: now, duration_ms: now - end.startedAt })
        .where('id', '=', id)
        .execute();
    },
    /** How many builds a user started since `since`, and when the oldest of them started (for quotas). */
    async startedSince(userId: string, since: number): Promise<{ count: number; oldest: number | null }> {
      const row = await db
        .selectFrom('builds')
        .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.min('created_at').as('oldest')])
        .where('user_id', '=', userId)
        .where('created_at', '>', since)
        .executeTakeFirst();
      return { count: Number(row?.count ?? 0), oldest: row?.oldest == null ? null : Number(row.oldest) };
    },
    /** Every build id of a project, newest first: whose output folders to keep, count or delete. */
    async idsFor(projectId: string): Promise<string[]> {
      const rows = await db.selectFrom('builds').select('id').where('project_id', '=', projectId).orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
      return rows.map((r) => r.id);
    },
    /** The last build of the same project that succeeded before `beforeBuildId` started: what a diff compares with. */
    async previousSucceeded(projectId: string, beforeBuildId: string): Promise<Build | undefined> {
      const before = await db.selectFrom('builds').select(['created_at', 'id']).where('id', '=', beforeBuildId).where('project_id', '=', projectId).executeTakeFirst();
      if (!before) return undefined;
      return db
        .selectFrom('builds')
        .selectAll()
        .where('project_id', '=', projectId)
        .where('status', '=', 'succeeded')
        .where((eb) => eb.or([eb('created_at', '<', before.created_at), eb.and([eb('created_at', '=', before.created_at), eb('id', '<', before.id)])]))
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
    },
    /** One page of a build's stored events after `afterSeq`, in order. */
    async eventsPage(buildId: string, afterSeq: number, limit: number): Promise<BuildEvent[]> {
      const rows = await db.selectFrom('build_events').select('event').where('build_id', '=', buildId).where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute();
      return rows.map((r) => JSON.parse(r.event) as BuildEvent);
    },
    /** Builds still marked running when no runner holds them: the process that ran them is gone. */
    running(): Promise<Build[]> {
      return db.selectFrom('builds').selectAll().where('status', '=', 'running').execute();
    },
  };
}

export type Builds = ReturnType<typeof createBuilds>;
