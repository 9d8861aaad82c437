import { ConfigError, loadConfig } from '../lib/config/config';
import { openConfiguredStore } from '../lib/server/configured-store';
import { createLogger } from '../lib/observability/logger';
import { startBuildWorker } from '../lib/build/build-worker';
import { startHeartbeat } from '../lib/cluster/heartbeat';
import { openRedis } from '../lib/redis/connection';
import { createRedisBus } from '../lib/hub/redis-bus';
import { projectBuildsTopic } from '../lib/protocol/topics';
import type { BuildChange } from '../lib/protocol/hub';
import { installSignalHandlers, SHUTDOWN_LIMIT_MS } from '../lib/server/shutdown';

// `npm run worker`: a build worker alone. It takes builds off the queue in REDIS_URL and runs them,
// with the store (DATA_DIR) and the workspaces the gateways share, and the LLM settings. It signs and
// verifies nothing, so it needs no JWT_SECRET (give it none), and serves no port.

async function main() {
  let config;
  try {
    config = loadConfig(process.env, { role: 'worker' });
    if (!config.redisUrl) throw new ConfigError('REDIS_URL is not set: a build worker takes its builds from the queue there.');
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`portico worker: ${err.message}\n`);
    process.exit(78);
  }
  const logger = createLogger(config.logLevel);
  const store = await openConfiguredStore(config, logger);
  // The hub's bus on the gateways' Redis: a build's start and end reach every gateway's subscribers once.
  const redis = await openRedis(config.redisUrl, { logger, name: 'worker-bus' });
  const bus = createRedisBus(redis, { subscriber: await redis.subscriber(), logger });
  const worker = await startBuildWorker({ config, db: store.db, logger, publishChange: (projectId, buildId, status) => void bus.publish(projectBuildsTopic(projectId), { buildId, status } satisfies BuildChange) });
  const heartbeat = await startHeartbeat(config, logger, { roles: ['worker'], url: () => null, state: () => 'ok', load: () => ({ builds: worker.active }) });
  installSignalHandlers(
    async () => {
      await heartbeat.close();
      await worker.close();
      await bus.close();
      await redis.close();
      await store.close();
      logger.flush();
    },
    logger,
    SHUTDOWN_LIMIT_MS,
  );
  // Said only once SIGTERM is handled: whoever waits for this line may stop the worker at once.
  process.stdout.write(`Portico build worker ready (pid ${process.pid})\n`);
}

main().catch((err) => {
  process.stderr.write(`portico worker: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
