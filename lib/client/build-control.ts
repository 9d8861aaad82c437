import type { BuildInfo } from '../protocol/build';
import { ApiError, OFFLINE_SENTENCE, apiRequest } from './api';

// Start and cancel over plain HTTP (`POST /api/projects/:id/builds`, `…/builds/:buildId/cancel`): what the
// PromptPanel uses whenever its socket is not live, so it is never read-only.

export type ControlAnswer<T> =
  | { ok: true; value: T }
  /** `reachable` is false when nothing answered at all (a restart, the network). */
  | { ok: false; sentence: string; reachable: boolean };

async function answer<T>(request: Promise<T>): Promise<ControlAnswer<T>> {
  try {
    return { ok: true, value: await request };
  } catch (err) {
    if (err instanceof ApiError) return { ok: false, sentence: err.message, reachable: err.status !== 0 };
    return { ok: false, sentence: OFFLINE_SENTENCE, reachable: false };
  }
}

export function startBuildOverHttp(projectId: string, prompt: string): Promise<ControlAnswer<BuildInfo>> {
  const path = `/api/projects/${encodeURIComponent(projectId)}/builds`;
  return answer(apiRequest<{ build: BuildInfo }>(path, { method: 'POST', body: { prompt } }).then((r) => r.build));
}

export function cancelBuildOverHttp(projectId: string, buildId: string): Promise<ControlAnswer<true>> {
  const path = `/api/projects/${encodeURIComponent(projectId)}/builds/${encodeURIComponent(buildId)}/cancel`;
  return answer(apiRequest<{ cancelled: true }>(path, { method: 'POST' }).then(() => true as const));
}
