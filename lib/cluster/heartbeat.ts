import type { Config } from '../config/config';
import type { Logger } from '../observability/logger';
import { openRedis } from '../redis/connection';
import { openProcessRegistry, type Announcement, type ProcessRegistry } from './process-registry';

// A worker's or vmhost's heartbeat, for the status page (the gateways list every process from Redis).
// Without REDIS_URL there is nothing to beat into: the embedded server lists itself. A Redis that does
// not answer at start costs the heartbeat only, never the process: it is tried again in the background.

export async function startHeartbeat(config: Config, logger: Logger, me: Announcement): Promise<Pick<ProcessRegistry, 'close'>> {
  if (!config.redisUrl) return { close: async () => undefined };
  const url = config.redisUrl;
  let registry: ProcessRegistry | null = null;
  let closeRedis: (() => Promise<void>) | null = null;
  let stopped = false;
  const onError = (err: Error) => logger.warn({ event: 'heartbeat_failed', err: err.message }, "could not write this process's heartbeat to Redis");
  const connect = async (): Promise<void> => {
    while (!stopped) {
      try {
        const redis = await openRedis(url, { logger, name: 'heartbeat' });
        if (stopped) return void (await redis.close());
        closeRedis = () => redis.close();
        registry = openProcessRegistry(redis, me, onError);
        return;
      } catch (err) {
        onError(err as Error);
        await new Promise((r) => setTimeout(r, 5000).unref());
      }
    }
  };
  void connect();
  return {
    async close() {
      stopped = true;
      await registry?.close();
      await closeRedis?.();
    },
  };
}
