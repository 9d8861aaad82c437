import fs from 'node:fs/promises';
import { HttpError } from '../../errors/http-errors';
import { buildOutputDir } from '../../build/build-output';
import { diffDirs } from '../../build/build-diff';
import { PathError } from '../../build/workspace';
import { listTree, readForView } from '../../files/workspace-files';
import { toBuildInfo } from '../../store/builds';
import { isValidId } from '../../store/ids';
import type { Build, Project } from '../../store/schema';
import { owns } from '../../auth/ownership';
import { requireUser } from '../caller';
import type { ApiDeps } from '../deps';
import { sendJson } from '../json';
import type { RouteContext, RouteDef } from '../route';

// One past (or running) build at its own address (issue 11, point 9): what it was, every event it
// stored, the files it wrote to its own output folder, and what it changed since the project's previous
// successful build. Another user's build is "No such build." — never a 403 that would confirm it exists.

export const NO_SUCH_BUILD = 'No such build.';
/** Events per page of `…/events`: a long build's log comes in several requests, never one huge answer. */
export const EVENTS_PAGE_DEFAULT = 1000;
export const EVENTS_PAGE_MAX = 5000;

export async function requireOwnedBuild(ctx: RouteContext<ApiDeps>): Promise<{ build: Build; project: Project; userId: string }> {
  const user = await requireUser(ctx.req, ctx.deps.tokens, ctx.deps.config.allowedOrigins);
  const { id, buildId } = ctx.params;
  if (!isValidId(id)) throw new HttpError('bad_request', 'That project id is not valid.');
  if (!isValidId(buildId)) throw new HttpError('bad_request', 'That build id is not valid.');
  const [project, build] = await Promise.all([ctx.deps.projects.byId(id), ctx.deps.builds.byId(buildId)]);
  if (!project || !build || build.project_id !== project.id || !owns(user, project.owner_id)) throw new HttpError('not_found', NO_SUCH_BUILD);
  return { build, project, userId: user.userId };
}

const isDirectory = (p: string) => fs.stat(p).then((s) => s.isDirectory(), () => false);

function intParam(url: URL, name: string, def: number, min: number, max: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new HttpError('bad_request', `"${name}" must be a whole number from ${min} to ${max}.`);
  return n;
}

export const buildRecordRoutes: RouteDef<ApiDeps>[] = [
  {
    method: 'GET',
    pattern: '/api/projects/:id/builds/:buildId',
    async handler(ctx) {
      const { build } = await requireOwnedBuild(ctx);
      sendJson(ctx.res, 200, toBuildInfo(build));
    },
  },
  {
    method: 'GET',
    pattern: '/api/projects/:id/builds/:buildId/events',
    async handler(ctx) {
      const { build } = await requireOwnedBuild(ctx);
      const after = intParam(ctx.url, 'after', 0, 0, Number.MAX_SAFE_INTEGER);
      const limit = intParam(ctx.url, 'limit', EVENTS_PAGE_DEFAULT, 1, EVENTS_PAGE_MAX);
      const events = await ctx.deps.builds.eventsPage(build.id, after, limit);
      const last = events.at(-1)?.seq ?? after;
      // `more`: stored events after this page. A running build may store more later; follow it live.
      sendJson(ctx.res, 200, { events, lastSeq: build.last_seq, more: last < build.last_seq });
    },
  },
  {
    method: 'GET',
    pattern: '/api/projects/:id/builds/:buildId/files',
    async handler(ctx) {
      const { build } = await requireOwnedBuild(ctx);
      sendJson(ctx.res, 200, await listTree(buildOutputDir(ctx.deps.config.dataDir, build.id)));
    },
  },
  {
    method: 'GET',
    pattern: '/api/projects/:id/builds/:buildId/files/*',
    async handler(ctx) {
      const { build } = await requireOwnedBuild(ctx);
      const root = buildOutputDir(ctx.deps.config.dataDir, build.id);
      // readForView's resolveInside would create a missing folder; a build that wrote nothing has none.
      const view = (await isDirectory(root))
        ? await readForView(root, ctx.params.rest).catch((err: unknown) => {
            if (err instanceof PathError) throw new HttpError('bad_request', err.message);
            throw err;
          })
        : null;
      if (!view) throw new HttpError('not_found', 'No such file in this build’s output.');
      sendJson(ctx.res, 200, view);
    },
  },
  {
    method: 'GET',
    pattern: '/api/projects/:id/builds/:buildId/diff',
    async handler(ctx) {
      const { build } = await requireOwnedBuild(ctx);
      const base = await ctx.deps.builds.previousSucceeded(build.project_id, build.id);
      const dataDir = ctx.deps.config.dataDir;
      // Old build folders are trimmed (only the last few are kept): then there is nothing to compare with,
      // and the answer says so rather than calling every file new without a word.
      const baseDir = base ? buildOutputDir(dataDir, base.id) : null;
      const baseFilesGone = baseDir !== null && !(await isDirectory(baseDir));
      const diff = await diffDirs(baseFilesGone ? null : baseDir, buildOutputDir(dataDir, build.id));
      sendJson(ctx.res, 200, { base: base ? toBuildInfo(base) : null, baseFilesGone, ...diff });
    },
  },
];
