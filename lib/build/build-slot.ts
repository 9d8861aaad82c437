import crypto from 'node:crypto';
import type { Builds } from '../store/builds';
import { projectSlotKey, RedisTimeout, within, type RedisClient } from './redis-clients';

// One build per project when builds run on workers and starts arrive at any gateway: a Redis key per
// project names the build that holds it. A start takes it with SET NX (a placeholder first, while the
// build's row is written, expiring on its own if that gateway dies between the two); the worker gives it
// back right before the build's `done`, only if it still names that build. A key that names a build the
// store says has ended (its worker gave up without giving it back) is taken over, atomically.

const PLACEHOLDER_MS = 30_000;
const STARTING = 'starting:';

// Set KEYS[1] to ARGV[2] only while it still holds ARGV[1].
const SWAP = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1 end return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export type Claim = { ok: true; token: string } | { ok: false; runningBuildId: string };

export function createBuildSlots(commands: RedisClient, builds: Builds) {
  /** The build holding the project, '' while one is being created, undefined when none. */
  async function holder(projectId: string): Promise<string | undefined> {
    const v = await commands.get(projectSlotKey(projectId));
    if (v === null) return undefined;
    if (v.startsWith(STARTING)) return '';
    const b = await builds.byId(v);
    return b?.status === 'running' ? v : undefined;
  }

  async function claimAs(projectId: string, token: string): Promise<Claim> {
    const key = projectSlotKey(projectId);
    for (let i = 0; i < 3; i++) {
      if ((await commands.set(key, token, { condition: 'NX', expiration: { type: 'PX', value: PLACEHOLDER_MS } })) === 'OK') return { ok: true, token };
      const current = await commands.get(key);
      if (current === null) continue;
      if (current.startsWith(STARTING)) return { ok: false, runningBuildId: '' };
      const b = await builds.byId(current);
      if (b?.status === 'running') return { ok: false, runningBuildId: current };
      // It names a build that ended without giving it back: take it over unless someone else just did.
      if (Number(await commands.eval(SWAP, { keys: [key], arguments: [current, token, String(PLACEHOLDER_MS)] })) === 1) return { ok: true, token };
    }
    return { ok: false, runningBuildId: '' };
  }

  return {
    holder,
    /**
     * Holds the project for a build about to be created; the token is what `bind` swaps for its id.
     * Bounded by `within`: if Redis does not answer in time, the undo is queued behind the claim on the
     * same connection, so a claim that lands late lets go at once instead of blocking the project.
     */
    async claim(projectId: string): Promise<Claim> {
      const token = `${STARTING}${crypto.randomUUID()}`;
      try {
        return await within(claimAs(projectId, token));
      } catch (err) {
        if (err instanceof RedisTimeout) void commands.eval(RELEASE, { keys: [projectSlotKey(projectId)], arguments: [token] }).catch(() => undefined);
        throw err;
      }
    },
    /** The build's row exists: the slot names it from now on, until the build gives it back. */
    async bind(projectId: string, buildId: string): Promise<void> {
      await commands.set(projectSlotKey(projectId), buildId);
    },
    /** Gives the slot back if `idOrToken` still holds it (a build id, or a claim's token). */
    async release(projectId: string, idOrToken: string): Promise<void> {
      await commands.eval(RELEASE, { keys: [projectSlotKey(projectId)], arguments: [idOrToken] });
    },
  };
}

export type BuildSlots = ReturnType<typeof createBuildSlots>;
