import { Job, WaitingError, Worker } from 'bullmq';
import type { Config } from '../config/config';
import type { Db } from '../store/db';
import type { Build } from '../store/schema';
import type { Logger } from '../observability/logger';
import { createBuilds } from '../store/builds';
import { createProjects } from '../store/projects';
import { createStorageMeter } from '../quotas/storage-meter';
import type { BuildStatus } from '../protocol/build';
import type { EventLog } from './event-log';
import { createBuildExecutor } from './build-runner';
import { createBuildSlots } from './build-slot';
import { endBuild, type BuildJobData, type CancelMessage } from './build-queue';
import { chooseProvider } from './providers/choose';
import { sweepOrphanBuilds } from './build-orphans';
import { createRedisEventLog } from './redis-event-log';
import { BUILD_QUEUE, CANCEL_CHANNEL, cancelledKey, closeRedis, connectRedis, watchErrors, type RedisClient } from './redis-clients';

// A build worker: takes build jobs off the BullMQ queue and runs the pipeline, writing the workspaces and
// appending each build's events (SQL, then its Redis Stream). `npm run worker` runs one alone; `npm
// start` with REDIS_URL runs one inside the server too.
//
// A worker that dies mid-build stops renewing its hold (BullMQ's lock, BUILD_JOB_LOCK_MS); the stalled
// check of any other worker puts the job back and a worker takes it again. That worker says so in the
// build's log, and the events go on from the next seq in the store: no duplicate, no hole. A build lost
// BUILD_JOB_ATTEMPTS times ends `failed` with the same sentence. A worker that finds its hold was lost
// while it still runs (frozen, cut off from Redis) stops recording at once: the build is someone else's.

// Builds one worker runs at once: they mostly wait on the model, so a few share a process well.
const WORKER_CONCURRENCY = 4;
const STALLED_LIMIT = /stalled more than allowable limit/;
const ORPHAN_SWEEP_MS = 5 * 60_000;

export const lostWorkerLine = (attempt: number, of: number) => `The worker running this build was lost; retrying on another worker (attempt ${attempt} of ${of}).`;
export const HAND_OVER_LINE = 'The worker running this build is stopping; another worker takes it over.';
export const lostWorkerFailure = (of: number) => `The worker running this build was lost ${of === 1 ? 'and it may run only once' : `on each of its ${of} attempts`}, so the build failed.`;

class TakenOver extends Error {
  constructor() {
    super('This worker lost its hold on the build; another worker has it.');
  }
}

export function providerSettingsFrom(config: Config) {
  return {
    llmProvider: config.llmProvider,
    llmBaseUrl: config.llmBaseUrl,
    llmModel: config.llmModel,
    offlineStreamDelayMs: config.offlineStreamDelayMs,
    llmMaxTokens: config.llmMaxTokens,
    llmMaxOutputBytes: config.llmMaxOutputBytes,
    llmFirstTokenTimeoutMs: config.llmFirstTokenTimeoutMs,
    llmIdleTimeoutMs: config.llmIdleTimeoutMs,
  };
}

export type BuildWorkerOptions = {
  config: Config;
  db: Db;
  logger: Logger;
  concurrency?: number;
  /**
   * Tells the hub a build started or ended: the gateways' shared bus (the project's builds topic on
   * Redis), published once by the worker that runs the build, so every gateway's subscribers hear it
   * once (a channel each gateway relayed to its hub would have told them once per gateway).
   */
  publishChange(projectId: string, buildId: string, status: BuildStatus): void;
};

