import { z } from 'zod';
import { toPublicProject } from '../../store/projects';
import { removeWorkspace } from '../../build/workspace';
import { removeBuildOutputs } from '../../build/build-output';
import { requireUser } from '../caller';
import type { ApiDeps } from '../deps';
import { readJson, sendJson } from '../json';
import { requireOwnedProject } from '../owned';
import type { RouteDef } from '../route';
import { parseBody } from '../validate';

const newProjectBody = z.object({
  name: z.string({ error: 'name is required.' }).trim().min(1, 'Give the project a name.').max(100, 'A project name is at most 100 characters.'),
});


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
      const project = await ctx.deps.quotas.createProject(user.userId, () => ctx.deps.projects.create(user.userId, name));
      sendJson(ctx.res, 201, toPublicProject(project));
    },
  },
  {
    method: 'GET',
    pattern: '/api/projects/:id',
    async handler(ctx) {
      sendJson(ctx.res, 200, toPublicProject((await requireOwnedProject(ctx, ctx.params.id)).project));
    },
  },
  {
    method: 'DELETE',
    pattern: '/api/projects/:id',
    async handler(ctx) {
      const { project } = await requireOwnedProject(ctx, ctx.params.id);
      // The build rows go with the project (cascade): read which output folders are its first.
      const buildIds = await ctx.deps.builds.idsFor(project.id);
      await ctx.deps.projects.remove(project.id);
      await removeWorkspace(ctx.deps.config.dataDir, project.id);
      await removeBuildOutputs(ctx.deps.config.dataDir, buildIds);
      ctx.deps.quotas.storage.forget(project.owner_id);
      ctx.res.writeHead(204).end();
    },
  },
];
