import { once } from 'node:events';
import { HttpError } from '../../errors/http-errors';
import { cutLines, newCutter, rawLogLine, type RawLogLine } from '../../build/log-lines';
import { isValidId } from '../../store/ids';
import { owns } from '../../upgrade/authorise';
import { requireUser } from '../caller';
import { API_CSP } from '../content-security-policy';
import type { ApiDeps } from '../deps';
import type { RouteDef } from '../route';

// The raw log of one build as a file: one line per log line and per line of the model's text, each with
// its ISO time, stage and level, cut exactly as the page cuts them (lib/build/log-lines.ts), so line N
// here is #LN on the page. Read from the stored events page by page and written as the socket drains:
// a 100,000-line log never sits in memory whole.

// Events read per query; a page of output events is at most a few hundred kB of text.
const EVENTS_PER_PAGE = 2000;

/** `bakery-<id>.log`: the project's name reduced to characters every browser and shell take as they are. */
export function logFileName(projectName: string, buildId: string): string {
  const name = projectName.normalize('NFKD').replace(/\p{M}+/gu, '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '').slice(0, 60);
  return `${name || 'build'}-${buildId}.log`;
}

export const buildLogRoutes: RouteDef<ApiDeps>[] = [
  {
    method: 'GET',
    pattern: '/api/projects/:id/builds/:buildId/log',
    async handler(ctx) {
      const user = await requireUser(ctx.req, ctx.deps.tokens, ctx.deps.config.allowedOrigins);
      const { id, buildId } = ctx.params;
      if (!isValidId(id) || !isValidId(buildId)) throw new HttpError('bad_request', 'That project or build id is not valid.');
      // Someone else's project is "not found" here, like a build id that does not exist: a build id
      // must not tell a stranger that it exists.
      const project = await ctx.deps.projects.byId(id);
      if (!project || !owns(user, project.owner_id)) throw new HttpError('not_found', 'No such build in this project.');
      const build = await ctx.deps.builds.byId(buildId);
      if (!build || build.project_id !== project.id) throw new HttpError('not_found', 'No such build in this project.');

      const { res } = ctx;
      res.writeHead(200, {
        'Content-Type': 'text/plain; charset=utf-8',
        'Content-Disposition': `attachment; filename="${logFileName(project.name, build.id)}"`,
        'Cache-Control': 'no-store',
        'Content-Security-Policy': API_CSP,
        'X-Content-Type-Options': 'nosniff',
      });
      let cutter = newCutter();
      let after = 0;
      let chunk: string[] = [];
      const emit = (line: RawLogLine) => chunk.push(rawLogLine(line));
      for (;;) {
        const events = await ctx.deps.builds.eventsPage(build.id, after, EVENTS_PER_PAGE);
        for (const e of events) cutter = cutLines(cutter, e, emit);
        if (events.length < EVENTS_PER_PAGE && cutter.open) emit({ ...cutter.open, n: cutter.count + 1 });
        if (chunk.length && !res.write(`${chunk.join('\n')}\n`)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
        chunk = [];
        if (res.destroyed || events.length < EVENTS_PER_PAGE) break;
        after = events.at(-1)!.seq;
      }
      res.end();
    },
  },
];
