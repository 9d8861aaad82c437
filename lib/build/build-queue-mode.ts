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
  const commands = await connectRedis(config.redisUrl, { name: 'build-commands', logger, offlineQueue: false });
  const log = createRedisEventLog({ db: opts.db, commands, logger });
  const runner = await createBuildQueue({
    redisUrl: config.redisUrl,
    commands,
    builds: createBuilds(opts.db),
    log,
    logger,
    onChange: opts.onBuildChange,
    maxBuildsPerHour: config.maxBuildsPerHour,
  });
  const worker: BuildWorker | null = opts.inProcessWorker ? await startBuildWorker({ config, db: opts.db, logger }) : null;
  return {
    log,
    runner,
    worker,
    async close(): Promise<void> {
      await worker?.close();
      await runner.close();
      await log.close();
      await closeRedis(commands);
    },
  };
}
