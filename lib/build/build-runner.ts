import type { Logger } from '../observability/logger';
import type { Builds } from '../store/builds';
import type { Build } from '../store/schema';
import type { EventLog } from './event-log';
import { runPipeline } from './pipeline';
import type { ModelProvider } from './providers/provider';
import { workspaceDir } from './workspace';
import { buildOutputDir, trimBuildOutputs } from './build-output';
import type { Projects } from '../store/projects';
import { buildRateRefusal } from '../quotas/build-rate';
import { createKeyedQueue } from '../quotas/keyed-queue';
import type { StorageMeter } from '../quotas/storage-meter';
import type { Refusal } from '../errors/reasons';
import type { BuildStatus } from '../protocol/build';

// Runs builds in this process, one at a time per project, whether or not anyone watches. Behind this
// small surface so that BullMQ workers can take over when builds move to other machines.

export type StartResult =
  | { ok: true; build: Build }
  | { ok: false; reason: 'conflict'; runningBuildId: string }
  | { ok: false; reason: 'quota'; refusal: Refusal<'build_quota'> }
  /** Builds go to a queue (REDIS_URL) and it cannot be reached: 1013 / 503, try again. */
  | { ok: false; reason: 'unavailable'; refusal: Refusal<'build_queue_unavailable'> };

export type BuildRunnerDeps = {
  builds: Builds;
  log: EventLog;
  dataDir: string;
  /** Output folders kept per project (BUILD_OUTPUTS_KEPT); older builds' folders are deleted. */
  buildOutputsKept: number;
  chooseProvider(): Promise<ModelProvider>;
  logger: Logger;
  /** Told when a build starts or ends (the hub's `project:<id>:builds` topic listens here). */
  onChange?(projectId: string, buildId: string, status: BuildStatus): void;
  /** Per-user limits: builds started per hour (by the user who starts), storage (of the project's owner). */
  quota?: { maxBuildsPerHour: number; storage: StorageMeter; projects: Projects };
};

type Running = { buildId: string; controller: AbortController; done: Promise<void> };

/** What the process that runs a build (this runner, or a queue worker) does around the pipeline. */
export type RunHooks = {
  /** Lets go of the project's one-build slot, right before `done` is appended. */
  release(): void | Promise<void>;
  /** The log to append to (default: deps.log), e.g. one that refuses appends once the build is no longer ours. */
  log?: EventLog;
  /** False once another process has taken the build over: then nothing more is recorded from here. */
  stillOurs?(): boolean;
  /** Told, in the same turn as the last `stillOurs` check, that the build's end is being recorded. */
  ending?(): void;
};

/**
 * Runs one build's pipeline to its end and records the end: its row, its output folders trimmed, the
 * change told. Shared by the in-process runner and the BullMQ worker (build-worker.ts).
 */
export function createBuildExecutor(deps: BuildRunnerDeps) {
  const ours = (hooks: RunHooks) => hooks.stillOurs?.() ?? true;

  async function run(build: Build, signal: AbortSignal, hooks: RunHooks): Promise<void> {
    const startedAt = Date.now();
    deps.onChange?.(build.project_id, build.id, 'running');
    try {
      const provider = await deps.chooseProvider();
      await deps.builds.setProvider(build.id, provider.name);
      const result = await runPipeline({
        buildId: build.id,
        prompt: build.prompt,
        provider,
        workspace: workspaceDir(deps.dataDir, build.project_id),
        outputDir: buildOutputDir(deps.dataDir, build.id),
        log: hooks.log ?? deps.log,
        signal,
        reserveStorage: deps.quota ? (bytes) => reserveStorage(build.project_id, bytes) : undefined,
        beforeDone: async (result) => {
          if (!ours(hooks)) throw new Error('The build was taken over by another worker.');
          hooks.ending?.();
          await deps.builds.finish(build.id, { ...result, startedAt });
          await hooks.release();
          await trimOutputs(build.project_id);
        },
      });
      if (!ours(hooks)) return;
      deps.logger.info({ event: 'build_end', build: build.id, project: build.project_id, status: result.status, provider: provider.name, durationMs: Date.now() - startedAt }, 'build ended');
      deps.onChange?.(build.project_id, build.id, result.status);
    } catch (err) {
      if (!ours(hooks)) return;
      // Only the store itself failing lands here; record what we can.
      deps.logger.error({ err, build: build.id }, 'build runner failed');
      await deps.builds.finish(build.id, { status: 'failed', summary: 'The build could not be recorded.', files: [], startedAt }).catch(() => undefined);
      await Promise.resolve(hooks.release()).catch(() => undefined);
      deps.onChange?.(build.project_id, build.id, 'failed');
    }
  }

  async function trimOutputs(projectId: string): Promise<void> {
    const removed = await trimBuildOutputs(deps.dataDir, await deps.builds.idsFor(projectId), deps.buildOutputsKept);
    if (!removed || !deps.quota) return;
    const owner = (await deps.quota.projects.byId(projectId))?.owner_id;
    if (owner) deps.quota.storage.forget(owner);
  }

  async function reserveStorage(projectId: string, bytes: number): Promise<() => void> {
    const { storage, projects } = deps.quota!;
    const owner = (await projects.byId(projectId))?.owner_id;
    if (!owner) return () => undefined;
    const charge = await storage.charge(owner);
    try {
      charge.add(bytes);
    } catch (err) {
      charge.cancel();
      throw err;
    }
    return () => {
      charge.cancel();
      // Files were replaced as well as added: measure the disk again rather than guess.
      storage.forget(owner);
    };
  }

  return run;
}

