import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '../errors/http-errors';
import type { ApiDeps } from './deps';
import { sendError } from './json';
import { requestUrl } from './request-url';
import { compileRoutes, findRoute } from './route';
import { authRoutes } from './routes/auth-routes';
import { buildRoutes } from './routes/build-routes';
import { buildControlRoutes } from './routes/build-control-routes';
import { buildLogRoutes } from './routes/build-log-routes';
import { buildRecordRoutes } from './routes/build-record-routes';
import { preferencesRoutes } from './routes/preferences-routes';
import { previewRoutes } from './routes/preview-routes';
import { filesRoutes } from './routes/files-routes';
import { opsRoutes } from './routes/ops-routes';
import { projectsRoutes } from './routes/projects-routes';
import { sessionsRoutes } from './routes/sessions-routes';
import { sessionSharesRoutes } from './routes/session-shares-routes';
import { sessionFilesRoutes } from './routes/session-files-routes';
import { socketTicketsRoutes } from './routes/socket-tickets-routes';
import { usersRoutes } from './routes/users-routes';
import { usageRoutes } from './routes/usage-routes';
import { createAccountQuotas } from '../quotas/account-quotas';
import { createStorageMeter } from '../quotas/storage-meter';
import { isStoreUnavailable } from '../store/store-errors';

// The JSON API runs in the gateway's own process space, next to the upgrade router, with the same store
// and config objects; Next serves the pages and whatever this table does not claim.

const routes = compileRoutes<ApiDeps>([...authRoutes, ...usersRoutes, ...projectsRoutes, ...sessionsRoutes, ...sessionSharesRoutes, ...sessionFilesRoutes, ...buildRoutes, ...buildControlRoutes, ...buildRecordRoutes, ...buildLogRoutes, ...previewRoutes, ...filesRoutes, ...opsRoutes, ...usageRoutes, ...socketTicketsRoutes, ...preferencesRoutes]);

export type ApiHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

export function createApi(base: Omit<ApiDeps, 'quotas'>): ApiHandler {
  const storage = createStorageMeter({ dataDir: base.config.dataDir, projects: base.projects, builds: base.builds, sessions: base.sessions, limitBytes: base.config.maxStorageBytesPerUser });
  const deps: ApiDeps = { ...base, quotas: createAccountQuotas({ config: base.config, projects: base.projects, sessions: base.sessions, builds: base.builds, storage }) };
  return (req, res) => {
    const url = requestUrl(req.url);
    if (!url) {
      sendError(res, 'bad_request', 'The request target is not a path.');
      return true;
    }
    const found = findRoute(routes, req.method ?? 'GET', url.pathname);
    if (!found) return false;
    if (found.kind === 'method') {
      res.setHeader('Allow', found.allow.join(', '));
      sendError(res, 'method_not_allowed');
      return true;
    }
    Promise.resolve(found.def.handler({ req, res, url, params: found.params, deps })).catch((err: unknown) => {
      if (err instanceof HttpError) return sendError(res, err.code, err.message);
      if (isStoreUnavailable(err)) {
        deps.logger.warn({ event: 'store_unavailable', path: url.pathname, err: (err as Error).message }, 'the database is unreachable: answered 503');
        return sendError(res, 'store_unavailable');
      }
      deps.logger.error({ err, path: url.pathname }, 'API handler failed');
      sendError(res, 'internal');
    });
    return true;
  };
}
