import crypto from 'node:crypto';
import type { Config } from '../config/config';
import type { Logger } from '../observability/logger';
import { createMemoryBus, type Bus } from '../hub/bus';
import { createRedisBus } from '../hub/redis-bus';
import { splitBus } from '../hub/split-bus';
import { SYSTEM_TOPIC } from '../protocol/topics';
import { createMemoryLeases, type Leases } from '../upgrade/leases';
import { createRedisLeases } from '../upgrade/redis-leases';
import { openRedis, type RedisConnection } from '../redis/connection';

// What gateways share: the hub's bus and the socket limits. In this process without REDIS_URL (exactly
// as a single gateway always was); on Redis with it, so any gateway serves any socket (design.md
// "Scale-out"). The Redis connection is handed out too, for whatever else moves to Redis.

export type SharedState = {
  bus: Bus;
  leases: Leases;
  /** This process among the gateways: a random name per start, in the leases it holds. */
  gatewayId: string;
  /** The Redis connection, or null when everything is in this process. */
  redis: RedisConnection | null;
  /** After the sockets closed: gives back this gateway's leases, then closes the connections. */
  close(): Promise<void>;
};

export async function openSharedState(config: Config, logger: Logger): Promise<SharedState> {
  const gatewayId = crypto.randomBytes(6).toString('base64url');
  if (!config.redisUrl) {
    const bus = createMemoryBus();
    return { bus, leases: createMemoryLeases(config.maxSockets, config.maxSocketsPerUser), gatewayId, redis: null, close: () => bus.close() };
  }
  const redis = await openRedis(config.redisUrl, { logger, name: 'gateway' });
  try {
    // The `system` topic is this process's own samples: each gateway's status page charts its own.
    const bus = splitBus(createMemoryBus(), createRedisBus(redis, { subscriber: await redis.subscriber(), logger }), (topic) => topic === SYSTEM_TOPIC);
    const leases = createRedisLeases({ client: redis.client, gatewayId, maxTotal: config.maxSockets, maxPerUser: config.maxSocketsPerUser, logger });
    logger.info({ event: 'shared_state', redis: redis.where, gatewayId }, 'Hub and socket limits are shared through Redis');
    return {
      bus,
      leases,
      gatewayId,
      redis,
      async close() {
        await bus.close();
        await leases.close();
        await redis.close();
      },
    };
  } catch (err) {
    await redis.close();
    throw err;
  }
}
