import { HttpError } from '../../errors/http-errors';
import { StorageQuotaExceeded } from '../../quotas/storage-meter';
import { asHttpError } from '../../sessions/vm-files';
import { requireOwnedSession } from '../owned';
import type { ApiDeps } from '../deps';
import { sendJson } from '../json';
import { uploadLimit } from '../upload-limit';
import type { RouteContext, RouteDef } from '../route';

// Files into and out of a running VM's home (the session page's Files panel): one folder's listing, a
// file's bytes, an upload (the body is the file). Every operation runs as the VM's uid in a sandbox that
// sees only that home (lib/sessions/vm-files.ts); paths follow the FileManager's rules.

function asHttp(err: unknown, maxBytes?: number): never {
  if (err instanceof StorageQuotaExceeded) throw new HttpError('storage_quota_exceeded', err.message);
  throw asHttpError(err, maxBytes);
}

/** The caller's session and its home (here or on the vmhost), or the refusal that says why not. */
async function ownedHome(ctx: RouteContext<ApiDeps>) {
  const { user, session } = await requireOwnedSession(ctx, ctx.params.id);
  try {
    return { session, home: ctx.deps.sessionService.homeFiles(session, user) };
  } catch (err) {
    return asHttp(err);
  }
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
      const { home } = await ownedHome(ctx);
      sendJson(ctx.res, 200, await home.list(ctx.url.searchParams.get('path') ?? '').catch((err) => asHttp(err)));
    },
  },
  {
    method: 'GET',
    pattern: '/api/sessions/:id/files/*',
    async handler(ctx) {
      const { home } = await ownedHome(ctx);
      const file = await home.read(ctx.params.rest).catch((err) => asHttp(err));
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
      const { session, home } = await ownedHome(ctx);
      const max = uploadLimit(ctx);
      // VM homes count against the owner's storage, as the bytes arrive.
      const charge = await ctx.deps.quotas.storage.charge(session.owner_id).catch((err) => {
        ctx.res.setHeader('Connection', 'close');
        return asHttp(err);
      });
      const result = await home.write(ctx.params.rest, ctx.req, max, (n) => charge.add(n)).catch((err) => {
        charge.cancel();
        ctx.res.setHeader('Connection', 'close');
        return asHttp(err, max);
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
