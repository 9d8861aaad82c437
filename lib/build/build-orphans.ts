import type { Db } from '../store/db';
import type { Logger } from '../observability/logger';
import type { Builds } from '../store/builds';
import type { BuildEvent } from '../protocol/build';
import type { EventLog } from './event-log';
import type { BuildSlots } from './build-slot';
import { endBuild } from './build-queue';

// A build the store says is running but that nothing will ever run or end: its job is gone from the
// queue (a Redis that restarted without its data) and no worker has recorded anything for longer than
// a running build can be silent. Workers look for such builds now and then and end them failed, with a
// sentence, so history never shows a build "running" forever. The in-process runner does the same at
// start (recoverInterrupted); with workers no single start-up can, since builds outlive any one process.

export const ORPHAN_SUMMARY = 'The build was lost: its job is no longer in the build queue (Redis lost it) and no worker has run it since.';

export type OrphanSweepDeps = {
  db: Db;
  builds: Builds;
  log: EventLog;
  slots: BuildSlots;
  logger: Logger;
  /** Whether the queue still has the build's job (waiting, active or failed). */
  hasJob(buildId: string): Promise<boolean>;
  /** Longer than any running build goes without an event (the model's idle timeout, a worker's hold). */
  quietMs: number;
  onEnded?(projectId: string, buildId: string): void;
};

export async function sweepOrphanBuilds(deps: OrphanSweepDeps, now = Date.now()): Promise<number> {
  let ended = 0;
  for (const build of await deps.builds.running()) {
    if (now - build.created_at < deps.quietMs) continue;
    const last = await deps.db.selectFrom('build_events').select('event').where('build_id', '=', build.id).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    const lastAt = last ? (JSON.parse(last.event) as BuildEvent).at : build.created_at;
    if (now - lastAt < deps.quietMs || (await deps.hasJob(build.id))) continue;
    await deps.log.append(build.id, { type: 'log', level: 'error', text: ORPHAN_SUMMARY });
    await endBuild(deps, build, 'failed', ORPHAN_SUMMARY);
    deps.onEnded?.(build.project_id, build.id);
    deps.logger.warn({ event: 'build_orphan_ended', build: build.id }, ORPHAN_SUMMARY);
    ended++;
  }
  return ended;
}
