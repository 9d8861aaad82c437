import { createClient } from 'redis';
import type { Logger } from '../observability/logger';

// The one place Portico connects to Redis (design.md "Scale-out"): the hub's bus, the socket leases and
// the build queue all take their connections from here, so every connection has the same bounds and
// survives the same outages. Nothing here knows what the connection is used for.

export type RedisClient = ReturnType<typeof makeClient>;

/** How long a command may wait for Redis before it fails (a paused or overloaded server). */
export const REDIS_COMMAND_TIMEOUT_MS = 2000;
/** Commands written but not yet answered, per connection; past it a command fails at once. */
export const REDIS_MAX_PENDING_COMMANDS = 10_000;
const CONNECT_TIMEOUT_MS = 5000;
/** How long start-up waits for the first connection before it gives up with a sentence. */
const START_TIMEOUT_MS = 10_000;
/** Reconnect backoff: doubling from 50 ms, never above 2 s (plus jitter), for as long as Redis is away. */
const MAX_BACKOFF_MS = 2000;
const ERROR_LOG_EVERY_MS = 10_000;

export type RedisConnection = {
  /**
   * Commands, scripts, streams. No offline queue: while Redis is unreachable a command fails at once
   * (the caller answers 503 / 1013) instead of piling up in memory and running late; while Redis is
   * reachable but silent (paused) a command fails after REDIS_COMMAND_TIMEOUT_MS.
   */
  readonly client: RedisClient;
  /**
   * A second connection for Pub/Sub (SUBSCRIBE takes a connection over), opened on first use and
   * reconnected like the first; node-redis subscribes it to its channels again before it says 'ready'.
   */
  subscriber(): Promise<RedisClient>;
  /** host:port, without the password, for log lines and sentences. */
  readonly where: string;
  close(): Promise<void>;
};

/**
 * A command's answer, or a rejection after `ms`. node-redis's own command timeout only bounds the wait
 * before a command is written: a server that stopped answering (SIGSTOP, a stalled host) holds a written
 * command forever. The command stays queued and its late answer is discarded.
 */
export function timed<T>(command: Promise<T>, ms = REDIS_COMMAND_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  command.catch(() => undefined);
  return Promise.race([command, late]).finally(() => clearTimeout(timer));
}

export function reconnectDelay(retries: number): number {
  return Math.min(50 * 2 ** Math.min(retries, 10), MAX_BACKOFF_MS) + Math.floor(Math.random() * 100);
}

/** Connects (waiting at most 10 s) or throws a sentence that names the server and the cause. */
export async function openRedis(url: string, opts: { logger: Logger; name: string; startTimeoutMs?: number }): Promise<RedisConnection> {
  const parsed = new URL(url);
  const where = `${parsed.hostname}:${parsed.port || 6379}`;
  const client = makeClient(url);
  watch(client, opts.logger, `${opts.name}`, where);
  const startTimeoutMs = opts.startTimeoutMs ?? START_TIMEOUT_MS;
  await connectWithin(client, where, startTimeoutMs);

  let sub: Promise<RedisClient> | null = null;
  return {
    client,
    where,
    subscriber() {
      sub ??= (async () => {
        // Pub/Sub commands are the only ones on this connection and they are few (one per topic), so it
        // keeps node-redis's offline queue: a SUBSCRIBE asked during an outage is sent on reconnect.
        const s = client.duplicate({ disableOfflineQueue: false }) as RedisClient;
        watch(s, opts.logger, `${opts.name}-subscriber`, where);
        await connectWithin(s, where, startTimeoutMs);
        return s;
      })();
      sub.catch(() => (sub = null));
      return sub;
    },
    async close() {
      const s = sub ? await sub.catch(() => null) : null;
      await Promise.all([quit(client), s ? quit(s) : undefined]);
    },
  };
}

function makeClient(url: string) {
  return createClient({
    url,
    socket: { connectTimeout: CONNECT_TIMEOUT_MS, reconnectStrategy: reconnectDelay },
    disableOfflineQueue: true,
    commandsQueueMaxLength: REDIS_MAX_PENDING_COMMANDS,
    commandOptions: { timeout: REDIS_COMMAND_TIMEOUT_MS },
  });
}

async function connectWithin(client: RedisClient, where: string, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let lastError = '';
  const onError = (err: Error) => (lastError = err.message);
  client.on('error', onError);
  try {
    await Promise.race([
      client.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Redis at ${where} did not answer within ${ms / 1000} s${lastError ? `: ${lastError}` : ''}.`)), ms);
      }),
    ]);
  } catch (err) {
    client.destroy();
    throw err;
  } finally {
    clearTimeout(timer);
    client.off('error', onError);
  }
}

/** An 'error' listener from the first moment (node-redis emits 'error' on every lost connection, and an
 * EventEmitter without one throws), logged once per outage and at most every 10 s while it lasts. */
function watch(client: RedisClient, logger: Logger, name: string, where: string) {
  let down = false;
  let lastLogged = 0;
  client.on('error', (err: Error) => {
    const now = Date.now();
    if (!down || now - lastLogged >= ERROR_LOG_EVERY_MS) {
      logger.warn({ event: 'redis_unavailable', connection: name, redis: where, err: err.message }, 'Redis is unreachable; retrying');
      lastLogged = now;
    }
    down = true;
  });
  client.on('ready', () => {
    if (down) logger.info({ event: 'redis_reconnected', connection: name, redis: where }, 'Redis is back');
    down = false;
  });
}

async function quit(client: RedisClient): Promise<void> {
  if (!client.isOpen) return;
  // close() waits for commands already sent; a server that does not answer is not waited for.
  await Promise.race([client.close().catch(() => undefined), new Promise((r) => setTimeout(r, 1000))]);
  if (client.isOpen) client.destroy();
}
