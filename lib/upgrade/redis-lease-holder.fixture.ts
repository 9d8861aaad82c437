import pino from 'pino';
import { openRedis } from '../redis/connection';
import { createRedisLeases } from './redis-leases';

// A gateway reduced to its leases, for redis-leases.test.ts to SIGKILL: takes HOLDER_COUNT leases for the
// holder "mortal", says so on stdout, and keeps refreshing them until it is killed.

void (async () => {
  const conn = await openRedis(process.env.HOLDER_REDIS_URL!, { logger: pino({ level: 'silent' }), name: 'holder' });
  const leases = createRedisLeases({ client: conn.client, gatewayId: 'doomed', maxTotal: 1000, maxPerUser: 100, logger: pino({ level: 'silent' }), ttlMs: Number(process.env.HOLDER_TTL_MS) });
  const count = Number(process.env.HOLDER_COUNT);
  for (let i = 0; i < count; i++) if ((await leases.acquire('mortal')) !== null) process.exit(2);
  process.stdout.write(`held ${count}\n`);
  setInterval(() => undefined, 1 << 30);
})();
