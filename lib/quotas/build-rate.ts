import type { Builds } from '../store/builds';
import { refusal, type Refusal } from '../errors/reasons';

// Builds per user per hour, counted from the builds table, so a restart forgets nothing.

export const BUILD_WINDOW_MS = 60 * 60 * 1000;

export async function recentBuilds(builds: Builds, userId: string, now: number) {
  return builds.startedSince(userId, now - BUILD_WINDOW_MS);
}

/** The refusal of a build start (its sentence says where the user stands), or null when one may start now. */
export async function buildRateRefusal(builds: Builds, userId: string, limit: number, now = Date.now()): Promise<Refusal<'build_quota'> | null> {
  const { count, oldest } = await recentBuilds(builds, userId, now);
  if (count < limit) return null;
  const minutes = Math.max(1, Math.ceil(((oldest ?? now) + BUILD_WINDOW_MS - now) / 60_000));
  return refusal('build_quota', { count, limit, minutes });
}
