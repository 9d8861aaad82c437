import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, errorBody, errorCodeForStatus } from '../errors/http-errors';
import { refusal, type Refusal } from '../errors/reasons';
import { readJson, sendJson } from '../http/json';
import type { TokenClaims } from '../auth/tokens';
import { toBuildInfo, type Builds } from '../store/builds';
import { isValidId } from '../store/ids';
import type { BuildRunner } from './build-runner';
import { MAX_PROMPT_CHARS } from '../protocol/build';

// Start and cancel over plain HTTP (`POST /build/:projectId/builds`, `POST /build/:projectId/builds/:buildId/cancel`),
// so a page whose socket is down (a proxy that refuses upgrades, a restart) is never read-only. The same
// runner and the same rules as the socket's `start` / `cancel`; the gateway authorised the caller and
// minted the backend token that backend-server.ts checked before this runs.

export type BuildCommand = { kind: 'start'; projectId: string } | { kind: 'cancel'; projectId: string; buildId: string };

export type BuildCommandDeps = { builds: Builds; runner: BuildRunner };

/** The command a POST path names, `bad_request` for a malformed id, or null when it names none. */
export function matchBuildCommand(pathname: string): BuildCommand | 'bad_request' | null {
  const m = /^\/build\/([^/]+)\/builds(?:\/([^/]+)\/cancel)?$/.exec(pathname);
  if (!m) return null;
  const projectId = safeDecode(m[1]);
  const buildId = m[2] === undefined ? undefined : safeDecode(m[2]);
  if (!isValidId(projectId) || (buildId !== undefined && !isValidId(buildId))) return 'bad_request';
  return buildId === undefined ? { kind: 'start', projectId } : { kind: 'cancel', projectId, buildId };
}

/** The prompt as both the socket's `start` and the HTTP start take it: trimmed, not empty, at most MAX_PROMPT_CHARS. */
export function promptRefusal(prompt: unknown): Refusal | null {
  if (typeof prompt !== 'string' || !prompt.trim()) return refusal('empty_prompt');
  if (prompt.trim().length > MAX_PROMPT_CHARS) return refusal('prompt_too_long', { max: MAX_PROMPT_CHARS });
  return null;
}

export async function runBuildCommand(req: IncomingMessage, res: ServerResponse, cmd: BuildCommand, user: TokenClaims, deps: BuildCommandDeps): Promise<void> {
  try {
    if (cmd.kind === 'start') return await start(req, res, cmd.projectId, user, deps);
    return await cancel(res, cmd, user, deps);
  } catch (err) {
    if (!(err instanceof HttpError)) throw err;
    sendJson(res, err.status, errorBody(err.code, err.message));
  }
}

async function start(req: IncomingMessage, res: ServerResponse, projectId: string, user: TokenClaims, deps: BuildCommandDeps) {
  const body = (await readJson(req)) as { prompt?: unknown } | null;
  const bad = promptRefusal(body?.prompt);
  if (bad) return refuse(res, bad);
  const started = await deps.runner.start(projectId, user.userId, (body!.prompt as string).trim());
  if (started.ok) return sendJson(res, 202, { build: toBuildInfo(started.build) });
  if (started.reason !== 'conflict') return refuse(res, started.refusal);
  // The running build's id lets the page watch it instead; it is empty only while that build is being created.
  return refuse(res, refusal('build_running'), started.runningBuildId ? { buildId: started.runningBuildId } : {});
}

async function cancel(res: ServerResponse, cmd: Extract<BuildCommand, { kind: 'cancel' }>, user: TokenClaims, deps: BuildCommandDeps) {
  const build = await deps.builds.byId(cmd.buildId);
  // A build of another project answers exactly as an unknown one: ids are not a way to learn what exists.
  if (!build || build.project_id !== cmd.projectId) return refuse(res, refusal('no_such_build'));
  if ((await deps.runner.runningBuild(cmd.projectId)) !== build.id) return refuse(res, refusal('build_not_running'));
  await deps.runner.cancel(cmd.projectId, `Cancelled by ${user.username}.`);
  sendJson(res, 202, { cancelled: true });
}

function refuse(res: ServerResponse, r: Refusal, extra: Record<string, string> = {}) {
  sendJson(res, r.status, { error: { ...errorBody(errorCodeForStatus(r.status), r.message).error, ...extra } });
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return '\u0000';
  }
}
