import { Queue } from 'bullmq';
import type { Logger } from '../observability/logger';
import type { Builds } from '../store/builds';
import type { Build } from '../store/schema';
import type { BuildOutcome, BuildStatus } from '../protocol/build';
import { refusal } from '../errors/reasons';
import { HttpError } from '../errors/http-errors';
import { buildRateRefusal } from '../quotas/build-rate';
import { createKeyedQueue } from '../quotas/keyed-queue';
import type { EventLog } from './event-log';
import type { BuildRunner, StartResult } from './build-runner';
import { createBuildSlots, type BuildSlots } from './build-slot';
import { BUILD_QUEUE, CANCEL_CHANNEL, cancelledKey, closeRedis, connectRedis, watchErrors, within, type RedisClient } from './redis-clients';

// Builds on a BullMQ queue (REDIS_URL set): what the build backend in a gateway uses instead of the
// in-process runner. A start holds the project's slot (build-slot.ts), writes the build's row and adds
// a job named by the build's id; a worker process (build-worker.ts) runs it. Cancel reaches whichever
// worker runs the build through a Pub/Sub message, and a key the worker also reads when it picks the
// build up, so a cancel that arrives before any worker has it is not lost; a build no worker has taken
// yet is taken off the queue and ended here.

export type BuildJobData = { buildId: string; projectId: string; userId: string; prompt: string };
export type CancelMessage = { buildId: string; why: string };

// Failed jobs are kept a day for whoever inspects the queue; the build's record is the store's anyway.
export const JOB_OPTIONS = { attempts: 1, removeOnComplete: true, removeOnFail: { age: 24 * 3600, count: 1000 } };
const CANCEL_KEY_TTL_S = 24 * 3600;
const ACTIVE_REFRESH_MS = 2000;

export type BuildQueueOptions = {
  redisUrl: string;
  /** The process's command connection (shared with the event log). */
  commands: RedisClient;
  builds: Builds;
  log: EventLog;
  logger: Logger;
  /** Told when a worker starts or ends a build (the hub's `project:<id>:builds` topic). */
  maxBuildsPerHour?: number;
};

/** Ends a build nobody will run any more (cancelled before a worker took it, retried past its limit). */
export async function endBuild(deps: { builds: Builds; log: EventLog; slots: BuildSlots }, build: Build, status: BuildOutcome, summary: string): Promise<void> {
  const current = await deps.builds.byId(build.id);
  if (current?.status !== 'running') return;
  await deps.builds.finish(build.id, { status, summary, files: [], startedAt: build.created_at });
  await deps.slots.release(build.project_id, build.id);
  await deps.log.append(build.id, { type: 'done', status, summary });
}

export async function createBuildQueue(opts: BuildQueueOptions): Promise<BuildRunner & { close(): Promise<void> }> {
  const { commands, builds, logger } = opts;
  const slots = createBuildSlots(commands, builds);
  // BullMQ's own connection: it duplicates it for its blocking reads, and keeps an offline queue.
  const queueClient = await connectRedis(opts.redisUrl, { name: 'build-queue', logger, wait: false });
  const queue = new Queue<BuildJobData>(BUILD_QUEUE, { connection: queueClient as never, defaultJobOptions: JOB_OPTIONS });
  queue.on('error', (err: Error) => logger.warn({ event: 'build_queue_error', err: err.message }, 'build queue error'));
  const perUser = createKeyedQueue();
  let active = 0;
  let activeAt = 0;

  async function startNow(projectId: string, userId: string, prompt: string): Promise<StartResult> {
    const unavailable = (err: unknown): StartResult => {
      logger.warn({ event: 'build_queue_unavailable', project: projectId, err: (err as Error).message }, 'could not queue a build');
      return { ok: false, reason: 'unavailable', refusal: refusal('build_queue_unavailable') };
    };
    let claim;
    try {
      claim = await slots.claim(projectId);
    } catch (err) {
      return unavailable(err);
    }
    if (!claim.ok) return { ok: false, reason: 'conflict', runningBuildId: claim.runningBuildId };
    const build = await builds.create({ projectId, userId, prompt }).catch(async (err) => {
      await slots.release(projectId, claim.token).catch(() => undefined);
      throw err;
    });
    try {
      await within(slots.bind(projectId, build.id));
      await within(queue.add('build', { buildId: build.id, projectId, userId, prompt }, { jobId: build.id }));
    } catch (err) {
      // Recorded as failed first: a job that still lands late finds its build ended and does nothing.
      const summary = 'The build could not be queued: the build queue is unreachable.';
      await builds.finish(build.id, { status: 'failed', summary, files: [], startedAt: build.created_at }).catch(() => undefined);
      await opts.log.append(build.id, { type: 'done', status: 'failed', summary }).catch(() => undefined);
      // Queued behind the bind on the same connection, so it undoes a bind that lands late; not awaited.
      void slots.release(projectId, build.id).catch(() => undefined);
      return unavailable(err);
    }
    return { ok: true, build };
  }

  async function cancelNow(projectId: string, why: string): Promise<boolean> {
    const buildId = await slots.holder(projectId);
    if (!buildId) return false;
    await commands.set(cancelledKey(buildId), why, { expiration: { type: 'EX', value: CANCEL_KEY_TTL_S } });
    await commands.publish(CANCEL_CHANNEL, JSON.stringify({ buildId, why } satisfies CancelMessage));
    // Still waiting for a worker: take it off the queue and end it here. A job a worker holds is locked
    // and stays; that worker got the message above.
    if ((await queue.remove(buildId)) === 1) {
      const build = await builds.byId(buildId);
      if (build) await endBuild({ builds, log: opts.log, slots }, build, 'cancelled', why);
    }
    return true;
  }

  function unreachable(err: unknown): never {
    logger.warn({ event: 'build_queue_unavailable', err: (err as Error).message }, 'could not reach the build queue');
    throw new HttpError('unavailable', refusal('build_queue_unavailable').message);
  }

  function refreshActive(): void {
    if (Date.now() - activeAt < ACTIVE_REFRESH_MS) return;
    activeAt = Date.now();
    queue.getActiveCount().then(
      (n) => (active = n),
      () => undefined,
    );
  }

  return {
    async start(projectId, userId, prompt) {
      const limit = opts.maxBuildsPerHour;
      if (limit === undefined) return startNow(projectId, userId, prompt);
      return perUser(userId, async () => {
        const r = await buildRateRefusal(builds, userId, limit);
        if (r) return { ok: false, reason: 'quota', refusal: r };
        return startNow(projectId, userId, prompt);
      });
    },
    async cancel(projectId, why = 'Cancelled.') {
      return within(cancelNow(projectId, why)).catch(unreachable);
    },
    async runningBuild(projectId) {
      return ((await within(slots.holder(projectId)).catch(unreachable)) as string | undefined) || undefined;
    },
    /** Builds the workers are running (BullMQ's count, a second or two old). */
    get active() {
      refreshActive();
      return active;
    },
    // Workers and BullMQ's stalled-job check recover interrupted builds; a gateway starting must not
    // mark builds other processes are running as failed.
    async recoverInterrupted() {
      return 0;
    },
    // The builds run on the workers and go on without this gateway.
    async stopAll() {},
    async close() {
      await queue.close();
      await closeRedis(queueClient);
    },
  };
}
