import crypto from 'node:crypto';
import { timed } from '../redis/connection';
import type { Logger } from '../observability/logger';
import type { SessionWatcher } from '../protocol/api';

// Who is watching a session, across gateways (REDIS_URL): a sorted set per session whose members are the
// viewer sockets open on any gateway, scored by an expiry each gateway pushes forward every TTL/3 for the
// sockets it holds (as the socket leases do). A gateway that dies stops refreshing, and its sockets drop
// out of the list within the TTL without anyone noticing it died. Redis being away only makes the list
// fall back to this gateway's own sockets; it never stops a socket.

const TTL_MS = 30_000;
const keyOf = (sessionId: string) => `{portico:watching}:${sessionId}`;

/** The Redis commands used (node-redis's client has them). */
export type WatchersRedis = {
  zAdd(key: string, member: { score: number; value: string }): Promise<unknown>;
  zRem(key: string, member: string): Promise<unknown>;
  zRangeByScore(key: string, min: number | string, max: number | string): Promise<string[]>;
  zRemRangeByScore(key: string, min: number | string, max: number | string): Promise<unknown>;
  pExpire(key: string, ms: number): Promise<unknown>;
};

export type WatcherPresence = {
  add(sessionId: string, watcher: SessionWatcher): () => void;
  /** Everyone with a viewer open on any gateway, or null when Redis cannot say right now. */
  of(sessionId: string): Promise<SessionWatcher[] | null>;
  close(): void;
};

export function createRedisWatchers(client: WatchersRedis, logger: Logger, ttlMs = TTL_MS): WatcherPresence {
  // This gateway's members: member → session, renewed by the timer.
  const held = new Map<string, string>();
  let lastWarning = 0;
  const warn = (err: unknown) => {
    if (Date.now() - lastWarning < 10_000) return;
    lastWarning = Date.now();
    logger.warn({ event: 'watchers_redis_failed', err: (err as Error)?.message }, 'could not share who is watching through Redis');
  };
  const put = (sessionId: string, member: string) =>
    timed(Promise.all([client.zAdd(keyOf(sessionId), { score: Date.now() + ttlMs, value: member }), client.pExpire(keyOf(sessionId), ttlMs)])).catch(warn);

  const timer = setInterval(() => {
    for (const [member, sessionId] of held) void put(sessionId, member);
  }, ttlMs / 3);
  timer.unref();

  return {
    add(sessionId, watcher) {
      // A random id per socket: one person with two tabs is two members, listed once by `of`'s caller.
      const member = JSON.stringify({ id: crypto.randomBytes(6).toString('base64url'), ...watcher });
      held.set(member, sessionId);
      void put(sessionId, member);
      return () => {
        held.delete(member);
        void timed(client.zRem(keyOf(sessionId), member)).catch(warn);
      };
    },
    async of(sessionId) {
      try {
        const now = Date.now();
        await timed(client.zRemRangeByScore(keyOf(sessionId), '-inf', now));
        const members = await timed(client.zRangeByScore(keyOf(sessionId), now, '+inf'));
        const out: SessionWatcher[] = [];
        for (const m of members) {
          try {
            const { userId, username, access, since, shareId } = JSON.parse(m) as SessionWatcher;
            out.push({ userId, username, access, since, shareId });
          } catch {
            // not one of ours
          }
        }
        return out;
      } catch (err) {
        warn(err);
        return null;
      }
    },
    close() {
      clearInterval(timer);
      for (const [member, sessionId] of held) void timed(client.zRem(keyOf(sessionId), member)).catch(() => undefined);
      held.clear();
    },
  };
}
