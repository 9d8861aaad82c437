import http from 'node:http';
import { listenOn } from '../net/ports';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { bearerToken } from '../auth/request-token';
import { requestUrl } from '../http/request-url';
import type { BackendTokens } from '../auth/backend-tokens';
import type { TokenClaims } from '../auth/tokens';
import type { Logger } from '../observability/logger';
import type { Builds } from '../store/builds';
import { isValidId } from '../store/ids';
import type { Projects } from '../store/projects';
import { owns } from '../auth/ownership';
import type { BuildRunner } from './build-runner';
import { matchBuildCommand, runBuildCommand, type BuildCommand } from './build-commands';
import { serveBuildSocket } from './build-socket';
import { serveBuildEvents } from './build-sse';
import type { EventLog } from './event-log';
import type { ProviderInfo } from '../protocol/build';
import { errorCodeForStatus } from '../errors/http-errors';
import { refusal, type ReasonKey } from '../errors/reasons';

// The build backend: `/build/:projectId` (WebSocket), `/build/:projectId/events` (SSE) and POST
// `/build/:projectId/builds[/:buildId/cancel]` (start and cancel over HTTP). It sits
// behind the gateway but trusts nothing that reaches its port: every request must carry a backend token
// the gateway minted for that project (lib/auth/backend-tokens.ts) as `Authorization: Bearer`; a user's
// session token is refused. It answers refusals as plain HTTP; the gateway turns those into close codes.

export type BackendDeps = {
  backendTokens: BackendTokens;
  projects: Projects;
  builds: Builds;
  log: EventLog;
  runner: BuildRunner;
  logger: Logger;
  heartbeatMs: number;
  providerName: () => string;
  /** What a new build would be built with, for the hello (issue 11, point 5). */
  providerInfo: () => ProviderInfo;
};

type Target = { projectId: string; sse: boolean; buildId?: string; after: number };

function parseTarget(url: URL, lastEventId: string | undefined): Target | ReasonKey {
  const m = /^\/build\/([^/]+)(\/events)?$/.exec(url.pathname);
  if (!m) return 'not_found';
  const projectId = decodeURIComponent(m[1]);
  const buildId = url.searchParams.get('build') ?? undefined;
  // An EventSource reconnects to its first URL, so `?after=` may be stale: Last-Event-ID, when it is
  // further along, is where the client really is.
  const seqs = [url.searchParams.get('after'), lastEventId].filter((v): v is string => v !== null && v !== undefined);
  if (!isValidId(projectId) || (buildId !== undefined && !isValidId(buildId)) || seqs.some((v) => !/^\d{1,15}$/.test(v))) return 'bad_address';
  return { projectId, sse: Boolean(m[2]), buildId, after: Math.max(0, ...seqs.map(Number)) };
}

export function createBackendServer(deps: BackendDeps) {
  // autoPong off: build-socket.ts answers pings only while the peer reads (lib/net/peer-bound.ts).
  const wss = new WebSocketServer({ noServer: true, clientTracking: true, maxPayload: 64 * 1024, perMessageDeflate: false, autoPong: false });

  async function admit(req: http.IncomingMessage): Promise<{ ok: true; target: Target; user: TokenClaims } | { ok: false; why: ReasonKey }> {
    const url = requestUrl(req.url);
    if (!url) return { ok: false, why: 'bad_address' };
    const target = parseTarget(url, req.headers['last-event-id'] as string | undefined);
    if (typeof target === 'string') return { ok: false, why: target };
    const granted = await grantFor(req, target.projectId);
    return granted.ok ? { ok: true, target, user: granted.user } : granted;
  }

  async function grantFor(req: http.IncomingMessage, projectId: string): Promise<{ ok: true; user: TokenClaims } | { ok: false; why: ReasonKey }> {
    const grant = await deps.backendTokens.verify(bearerToken(req.headers), projectId);
    if (!grant) return { ok: false, why: 'backend_token_required' };
    const project = await deps.projects.byId(projectId);
    if (!project) return { ok: false, why: 'no_such_project' };
    // The gateway authorised the user already; checked again because the owner may have changed since.
    if (!owns(grant.user, project.owner_id)) return { ok: false, why: 'not_your_project' };
    return { ok: true, user: grant.user };
  }

  /** Start and cancel over HTTP (build-commands.ts), behind the same token check as the stream. */
  async function command(req: http.IncomingMessage, res: http.ServerResponse, cmd: BuildCommand | 'bad_request'): Promise<void> {
    if (cmd === 'bad_request') return refuseHttp(res, 'bad_address');
    const granted = await grantFor(req, cmd.projectId);
    if (!granted.ok) return refuseHttp(res, granted.why);
    await runBuildCommand(req, res, cmd, granted.user, deps);
  }

  async function stream(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const a = await admit(req);
    if (!a.ok) return refuseHttp(res, a.why);
    if (!a.target.sse || req.method !== 'GET') return refuseHttp(res, 'not_found');
    await serveBuildEvents(req, res, a.target, deps);
  }

  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', activeBuilds: deps.runner.active }));
      return;
    }
    const cmd = req.method === 'POST' ? matchBuildCommand(requestUrl(req.url)?.pathname ?? '') : null;
    (cmd ? command(req, res, cmd) : stream(req, res))
      .catch((err) => {
        deps.logger.error({ err }, 'build backend request failed');
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      });
  });

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    admit(req)
      .then((a) => {
        if (!a.ok) return refuseUpgrade(socket, a.why);
        if (a.target.sse) return refuseUpgrade(socket, 'not_found');
        wss.handleUpgrade(req, socket, head, (ws) => serveBuildSocket(ws, { ...a.target, user: a.user }, deps));
      })
      .catch((err) => {
        deps.logger.error({ err }, 'build backend upgrade failed');
        socket.destroy();
      });
  });

  return {
    server,
    listen(port: number, host: string): Promise<number> {
      return listenOn(server, port, host);
    },
    async close(): Promise<void> {
      for (const ws of wss.clients) ws.close(1001, 'build backend going away');
      server.close();
      server.closeAllConnections();
      for (const ws of wss.clients) ws.terminate();
    },
  };
}

// Refusals are answered as plain HTTP: the status from the one map (the gateway turns it back into the
// reason's close code), the sentence from lib/errors, and the reason for whoever reads the body.
function refusalJson(why: ReasonKey): [number, string] {
  const r = refusal(why);
  return [r.status, JSON.stringify({ error: { code: errorCodeForStatus(r.status), message: r.message, reason: why } })];
}

function refuseHttp(res: http.ServerResponse, why: ReasonKey) {
  const [status, body] = refusalJson(why);
  res.writeHead(status, { 'content-type': 'application/json' }).end(body);
}

function refuseUpgrade(socket: Duplex, why: ReasonKey) {
  const [status, body] = refusalJson(why);
  socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}
