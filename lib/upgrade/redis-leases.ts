import crypto from 'node:crypto';
import type { Logger } from '../observability/logger';
import { timed, type RedisClient } from '../redis/connection';
import { redisScript, type RedisReply } from '../redis/script';
import type { LeaseRefusal, Leases } from './leases';

// Socket limits shared by every gateway (design.md "Scale-out"): a sorted set per holder (user, or client
// address on a public route) and one for the whole deployment, whose members are `<gatewayId>:<leaseId>`
// scored by their expiry on Redis's clock. Taking a slot is one script (drop the expired, count, compare,
// add), so gateways racing for the last slot cannot both win. Each gateway pushes the expiry of the leases
// it holds forward every TTL/3; a gateway that dies (SIGKILL, lost machine) stops doing so and its
// leases are gone within the TTL, without anyone having to notice it died.

/**
 * 30 s: a dead gateway's slots come back within half a minute, while a live one may miss two refreshes
 * in a row (a long GC pause, a Redis failover of ~20 s) before a lease it holds could lapse.
 */
export const LEASE_TTL_MS = 30_000;
const REFRESH_CHUNK = 500;

const KEY = '{portico:leases}';
const holderKey = (holder: string) => `${KEY}:holder:${holder}`;
const ALL_KEY = `${KEY}:all`;

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

// KEYS: the holder's set, the global set. ARGV: member, ttl ms, per-holder limit, global limit.
const acquireScript = redisScript(`
${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then return 'global' end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 'user' end
local expiry = now + tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], expiry, ARGV[1])
redis.call('ZADD', KEYS[2], expiry, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 'ok'
`);

// KEYS: the global set, then one holder's set per lease. ARGV: ttl ms, then the members in KEYS' order.
// Members are added back even when they lapsed (a Redis that restarted, a gateway that stalled): the
// sockets are open, so the counts must include them again.
const refreshScript = redisScript(`
${NOW}
local expiry = now + tonumber(ARGV[1])
for i = 2, #KEYS do
  redis.call('ZADD', KEYS[i], expiry, ARGV[i])
  redis.call('ZADD', KEYS[1], expiry, ARGV[i])
  redis.call('PEXPIRE', KEYS[i], ARGV[1])
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return #KEYS - 1
`);

export type RedisLeases = Leases & {
  readonly gatewayId: string;
  /** Gives back every lease this gateway holds and stops refreshing. */
  close(): Promise<void>;
};

export function createRedisLeases(opts: { client: RedisClient; gatewayId: string; maxTotal: number; maxPerUser: number; logger: Logger; ttlMs?: number }): RedisLeases {
  const { client, gatewayId, logger } = opts;
  const ttlMs = opts.ttlMs ?? LEASE_TTL_MS;
  // This gateway's leases per holder (newest last): what release gives back and what refresh renews.
  const held = new Map<string, string[]>();
  let total = 0;
  let lastFailureLog = 0;

  const warn = (event: string, err: unknown, message: string) => {
    if (Date.now() - lastFailureLog < 10_000) return;
    lastFailureLog = Date.now();
    logger.warn({ event, err: (err as Error)?.message }, message);
  };

  const forget = (holder: string, member: string) => {
    const list = held.get(holder);
    const i = list ? list.lastIndexOf(member) : -1;
    if (i < 0) return false;
    list!.splice(i, 1);
    if (list!.length === 0) held.delete(holder);
    total--;
    return true;
  };

  const remove = (holder: string, member: string) =>
    timed(client.multi().zRem(holderKey(holder), member).zRem(ALL_KEY, member).exec()).then(
      () => undefined,
      (err) => warn('lease_release_failed', err, 'A socket lease could not be given back; it expires by itself'),
    );

  async function refresh() {
    const all = [...held].flatMap(([holder, members]) => members.map((m) => [holder, m] as const));
    // Every chunk is written in this tick (node-redis pipelines them), ahead of any later release's ZREM,
    // so a refresh never puts back a lease given back after it was taken.
    const chunks = [];
    for (let i = 0; i < all.length; i += REFRESH_CHUNK) chunks.push(all.slice(i, i + REFRESH_CHUNK));
    await Promise.all(chunks.map((chunk) => refreshScript(client, [ALL_KEY, ...chunk.map(([h]) => holderKey(h))], [ttlMs, ...chunk.map(([, m]) => m)])));
  }

  const timer = setInterval(() => {
    if (total === 0) return;
    refresh().catch((err) => warn('lease_refresh_failed', err, 'Socket leases could not be refreshed; retrying'));
  }, Math.max(10, Math.floor(ttlMs / 3)));
  timer.unref();

  return {
    gatewayId,
    async acquire(holder): Promise<LeaseRefusal | null> {
      const member = `${gatewayId}:${crypto.randomBytes(9).toString('base64url')}`;
      let reply: RedisReply;
      try {
        reply = await acquireScript(client, [holderKey(holder), ALL_KEY], [member, ttlMs, opts.maxPerUser, opts.maxTotal]);
      } catch (err) {
        // The script may still run after we gave up (a paused Redis): this removal is queued behind it on
        // the same connection, so a lease nobody holds does not linger for the TTL.
        void remove(holder, member);
        throw err;
      }
      if (reply === 'global' || reply === 'user') return reply;
      const list = held.get(holder);
      if (list) list.push(member);
      else held.set(holder, [member]);
      total++;
      return null;
    },
    release(holder) {
      const list = held.get(holder);
      const member = list?.[list.length - 1];
      if (!member) return;
      forget(holder, member);
      void remove(holder, member);
    },
    countFor(holder) {
      return held.get(holder)?.length ?? 0;
    },
    get total() {
      return total;
    },
    async close() {
      clearInterval(timer);
      const all = [...held].flatMap(([holder, members]) => members.map((m) => [holder, m] as const));
      held.clear();
      total = 0;
      await Promise.all(all.map(([h, m]) => remove(h, m)));
    },
  };
}
