import fs from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { buildOutputDir } from '../build/build-output';
import { PathError, resolveInside, workspaceDir } from '../build/workspace';
import type { Config } from '../config/config';
import { HTTP_ERRORS, type HttpErrorCode } from '../errors/http-errors';
import { looksBinary } from '../files/workspace-files';
import { previewCsp } from '../http/content-security-policy';
import type { Logger } from '../observability/logger';
import type { Builds } from '../store/builds';
import type { Projects } from '../store/projects';
import { serverOrigin } from '../auth/origin';
import { contentTypeFor } from './content-types';
import type { PreviewGrant, PreviewTokens } from './preview-tokens';

// The preview origin (issue 11, point 10; design.md "Preview origin"): a second HTTP server in the same
// process, on a port of its own, serving the files a build wrote — untrusted — under
// `/p/<capability>/<path>`. The capability in the path is the only authority: cookies are never read
// (the dashboard's cookie does reach this port, since cookies ignore ports), and the token names one
// build's output folder or one project's workspace, outside of which nothing is served. The token sits in
// the path, not the query, so the app's relative links (`style.css`, `img/a.png`) carry it along.

const PREFIX = '/p/';
/** Bounds on what a client may hold of this server: slow headers, slow bodies, idle sockets. */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
const MAX_CONNECTIONS = 1024;
/** Bytes read to tell text from binary for files whose extension says nothing. */
const SNIFF_BYTES = 4096;

export type PreviewServer = {
  port: number;
  /** The preview origin a browser that reached the dashboard with `req` should use. */
  originFor(req: IncomingMessage): string;
  close(): Promise<void>;
};

type Deps = { config: Config; tokens: PreviewTokens; projects: Projects; builds: Builds; logger: Logger };

export async function startPreviewServer(deps: Deps): Promise<PreviewServer> {
  const server = http.createServer((req, res) => {
    serve(deps, req, res).catch((err: unknown) => {
      // Never the URL: it holds the capability.
      deps.logger.error({ event: 'preview_failed', err }, 'The preview server failed to answer');
      if (!res.headersSent) refuse(res, 'internal');
      else res.destroy();
    });
  });
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.maxConnections = MAX_CONNECTIONS;
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(deps.config.previewPort, deps.config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as { port: number }).port;
  return {
    port,
    originFor(req) {
      if (deps.config.previewOrigin) return deps.config.previewOrigin;
      // The same host the browser used for the dashboard, on the preview port: a different origin.
      const dashboard = serverOrigin(req);
      const hostname = dashboard ? new URL(dashboard).hostname : deps.config.host === '0.0.0.0' || deps.config.host === '::' ? '127.0.0.1' : deps.config.host;
      return `http://${hostname.includes(':') && !hostname.startsWith('[') ? `[${hostname}]` : hostname}:${port}`;
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

async function serve(deps: Deps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return refuse(res, 'method_not_allowed');
  }
  const target = (req.url ?? '').split('?')[0];
  // For a load balancer in front of several gateways' preview ports (deploy/haproxy.cfg).
  if (target === '/healthz') {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    return void res.end(req.method === 'HEAD' ? undefined : 'ok\n');
  }
  if (!target.startsWith(PREFIX)) return refuse(res, 'not_found', 'Nothing is served here but previews. Open one from the dashboard.');
  const [token, ...segments] = target.slice(PREFIX.length).split('/');
  const grant = await deps.tokens.verify(token);
  if (!grant) return refuse(res, 'unauthorized', 'This preview link is not valid or has expired. Open the preview again from the dashboard.');
  // Without the slash, relative links would resolve beside the token instead of under it.
  if (segments.length === 0) {
    res.writeHead(308, { Location: `${PREFIX}${token}/`, 'Cache-Control': 'no-store' });
    return void res.end();
  }
  let rel: string;
  try {
    rel = segments.map(decodeURIComponent).join('/');
  } catch {
    return refuse(res, 'bad_request', 'That file path is not valid.');
  }
  if (rel === '' || rel.endsWith('/')) rel += 'index.html';

  const root = await rootOf(deps, grant);
  if (!root) return refuse(res, 'not_found', grant.kind === 'build' ? 'This build is gone, or it left no files.' : 'This project is gone.');
  let file: string;
  try {
    file = await resolveInside(root, rel);
  } catch (err) {
    if (err instanceof PathError) return refuse(res, 'bad_request', err.message);
    throw err;
  }
  const st = await fs.promises.stat(file).catch(() => null);
  if (!st?.isFile()) return refuse(res, 'not_found', 'No such file in this preview.', grant);

  res.writeHead(200, {
    ...headersFor(grant),
    'Content-Type': await typeOf(file, st.size),
    'Content-Length': st.size,
  });
  if (req.method === 'HEAD') return void res.end();
  const stream = fs.createReadStream(file);
  stream.on('error', () => res.destroy());
  res.on('close', () => stream.destroy());
  stream.pipe(res);
}

/** The folder a grant opens, if it still exists: a deleted project or build takes its previews along. */
async function rootOf(deps: Deps, grant: PreviewGrant): Promise<string | null> {
  const project = await deps.projects.byId(grant.projectId);
  if (!project) return null;
  let root: string;
  if (grant.kind === 'build') {
    const build = await deps.builds.byId(grant.buildId);
    if (!build || build.project_id !== project.id) return null;
    root = buildOutputDir(deps.config.dataDir, build.id);
  } else {
    root = workspaceDir(deps.config.dataDir, project.id);
  }
  // Checked before resolveInside, which would create a missing root.
  const st = await fs.promises.stat(root).catch(() => null);
  return st?.isDirectory() ? root : null;
}

function headersFor(grant: PreviewGrant | null): Record<string, string> {
  return {
    'Content-Security-Policy': previewCsp(grant?.frameAncestor ?? null),
    'X-Content-Type-Options': 'nosniff',
    // The capability is in the URL: no link the app holds may send it on.
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'private, no-store',
  };
}

async function typeOf(file: string, size: number): Promise<string> {
  const known = contentTypeFor(file);
  if (known !== 'application/octet-stream' || size === 0) return known === 'application/octet-stream' ? 'text/plain; charset=utf-8' : known;
  // No telling extension (README, Makefile): text is shown as text, anything else is bytes.
  const handle = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(Math.min(size, SNIFF_BYTES));
    await handle.read(buf, 0, buf.length, 0);
    return looksBinary(buf) ? known : 'text/plain; charset=utf-8';
  } finally {
    await handle.close();
  }
}

function refuse(res: ServerResponse, code: HttpErrorCode, message?: string, grant: PreviewGrant | null = null): void {
  const text = `${message ?? HTTP_ERRORS[code].message}\n`;
  res.writeHead(HTTP_ERRORS[code].status, { ...headersFor(grant), 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
