import { once } from 'node:events';
import { cutLines, newCutter, rawLogLine, type RawLogLine } from '../../protocol/log-lines';
import { API_CSP } from '../content-security-policy';
import type { ApiDeps } from '../deps';
import type { RouteDef } from '../route';
import { requireOwnedBuild } from './build-record-routes';

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
      // Someone else's build, or one of another project, is "not found", like an id that does not exist.
      const { build, project } = await requireOwnedBuild(ctx);

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
