import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type { ProcessRole, ProcessStatus } from '../protocol/api';

// Who is running (design.md "Scale-out"): every gateway, worker and vmhost writes a heartbeat to Redis
// every BEAT_MS; the status page lists them from there. A heartbeat expires after TTL_MS, so a process
// that was killed drops off the list on its own (shown `late` from its first missed beat). Without Redis
// there is one process, and it lists itself.

export const BEAT_MS = 5000;
/** Three beats: one lost write or a slow event loop does not make a live process vanish. */
export const TTL_MS = 3 * BEAT_MS;
const INDEX = 'portico:processes';
const keyOf = (id: string) => `portico:process:${id}`;

/** What a process says about itself each beat. */
export type Announcement = { roles: ProcessRole[]; url: () => string | null; state: () => 'ok' | 'draining'; load: () => Record<string, number> };

/** The Redis commands the registry uses (node-redis's client has them). */
export type RegistryRedis = {
  set(key: string, value: string, opts: { PX: number }): Promise<unknown>;
  mGet(keys: string[]): Promise<(string | null)[]>;
  del(key: string): Promise<unknown>;
  zAdd(key: string, member: { score: number; value: string }): Promise<unknown>;
  zRem(key: string, member: string): Promise<unknown>;
  zRangeByScore(key: string, min: number | string, max: number | string): Promise<string[]>;
  zRemRangeByScore(key: string, min: number | string, max: number | string): Promise<unknown>;
};

export type ProcessRegistry = {
  readonly id: string;
  /** Every process that beat within TTL_MS, gateways first; this one always included. */
  list(): Promise<ProcessStatus[]>;
  close(): Promise<void>;
};

function describe(id: string, me: Announcement, startedAt: number, now: number): ProcessStatus {
  return { id, roles: me.roles, host: os.hostname(), pid: process.pid, url: me.url(), startedAt, seenAt: now, state: me.state(), load: me.load() };
}

const ROLE_ORDER: ProcessRole[] = ['gateway', 'worker', 'vmhost'];
function byRole(a: ProcessStatus, b: ProcessStatus): number {
  const rank = (p: ProcessStatus) => Math.min(...p.roles.map((r) => ROLE_ORDER.indexOf(r)));
  return rank(a) - rank(b) || a.startedAt - b.startedAt || a.id.localeCompare(b.id);
}

/** One process doing every job: the embedded default. */
export function createLocalProcessRegistry(me: Announcement): ProcessRegistry {
  const id = newProcessId();
  const startedAt = Date.now();
  return {
    id,
    list: async () => [describe(id, me, startedAt, Date.now())],
    close: async () => undefined,
  };
}

/**
 * Heartbeats in Redis: a key per process (its status as JSON, expiring after TTL_MS) and one sorted set
 * of ids scored by expiry, so listing is one range read and one MGET however many keys Redis holds.
 */
export function createRedisProcessRegistry(redis: RegistryRedis, me: Announcement, opts: { beatMs?: number; onError?: (err: Error) => void } = {}): ProcessRegistry {
  const id = newProcessId();
  const startedAt = Date.now();
  const beatMs = opts.beatMs ?? BEAT_MS;
  const ttlMs = 3 * beatMs;
  let closed = false;

  async function beat() {
    const now = Date.now();
    const status = describe(id, me, startedAt, now);
    await redis.set(keyOf(id), JSON.stringify(status), { PX: ttlMs });
    await redis.zAdd(INDEX, { score: now + ttlMs, value: id });
  }
  const beatSafely = () => {
    if (closed) return;
    // Redis away: the next beat tries again; the list shows this process from its own memory meanwhile.
    beat().catch((err: Error) => opts.onError?.(err));
  };
  beatSafely();
  const timer = setInterval(beatSafely, beatMs);
  timer.unref();

  return {
    id,
    async list() {
      const now = Date.now();
      await redis.zRemRangeByScore(INDEX, '-inf', now);
      const ids = await redis.zRangeByScore(INDEX, now, '+inf');
      const raw = ids.length ? await redis.mGet(ids.map(keyOf)) : [];
      const found = new Map<string, ProcessStatus>();
      for (const text of raw) {
        if (!text) continue;
        const p = JSON.parse(text) as ProcessStatus;
        // A beat older than one interval and a half means one was missed.
        found.set(p.id, { ...p, state: p.state === 'ok' && now - p.seenAt > beatMs * 1.5 ? 'late' : p.state });
      }
      found.set(id, describe(id, me, startedAt, now));
      return [...found.values()].sort(byRole);
    },
    async close() {
      closed = true;
      clearInterval(timer);
      await Promise.allSettled([redis.del(keyOf(id)), redis.zRem(INDEX, id)]);
    },
  };
}

/** The registry for this process: on Redis when there is one, else just itself. */
export function openProcessRegistry(redis: { client: unknown } | null, me: Announcement, onError?: (err: Error) => void): ProcessRegistry {
  return redis ? createRedisProcessRegistry(redis.client as RegistryRedis, me, { onError }) : createLocalProcessRegistry(me);
}

/** What a server process does: its gateway, plus builds when no worker takes them, plus VMs when no vmhost does. */
export function serverRoles(o: { runsBuilds: boolean; runsVms: boolean }): ProcessRole[] {
  return ['gateway', ...(o.runsBuilds ? (['worker'] as const) : []), ...(o.runsVms ? (['vmhost'] as const) : [])];
}

function newProcessId(): string {
  return `${os.hostname().slice(0, 40)}-${process.pid}-${randomBytes(3).toString('hex')}`;
}