export function createBuildRunner(deps: BuildRunnerDeps) {
  const running = new Map<string, Running>();
  // Every run until it has fully ended (its `done` appended, old outputs trimmed), for shutdown to await.
  const settling = new Set<Promise<void>>();
  // A start in flight holds the project before the build row exists, so two starts cannot both pass.
  const starting = new Set<string>();
  // One start at a time per user, so quick starts on several projects cannot all pass the hourly count.
  const perUser = createKeyedQueue();

  async function start(projectId: string, userId: string, prompt: string): Promise<StartResult> {
    const quota = deps.quota;
    if (!quota) return startNow(projectId, userId, prompt);
    return perUser(userId, async () => {
      const refusal = await buildRateRefusal(deps.builds, userId, quota.maxBuildsPerHour);
      if (refusal) return { ok: false, reason: 'quota', refusal };
      return startNow(projectId, userId, prompt);
    });
  }

  async function startNow(projectId: string, userId: string, prompt: string): Promise<StartResult> {
    const current = running.get(projectId);
    if (current) return { ok: false, reason: 'conflict', runningBuildId: current.buildId };
    if (starting.has(projectId)) return { ok: false, reason: 'conflict', runningBuildId: '' };
    starting.add(projectId);
    try {
      const build = await deps.builds.create({ projectId, userId, prompt });
      const controller = new AbortController();
      const done = run(build, controller).finally(() => {
        release(projectId, build.id);
        settling.delete(done);
      });
      settling.add(done);
      running.set(projectId, { buildId: build.id, controller, done });
      return { ok: true, build };
    } finally {
      starting.delete(projectId);
    }
  }

  // Only this build's own slot: by the time its run settles, the next build may hold the project.
  function release(projectId: string, buildId: string) {
    if (running.get(projectId)?.buildId === buildId) running.delete(projectId);
  }

  const execute = createBuildExecutor(deps);
  const run = (build: Build, controller: AbortController) => execute(build, controller.signal, { release: () => release(build.project_id, build.id) });

  return {
    start,
    /** Cancels the project's running build; false when nothing was running. */
    cancel(projectId: string, why = 'Cancelled.'): boolean {
      const r = running.get(projectId);
      if (!r) return false;
      r.controller.abort(new Error(why));
      return true;
    },
    runningBuild(projectId: string): string | undefined {
      return running.get(projectId)?.buildId;
    },
    get active(): number {
      return running.size;
    },
    /** Builds a previous process left marked running: they cannot finish now, so say so in their log. */
    async recoverInterrupted(): Promise<number> {
      const stale = (await deps.builds.running()).filter((b) => !running.has(b.project_id) || running.get(b.project_id)!.buildId !== b.id);
      for (const b of stale) {
        const summary = 'The server stopped before this build finished.';
        await deps.log.append(b.id, { type: 'done', status: 'failed', summary });
        await deps.builds.finish(b.id, { status: 'failed', summary, files: [], startedAt: b.created_at });
      }
      return stale.length;
    },
    /** Shutdown: cancel every running build and wait for each to record its end. */
    async stopAll(): Promise<void> {
      for (const r of running.values()) r.controller.abort(new Error('The server stopped during the build.'));
      await Promise.all([...settling]);
    },
  };
}

/**
 * What the build socket, the HTTP commands and health use: this in-process runner, or the queue when
 * builds run on workers (build-queue.ts), where cancel and the running build are asked of Redis.
 */
export type BuildRunner = {
  start(projectId: string, userId: string, prompt: string): Promise<StartResult>;
  /** Cancels the project's running build; false when nothing was running. */
  cancel(projectId: string, why?: string): boolean | Promise<boolean>;
  runningBuild(projectId: string): string | undefined | Promise<string | undefined>;
  readonly active: number;
  recoverInterrupted(): Promise<number>;
  stopAll(): Promise<void>;
};
