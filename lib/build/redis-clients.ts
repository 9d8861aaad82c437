import { createClient } from 'redis';
import type { Logger } from '../observability/logger';

// The Redis connections builds use when REDIS_URL is set (node-redis). Each has one job, because a
// blocking read or a subscription holds its connection: `commands` (appends to streams, publishes,
// the project slots), `reader` (the one blocking XREAD of this process, shared by every followed build),
// `subscriber` (cancel and build-change messages) and `queue` (BullMQ's, which duplicates it for its own
// blocking reads).

// node-redis 6 speaks RESP3 by default; the type says so, since the readers of replies depend on it.
const clientOf = (options: Parameters<typeof createClient>[0]) => createClient({ ...options, RESP: 3 });
export type RedisClient = ReturnType<typeof clientOf>;

// Every key and channel builds use, in one place.
export const buildStreamKey = (buildId: string) => `portico:build:${buildId}:events`;
export const projectSlotKey = (projectId: string) => `portico:project:${projectId}:build`;
export const cancelledKey = (buildId: string) => `portico:build:${buildId}:cancelled`;
export const CANCEL_CHANNEL = 'portico:builds:cancel';
export const BUILD_QUEUE = 'portico-builds';
/** How long a request's Redis work may take before the request is answered 1013 / 503 (see `within`). */
export const COMMAND_TIMEOUT_MS = 3000;

export class RedisTimeout extends Error {
  constructor(ms: number) {
    super(`Redis did not answer within ${ms} ms.`);
  }
}

/**
 * Bounds how long a caller waits on Redis. node-redis times a command out only until it is written; a
 * Redis that stopped answering (paused, packets dropped) holds written ones until it answers again. The
 * command itself still runs then, in order on its connection: a caller that gives up must leave
 * nothing that matters behind (build-slot.ts queues the undo right after).
 */
export function within<T>(work: Promise<T>, ms = COMMAND_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new RedisTimeout(ms)), ms)));
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/**
 * A connected client. `offlineQueue: false` makes commands fail at once while Redis is away instead of
 * piling up in memory for the length of the outage (their callers fall back to the SQL record); BullMQ's
 * connection keeps the queue, which it expects. Reconnects with capped backoff, forever: an outage is
 * survived, not fatal.
 */
export async function connectRedis(url: string, opts: { name: string; logger: Logger; offlineQueue?: boolean; wait?: boolean }): Promise<RedisClient> {
  const client = clientOf({
    url,
    name: `portico-${opts.name}`,
    disableOfflineQueue: opts.offlineQueue === false,
    socket: { reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2000) + Math.floor(Math.random() * 100), connectTimeout: 5000 },
  });
  watchErrors(client, opts.name, opts.logger);
  // `wait: false`: a gateway starts (pages, API, sockets) while Redis is away; what needs Redis answers
  // 1013 / 503 until it is back.
  const connecting = client.connect();
  if (opts.wait === false) connecting.catch(() => undefined);
  else await connecting;
  return client;
}

/** A client's errors are logged once per outage, never thrown: node-redis reconnects on its own. */
export function watchErrors(client: RedisClient, name: string, logger: Logger): void {
  let down = false;
  client.on('error', (err: Error) => {
    if (down) return;
    down = true;
    logger.warn({ event: 'redis_error', connection: name, err: err.message }, 'Redis connection lost; reconnecting');
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    logger.info({ event: 'redis_ready', connection: name }, 'Redis connection back');
  });
}

/** Closes a client whatever state it is in (a client that never connected, or is reconnecting, too). */
export async function closeRedis(client: RedisClient | null | undefined): Promise<void> {
  if (!client) return;
  try {
    if (client.isOpen) await client.close();
  } catch {
    client.destroy();
  }
}
