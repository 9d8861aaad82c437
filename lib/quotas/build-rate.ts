import type { Builds } from '../store/builds';

// Builds per user per hour, counted from the builds table, so a restart forgets nothing.

export const BUILD_WINDOW_MS = 60 * 60 * 1000;

export async function recentBuilds(builds: Builds, userId: string, now: number) {
  return builds.startedSince(userId, now - BUILD_WINDOW_MS);
}

/** The sentence that refuses a build start, or null when the user may start one now. */
export async function buildRateRefusal(builds: Builds, userId: string, limit: number, now = Date.now()): Promise<string | null> {
  const { count, oldest } = await recentBuilds(builds, userId, now);
  if (count < limit) return null;
  const minutes = Math.max(1, Math.ceil(((oldest ?? now) + BUILD_WINDOW_MS - now) / 60_000));
  return `You started ${count} of ${limit} builds allowed in the last hour; the next one can start in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
}
