import type { Config } from '../config/config';
import type { Db } from '../store/db';
import type { Logger } from '../observability/logger';
import { createBuilds } from '../store/builds';
import type { BuildStatus } from '../protocol/build';
import { createBuildQueue } from './build-queue';
import { startBuildWorker, type BuildWorker } from './build-worker';
import { createRedisEventLog } from './redis-event-log';
import { closeRedis, connectRedis } from './redis-clients';

// The build backend's parts when REDIS_URL is set: the event log follows builds on their Redis Streams,
// starts and cancels go to the BullMQ queue, and — in `npm start`'s one process, not in `npm run
// gateway` — a worker runs builds here too, so one process is still a whole Portico.

export type QueuedBuildsOptions = {
  config: Config & { redisUrl: string };
  db: Db;
  logger: Logger;
  onBuildChange?(projectId: string, buildId: string, status: BuildStatus): void;
  /** Run a build worker in this process as well. */
  inProcessWorker: boolean;
};

export async function startQueuedBuilds(opts: QueuedBuildsOptions) {
  const { config, logger } = opts;
  // Nothing here waits for Redis: the gateway serves while Redis is away, refusing builds with 503 / 1013.
  const commands = await connectRedis(config.redisUrl, { name: 'build-commands', logger, offlineQueue: false, wait: false });
  const log = createRedisEventLog({ db: opts.db, commands, logger });
  const runner = await createBuildQueue({
    redisUrl: config.redisUrl,
    commands,
    builds: createBuilds(opts.db),
    log,
    logger,
    maxBuildsPerHour: config.maxBuildsPerHour,
  });
  // The in-process worker starts once Redis answers, without holding up the rest of the server.
  const workerStarting: Promise<BuildWorker | null> = opts.inProcessWorker
    ? startBuildWorker({ config, db: opts.db, logger, publishChange: (projectId, buildId, status) => opts.onBuildChange?.(projectId, buildId, status) }).catch((err: Error) => {
        logger.error({ event: 'build_worker_failed', err: err.message }, 'the in-process build worker could not start');
        return null;
      })
    : Promise.resolve(null);
  return {
    log,
    runner,
    workerStarting,
    async close(): Promise<void> {
      // A worker still waiting for Redis has nothing running to hand back.
      const worker = await Promise.race([workerStarting, new Promise<null>((r) => setTimeout(() => r(null), 100))]);
      await worker?.close();
      await runner.close();
      await log.close();
      await closeRedis(commands);
    },
  };
}
