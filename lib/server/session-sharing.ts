import type { Bus } from '../hub/bus';
import type { Logger } from '../observability/logger';
import { createSessionSharing, type SessionSharing } from '../sessions/session-shares';
import type { Db } from '../store/db';
import { createSessionShareStore } from '../store/session-shares';
import type { Sessions } from '../store/sessions';
import type { Users } from '../store/users';
import type { RedisConnection } from '../redis/connection';
import { createRedisWatchers, type WatchersRedis } from '../sessions/redis-watchers';

// Share links of VM sessions, wired from the gateway's store and bus: the socket route authorises with
// it, the API makes and revokes links through it, shutdown stops its sweep.
// With REDIS_URL who is watching is kept in Redis, so any gateway can list every gateway's viewers.
export function startSessionSharing(deps: { db: Db; users: Users; sessions: Sessions; bus: Bus; logger: Logger; redis: RedisConnection | null }): SessionSharing {
  return createSessionSharing({
    store: createSessionShareStore(deps.db),
    users: deps.users,
    sessions: deps.sessions,
    bus: deps.bus,
    logger: deps.logger,
    presence: deps.redis ? createRedisWatchers(deps.redis.client as unknown as WatchersRedis, deps.logger) : null,
  });
}
