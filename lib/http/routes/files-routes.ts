import { HttpError } from '../../errors/http-errors';
import { PathError, workspaceDir } from '../../build/workspace';
import { StorageQuotaExceeded } from '../../quotas/storage-meter';
import { TooLarge, deleteFile, listTree, readForView, writeUpload } from '../../files/workspace-files';
import { requireOwnedProject } from '../owned';
import type { ApiDeps } from '../deps';
import { sendJson } from '../json';
import { uploadLimit } from '../upload-limit';
import type { RouteContext, RouteDef } from '../route';

// The FileManager's HTTP side: the tree, one file, uploads (the body is the file's bytes) and deletes.

async function workspaceOf(ctx: RouteContext<ApiDeps>): Promise<string> {
  return (await ownedWorkspace(ctx)).root;
}

async function ownedWorkspace(ctx: RouteContext<ApiDeps>) {
  const { project } = await requireOwnedProject(ctx, ctx.params.id);
  return { root: workspaceDir(ctx.deps.config.dataDir, project.id), ownerId: project.owner_id };
}

function asHttpError(err: unknown): never {
  if (err instanceof PathError) throw new HttpError('bad_request', err.message);
  if (err instanceof TooLarge) throw new HttpError('payload_too_large', err.message);
  if (err instanceof StorageQuotaExceeded) throw new HttpError('storage_quota_exceeded', err.message);
  throw err;
}

export const filesRoutes: RouteDef<ApiDeps>[] = [
  {
    method: 'GET',
    pattern: '/api/projects/:id/files',
    async handler(ctx) {
      sendJson(ctx.res, 200, await listTree(await workspaceOf(ctx)));
    },
  },
  {
    method: 'GET',
    pattern: '/api/projects/:id/files/*',
    async handler(ctx) {
      const root = await workspaceOf(ctx);
      const view = await readForView(root, ctx.params.rest).catch(asHttpError);
      if (!view) throw new HttpError('not_found', 'No such file in this project.');
      sendJson(ctx.res, 200, view);
    },
  },
  {
    method: 'PUT',
    pattern: '/api/projects/:id/files/*',
    async handler(ctx) {
      const { root, ownerId } = await ownedWorkspace(ctx);
      const max = uploadLimit(ctx);
      // Counted as the bytes arrive, not from Content-Length: a chunked body declares nothing.
      const charge = await ctx.deps.quotas.storage.charge(ownerId).catch((err) => {
        ctx.res.setHeader('Connection', 'close');
        return asHttpError(err);
      });
      const result = await writeUpload(root, ctx.params.rest, ctx.req, max, charge).catch((err) => {
        ctx.res.setHeader('Connection', 'close');
        return asHttpError(err);
      });
      sendJson(ctx.res, result.op === 'created' ? 201 : 200, result);
    },
  },
  {
    method: 'DELETE',
    pattern: '/api/projects/:id/files/*',
    async handler(ctx) {
      const { root, ownerId } = await ownedWorkspace(ctx);
      if (!(await deleteFile(root, ctx.params.rest).catch(asHttpError))) throw new HttpError('not_found', 'No such file in this project.');
      ctx.deps.quotas.storage.forget(ownerId);
      ctx.res.writeHead(204).end();
    },
  },
];
