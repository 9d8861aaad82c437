import { z } from 'zod';
import { HttpError } from '../../errors/http-errors';
import { isValidId } from '../../store/ids';
import { toPublicProject } from '../../store/projects';
import { owns } from '../../upgrade/authorise';
import { requireUser } from '../caller';
import type { ApiDeps } from '../deps';
import { readJson, sendJson } from '../json';
import type { RouteContext, RouteDef } from '../route';
import { parseBody } from '../validate';

const newProjectBody = z.object({
  name: z.string({ error: 'name is required.' }).trim().min(1, 'Give the project a name.').max(100, 'A project name is at most 100 characters.'),
});

async function ownedProject(ctx: RouteContext<ApiDeps>) {
  const user = await requireUser(ctx.req, ctx.deps.tokens, ctx.deps.config.allowedOrigins);
  if (!isValidId(ctx.params.id)) throw new HttpError('bad_request', 'That project id is not valid.');
  const project = await ctx.deps.projects.byId(ctx.params.id);
  if (!project) throw new HttpError('not_found', 'No such project.');
  if (!owns(user, project.owner_id)) throw new HttpError('forbidden', 'This project belongs to someone else.');
  return project;
}

export const projectsRoutes: RouteDef<ApiDeps>[] = [
  {
    method: 'GET',
    pattern: '/api/projects',
    async handler(ctx) {
      const user = await requireUser(ctx.req, ctx.deps.tokens, ctx.deps.config.allowedOrigins);
      const rows = await ctx.deps.projects.listFor(user.userId);
      sendJson(ctx.res, 200, rows.map(toPublicProject));
    },
  },
  {
    method: 'POST',
    pattern: '/api/projects',
    async handler(ctx) {
      const user = await requireUser(ctx.req, ctx.deps.tokens, ctx.deps.config.allowedOrigins);
      const { name } = parseBody(newProjectBody, await readJson(ctx.req));
      const project = await ctx.deps.projects.create(user.userId, name);
      sendJson(ctx.res, 201, toPublicProject(project));
    },
  },
  {
    method: 'GET',
    pattern: '/api/projects/:id',
    async handler(ctx) {
      sendJson(ctx.res, 200, toPublicProject(await ownedProject(ctx)));
    },
  },
  {
    method: 'DELETE',
    pattern: '/api/projects/:id',
    async handler(ctx) {
      const project = await ownedProject(ctx);
      await ctx.deps.projects.remove(project.id);
      ctx.res.writeHead(204).end();
    },
  },
];