export async function startBuildWorker(opts: BuildWorkerOptions) {
  const { config, logger } = opts;
  if (!config.redisUrl) throw new Error('A build worker needs REDIS_URL: it takes its builds from the queue there.');
  const redisUrl = config.redisUrl;
  const builds = createBuilds(opts.db);
  const projects = createProjects(opts.db);
  const commands = await connectRedis(redisUrl, { name: 'worker-commands', logger, offlineQueue: false });
  const log = createRedisEventLog({ db: opts.db, commands, logger });
  const slots = createBuildSlots(commands, builds);
  const publishChange = opts.publishChange;
  const providerSettings = providerSettingsFrom(config);
  const execute = createBuildExecutor({
    builds,
    log,
    dataDir: config.dataDir,
    buildOutputsKept: config.buildOutputsKept,
    chooseProvider: () => chooseProvider(providerSettings),
    logger,
    onChange: publishChange,
    quota: {
      maxBuildsPerHour: config.maxBuildsPerHour,
      storage: createStorageMeter({ dataDir: config.dataDir, projects, builds, limitBytes: config.maxStorageBytesPerUser }),
      projects,
    },
  });

  type Running = {
    buildId: string;
    controller: AbortController;
    /** Its pipeline has begun recording the build's end (row, slot, `done`): it finishes here. */
    ending?: boolean;
    ours: boolean;
    /** This worker is stopping: the build goes back on the queue for another worker, not to an end. */
    handOver?: Promise<void>;
    orphanNoted?: boolean;
    done: Promise<void>;
  };
  const running = new Map<string, Running>();

  // Cancel: a message to every worker; the one that runs the build aborts it.
  const subscriber: RedisClient = commands.duplicate();
  watchErrors(subscriber, 'worker-cancel', logger);
  await subscriber.connect();
  await subscriber.subscribe(CANCEL_CHANNEL, (raw: string) => {
    let m: CancelMessage;
    try {
      m = JSON.parse(raw) as CancelMessage;
    } catch {
      return;
    }
    running.get(m.buildId)?.controller.abort(new Error(m.why));
  });

  /** Appends only while the build is still this worker's. */
  const fenced = (r: Running): EventLog => ({
    ...log,
    append: (buildId, body) => (r.ours ? log.append(buildId, body) : Promise.reject(new TakenOver())),
  });

  async function process(job: Job<BuildJobData>, token?: string): Promise<void> {
    const { buildId } = job.data;
    const build = await builds.byId(buildId);
    // Ended already (cancelled while it waited, or recorded by a worker before this one).
    if (!build || build.status !== 'running') return;
    const attempts = config.buildJobAttempts;
    const attempt = Math.min(job.stalledCounter + 1, attempts);
    const r: Running = { buildId, controller: new AbortController(), ours: true, done: Promise.resolve() };
    // This process got back a build it still runs (its hold lapsed while it was stalled): BullMQ hands a
    // job out again only after taking it from whoever held it, so the earlier run is over.
    const earlier = running.get(buildId);
    if (earlier) {
      earlier.ours = false;
      earlier.controller.abort(new TakenOver());
    }
    // BullMQ renews holds by job id, so the earlier run's end would stop renewing this one: it renews its own.
    const renew = earlier && token ? setInterval(() => void job.extendLock(token, config.buildJobLockMs).catch(() => undefined), config.buildJobLockMs / 2) : null;
    // Listening for cancel before the cancel key is read: a cancel lands in one or the other.
    running.set(buildId, r);
    let settle!: () => void;
    r.done = new Promise((resolve) => (settle = resolve));
    try {
      const cancelled = await commands.get(cancelledKey(buildId));
      if (cancelled !== null) {
        await endBuild({ builds, log, slots }, build, 'cancelled', cancelled);
        publishChange(build.project_id, buildId, 'cancelled');
        return;
      }
      if (attempt > 1) {
        logger.warn({ event: 'build_retried', build: buildId, attempt, attempts }, 'a build whose worker was lost is retried here');
        await fenced(r).append(buildId, { type: 'log', level: 'warn', text: lostWorkerLine(attempt, attempts) });
      }
      await execute(build, r.controller.signal, { release: () => slots.release(build.project_id, buildId), log: fenced(r), stillOurs: () => r.ours, ending: () => void (r.ending = true) });
      if (r.handOver) await handBack(job, token, build, r.handOver);
    } finally {
      if (renew) clearInterval(renew);
      if (running.get(buildId) === r) running.delete(buildId);
      settle();
    }
  }

  /**
   * Stopping (SIGTERM, a rolling restart): the build's log says so, and the job goes back to the queue,
   * where another worker (or this one, restarted) takes it and runs it again with the next seqs. Only if
   * that fails does the build end here.
   */
  async function handBack(job: Job<BuildJobData>, token: string | undefined, build: Build, said: Promise<void>): Promise<void> {
    await said;
    try {
      await job.moveToWait(token);
    } catch (err) {
      logger.warn({ event: 'build_hand_back_failed', build: build.id, err: (err as Error).message }, 'could not put a build back on the queue; it ends here');
      await endBuild({ builds, log, slots }, build, 'cancelled', 'The worker stopped during the build.').catch(() => undefined);
      publishChange(build.project_id, build.id, 'cancelled');
      return;
    }
    // BullMQ's way of saying the processor moved the job itself: neither completed nor failed.
    throw new WaitingError();
  }

  const connection = await connectRedis(redisUrl, { name: 'worker-queue', logger });
  const worker = new Worker<BuildJobData>(BUILD_QUEUE, process, {
    connection: connection as never,
    concurrency: opts.concurrency ?? WORKER_CONCURRENCY,
    lockDuration: config.buildJobLockMs,
    stalledInterval: config.buildJobLockMs,
    maxStalledCount: config.buildJobAttempts - 1,
  });
  worker.on('error', (err: Error) => logger.warn({ event: 'build_worker_error', err: err.message }, 'build worker error'));
  // This worker's hold on a build lapsed while it still runs it: unless Redis lost the job altogether
  // (restarted without its data: nobody else can have it, so it runs on here), another worker has it or
  // will: stop recording; the build is retried there.
  worker.on('lockRenewalFailed', (ids: string[]) => {
    for (const id of ids) void fenceIfTaken(id);
  });
  async function fenceIfTaken(id: string): Promise<void> {
    const r = running.get(id);
    if (!r?.ours) return;
    const job = await Job.fromId(worker as never, id).catch(() => null);
    if (job === null) return; // Redis unreachable: cannot tell yet; the next renewal asks again.
    // No job: Redis lost it (the build runs on here), unless the build was ended meanwhile (a cancel took
    // the job off the queue while this worker was frozen), and then it is over.
    if (job === undefined && (await builds.byId(id).then((b) => b?.status === 'running', () => true))) {
      if (!r.orphanNoted) logger.warn({ event: 'build_job_lost_by_redis', build: id }, 'Redis no longer has this build\'s job; it runs on here');
      r.orphanNoted = true;
      return;
    }
    r.ours = false;
    r.controller.abort(new TakenOver());
    logger.warn({ event: 'build_hold_lost', build: id }, 'lost the hold on a build; another worker retries it');
  }
  // Retried past its limit, BullMQ fails the job without running it: the build ends failed, said so. Any
  // other failure of a job (the processor threw: the store failed) must not leave its build running either.
  worker.on('failed', (job: Job<BuildJobData> | undefined, err: Error) => {
    if (!job) return;
    void (async () => {
      const build = await builds.byId(job.data.buildId);
      if (!build || build.status !== 'running' || running.has(build.id)) return;
      const summary = STALLED_LIMIT.test(err.message) ? lostWorkerFailure(config.buildJobAttempts) : `The build's worker failed: ${err.message}`;
      await endBuild({ builds, log, slots }, build, 'failed', summary);
      publishChange(build.project_id, build.id, 'failed');
      logger.warn({ event: 'build_job_failed', build: build.id }, summary);
    })().catch((e: Error) => logger.error({ err: e, build: job.data.buildId }, 'could not record the end of a failed build job'));
  });
  await worker.waitUntilReady();
  // Builds nothing will ever end (their job lost with Redis's data): ended failed, now and every few minutes.
  const sweep = () =>
    sweepOrphanBuilds({
      db: opts.db,
      builds,
      log,
      slots,
      logger,
      hasJob: (id) => Job.fromId(worker as never, id).then((j) => j !== undefined, () => true),
      quietMs: config.llmIdleTimeoutMs + 2 * config.buildJobLockMs,
      onEnded: (projectId, buildId) => publishChange(projectId, buildId, 'failed'),
    }).catch((err: Error) => logger.warn({ event: 'build_orphan_sweep_failed', err: err.message }, 'could not look for lost builds'));
  void sweep();
  const sweeper = setInterval(() => void sweep(), ORPHAN_SWEEP_MS).unref();
  logger.info({ event: 'build_worker_ready', concurrency: opts.concurrency ?? WORKER_CONCURRENCY, lockMs: config.buildJobLockMs, attempts: config.buildJobAttempts }, 'build worker taking builds');

  return {
    worker,
    get active(): number {
      return running.size;
    },
    /**
     * Stops taking builds and hands the running ones back to the queue for another worker (see handBack),
     * each with a line in its log, rather than ending them or leaving them to the stalled check.
     */
    async close(): Promise<void> {
      clearInterval(sweeper);
      const closing = worker.close();
      const runs = [...running.values()];
      for (const r of runs) {
        // A build already recording its end finishes here; any other stops recording now (synchronously,
        // so its pipeline cannot begin its end meanwhile) and goes back to the queue after one line.
        if (r.ending) continue;
        r.ours = false;
        r.controller.abort(new TakenOver());
        r.handOver = log.append(r.buildId, { type: 'log', level: 'warn', text: HAND_OVER_LINE }).then(() => undefined, () => undefined);
      }
      await Promise.all(runs.map((r) => r.done));
      await closing;
      await log.close();
      subscriber.destroy();
      await closeRedis(connection);
      await closeRedis(commands);
    },
  };
}

export type BuildWorker = Awaited<ReturnType<typeof startBuildWorker>>;
