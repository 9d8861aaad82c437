import { HttpError, type HttpErrorCode } from '../../errors/http-errors';
import { StorageQuotaExceeded } from '../../quotas/storage-meter';
import { formatBytes } from '../../protocol/format-units';
import { createVmFiles, VmFileError, type VmFileProblem } from '../../sessions/vm-files';
import { requireOwnedSession } from '../owned';
import type { ApiDeps } from '../deps';
import { sendJson } from '../json';
import type { RouteDef } from '../route';

// Files into and out of a running VM's home (the session page's Files panel): one folder's listing, a
// file's bytes, an upload (the body is the file). Every operation runs as the VM's uid in a sandbox that
// sees only that home (lib/sessions/vm-files.ts); paths follow the FileManager's rules.

const vmFiles = createVmFiles();

const STATUS: Record<VmFileProblem, HttpErrorCode> = {
  bad_path: 'bad_request',
  not_found: 'not_found',
  is_folder: 'bad_request',
  not_a_folder: 'bad_request',
  link: 'bad_request',
  not_a_file: 'bad_request',
  too_large: 'payload_too_large',
  full: 'insufficient_storage',
  denied: 'forbidden',
  busy: 'too_many_requests',
  failed: 'internal',
};

function asHttpError(err: unknown, maxBytes?: number): never {
  if (err instanceof VmFileError) {
    if (err.problem === 'too_large' && maxBytes !== undefined) throw new HttpError('payload_too_large', `The file is larger than ${formatBytes(maxBytes)}, the upload limit.`);
    if (err.problem === 'full') throw new HttpError('insufficient_storage');
    throw new HttpError(STATUS[err.problem], err.message);
  }
  if (err instanceof StorageQuotaExceeded) throw new HttpError('storage_quota_exceeded', err.message);
  throw err;
}

/** `attachment; filename*=UTF-8''…`: the browser saves the file under its own name, never renders it. */
function attachment(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export const sessionFilesRoutes: RouteDef<ApiDeps>[] = [
  {
    method: 'GET',
    pattern: '/api/sessions/:id/files',
    async handler(ctx) {
      const { session } = await requireOwnedSession(ctx, ctx.params.id);
      const target = ctx.deps.sessionService.homeFiles(session);
      sendJson(ctx.res, 200, await vmFiles.list(target, ctx.url.searchParams.get('path') ?? '').catch((err) => asHttpError(err)));
    },
  },
  {
    method: 'GET',
    pattern: '/api/sessions/:id/files/*',
    async handler(ctx) {
      const { session } = await requireOwnedSession(ctx, ctx.params.id);
      const target = ctx.deps.sessionService.homeFiles(session);
      const file = await vmFiles.read(target, ctx.params.rest).catch((err) => asHttpError(err));
      const { res } = ctx;
      res.writeHead(200, {
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(file.bytes),
        'Content-Disposition': attachment(file.path.split('/').pop()!),
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
      });
      if (ctx.req.method === 'HEAD') {
        file.cancel();
        return void res.end();
      }
      // A client that goes away ends the helper too.
      res.once('close', () => file.cancel());
      file.body.pipe(res);
    },
  },
  {
    method: 'PUT',
    pattern: '/api/sessions/:id/files/*',
    async handler(ctx) {
      const { session } = await requireOwnedSession(ctx, ctx.params.id);
      const target = ctx.deps.sessionService.homeFiles(session);
      const max = ctx.deps.config.uploadMaxBytes;
      const declared = Number(ctx.req.headers['content-length'] ?? 0);
      if (declared > max) {
        // Say no before reading a byte, and close: the client may still be sending a large body.
        ctx.res.setHeader('Connection', 'close');
        throw new HttpError('payload_too_large', `The file is larger than ${formatBytes(max)}, the upload limit.`);
      }
      // VM homes count against the owner's storage, as the bytes arrive.
      const charge = await ctx.deps.quotas.storage.charge(session.owner_id).catch((err) => {
        ctx.res.setHeader('Connection', 'close');
        return asHttpError(err);
      });
      const result = await vmFiles.write(target, ctx.params.rest, ctx.req, max, (n) => charge.add(n)).catch((err) => {
        charge.cancel();
        ctx.res.setHeader('Connection', 'close');
        return asHttpError(err, max);
      });
      charge.commit(!result.created);
      sendJson(ctx.res, result.created ? 201 : 200, { path: result.path, bytes: result.bytes, op: result.created ? 'created' : 'updated' });
    },
  },
  {
    method: 'POST',
    pattern: '/api/sessions/:id/start',
    async handler(ctx) {
      const { user, session } = await requireOwnedSession(ctx, ctx.params.id);
      // A started VM counts like a new one: stopped sessions are not counted, so this is where it is.
      sendJson(ctx.res, 200, await ctx.deps.quotas.createSession(session.owner_id, () => ctx.deps.sessionService.startAgain(user, session)));
    },
  },
];
