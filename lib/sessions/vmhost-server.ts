import http from 'node:http';
import { listenOn } from '../net/ports';
import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { bearerToken } from '../auth/request-token';
import type { VmhostGrant, VmhostOp, VmhostTokens } from '../auth/vmhost-tokens';
import { CLOSE } from '../errors/close-codes';
import { HttpError, errorBody, type HttpErrorCode } from '../errors/http-errors';
import { readJson, sendError, sendJson } from '../http/json';
import { requestUrl } from '../http/request-url';
import type { Logger } from '../observability/logger';
import { isValidId } from '../store/ids';
import { watchClient } from '../upgrade/client-gone';
import { connectVm, type VmConnectError } from '../upgrade/vm-connect';
import { bridge, type Bridge } from '../upgrade/vnc-bridge';
import type { LocalVnc } from './local-vnc';
import { unsandboxedSentence } from './vm-sandbox';
import { asHttpError, createVmFiles, homeTargetOf, localHomeFiles } from './vm-files';
import { serveHomeFiles } from './vm-files-serve';

// `npm run vmhost`: the local VM provider behind a small HTTP API and one WebSocket path, for gateways
// that run no VMs themselves (design.md "Scale-out"). It trusts nothing that reaches its port: every call
// carries a token a gateway minted for that one operation on that one session (lib/auth/vmhost-tokens.ts).
//
//   GET    /healthz                  no auth: up, and how many VMs run
//   GET    /status?epoch=E&after=N   the provider's state and the VMs that exited after exit N of epoch E
//                                    (all it holds when E is not its epoch) (token: status)
//   PUT    /vms/:id {name}           start the session's VM (token: create, that session) → 201 {target, sandboxed}
//   DELETE /vms/:id                  stop it and delete its home (token: delete, that session) → 204
//   GET|PUT /vms/:id/files[/<path>]  a VM's home: a folder, a file, an upload (token: files; vm-files-serve.ts)
//   GET    /vnc/:id                  WebSocket: the VM's RFB stream, bridged as a gateway would (token: connect)
//
// Refusals are plain HTTP (status + {"error":{code,message}}); a gateway's proxy turns an upgrade's status
// into the close code of the one map (lib/errors/status-map.ts): 401 → 4401, 403 → 4403, 502 → 1014.

/** Exits remembered for the gateways' polls; one that falls further behind misses only a nudge (the store has the status). */
const MAX_EXITS_KEPT = 1024;
const MAX_BODY_BYTES = 4096;
const TOKEN_REQUIRED = 'A vmhost token minted by a gateway is required (Authorization: Bearer); session tokens are not accepted.';
const OUT_OF_SCOPE = 'This vmhost token is for another session or operation.';

export type VmhostStatusBody = {
  /** Changes when the vmhost restarts: exit numbers start again. */
  epoch: string;
  vms: number;
  available: boolean;
  sandboxed: boolean;
  /** Why VMs cannot start, or why only admins may start them; null when all is well. */
  sentence: string | null;
  exits: { seq: number; sessionId: string }[];
  lastSeq: number;
};

export type VmhostServerDeps = {
  tokens: VmhostTokens;
  localVnc: LocalVnc | null;
  /** Why the provider cannot run here (a missing package), from start-up. */
  vncMissing: string | null;
  logger: Logger;
  connectTimeoutMs: number;
};

export function createVmhostServer(deps: VmhostServerDeps) {
  const epoch = randomUUID();
  const exits: { seq: number; sessionId: string }[] = [];
  let lastSeq = 0;
  const bridges = new Set<Bridge>();
  const vmFiles = createVmFiles();
  let closing = false;

  function providerState(): Pick<VmhostStatusBody, 'available' | 'sandboxed' | 'sentence'> {
    if (!deps.localVnc) return { available: false, sandboxed: false, sentence: 'The vmhost has no local VM provider (VNC_PROVIDER=external).' };
    if (deps.vncMissing) return { available: false, sandboxed: false, sentence: `${deps.vncMissing}.` };
    const sandbox = deps.localVnc.sandbox;
    return sandbox.sandboxed ? { available: true, sandboxed: true, sentence: null } : { available: true, sandboxed: false, sentence: unsandboxedSentence(sandbox.reason) };
  }

  async function grant(req: http.IncomingMessage, op: VmhostOp, sessionId: string | null): Promise<VmhostGrant> {
    const g = await deps.tokens.verify(bearerToken(req.headers), op, sessionId);
    if (g === 'invalid') throw new HttpError('unauthorized', TOKEN_REQUIRED);
    if (g === 'out_of_scope') throw new HttpError('forbidden', OUT_OF_SCOPE);
    return g;
  }

  async function create(req: http.IncomingMessage, res: http.ServerResponse, id: string): Promise<void> {
    const g = await grant(req, 'create', id);
    const body = (await readJson(req, MAX_BODY_BYTES)) as { name?: unknown };
    const name = typeof body?.name === 'string' ? body.name.trim() : '';
    if (!name || name.length > 100) throw new HttpError('bad_request', 'Give the session a name of 1 to 100 characters.');
    const state = providerState();
    if (!state.available || !deps.localVnc) throw new HttpError('unavailable', state.sentence!);
    // Without a sandbox a desktop sees the host: only an admin may start one (the gateway checked too).
    if (!state.sandboxed && g.role !== 'admin') throw new HttpError('forbidden', state.sentence!);
    if (deps.localVnc.get(id)) throw new HttpError('conflict', 'A VM is already running for this session.');
    let vm;
    try {
      vm = await deps.localVnc.start(id, name);
    } catch (err) {
      deps.logger.error({ err, session: id }, 'local VM failed to start');
      throw new HttpError('unavailable', `The VM could not start: ${(err as Error).message}`);
    }
    deps.logger.info({ event: 'vm_started', session: id, user: g.userId }, 'a local VM started');
    sendJson(res, 201, { target: vm.target, sandboxed: vm.sandboxed });
  }

  async function remove(req: http.IncomingMessage, res: http.ServerResponse, id: string): Promise<void> {
    const g = await grant(req, 'delete', id);
    await deps.localVnc?.stop(id, { removeHome: true });
    deps.logger.info({ event: 'vm_deleted', session: id, user: g.userId }, 'a local VM and its home were deleted');
    res.writeHead(204).end();
  }

  async function status(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    await grant(req, 'status', null);
    // A gateway that knew another epoch (this vmhost restarted since) gets every exit it still holds.
    const after = url.searchParams.get('epoch') === epoch ? Number(url.searchParams.get('after') ?? 0) : 0;
    const body: VmhostStatusBody = { epoch, vms: deps.localVnc?.count ?? 0, ...providerState(), exits: exits.filter((e) => e.seq > after), lastSeq };
    sendJson(res, 200, body);
  }

  async function files(req: http.IncomingMessage, res: http.ServerResponse, url: URL, rawId: string, rawRest: string | null): Promise<void> {
    let id: string;
    let rest: string | null;
    try {
      id = decodeURIComponent(rawId);
      rest = rawRest === null ? null : decodeURIComponent(rawRest);
    } catch {
      throw new HttpError('bad_request', 'That path is not valid.');
    }
    if (!isValidId(id)) throw new HttpError('bad_request', 'That session id is not valid.');
    await grant(req, 'files', id);
    if (closing) throw new HttpError('unavailable', 'The vmhost is shutting down; try again shortly.');
    let target;
    try {
      target = homeTargetOf(deps.localVnc?.get(id));
    } catch (err) {
      throw asHttpError(err);
    }
    await serveHomeFiles(req, res, url, rest, localHomeFiles(vmFiles, target));
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = requestUrl(req.url);
    if (!url) throw new HttpError('bad_request');
    if (req.method === 'GET' && url.pathname === '/healthz') return sendJson(res, 200, { status: closing ? 'draining' : 'ok', vms: deps.localVnc?.count ?? 0 });
    if (req.method === 'GET' && url.pathname === '/status') return status(req, res, url);
    const f = /^\/vms\/([^/]+)\/files(?:\/(.+))?$/.exec(url.pathname);
    if (f) return files(req, res, url, f[1], f[2] ?? null);
    const m = /^\/vms\/([^/]+)$/.exec(url.pathname);
    if (!m) throw new HttpError('not_found');
    const id = decodeURIComponent(m[1]);
    if (!isValidId(id)) throw new HttpError('bad_request', 'That session id is not valid.');
    if (closing) throw new HttpError('unavailable', 'The vmhost is shutting down; try again shortly.');
    if (req.method === 'PUT') return create(req, res, id);
    if (req.method === 'DELETE') return remove(req, res, id);
    throw new HttpError('method_not_allowed');
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (err instanceof HttpError) return sendError(res, err.code, err.message);
      deps.logger.error({ err }, 'vmhost request failed');
      sendError(res, 'internal');
    });
  });

  async function upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const m = /^\/vnc\/([^/]+)$/.exec(requestUrl(req.url)?.pathname ?? '');
    if (!m) return refuseUpgrade(socket, 'not_found');
    const id = decodeURIComponent(m[1]);
    if (!isValidId(id)) return refuseUpgrade(socket, 'bad_request', 'That session id is not valid.');
    // Reading from the start, so a gateway that gives up while we connect is noticed (client-gone.ts).
    const watch = watchClient(socket);
    const g = await deps.tokens.verify(bearerToken(req.headers), 'connect', id);
    if (g === 'invalid') return refuseUpgrade(socket, 'unauthorized', TOKEN_REQUIRED);
    if (g === 'out_of_scope') return refuseUpgrade(socket, 'forbidden', OUT_OF_SCOPE);
    if (closing) return refuseUpgrade(socket, 'unavailable', 'The vmhost is shutting down; try again shortly.');
    const vm = deps.localVnc?.get(id);
    if (!vm) return refuseUpgrade(socket, 'bad_gateway', 'No VM is running for this session.');
    // The 101 goes back only once the VM has greeted, so the gateway (and the browser behind it) learns
    // of a wedged VM as a refusal, not as a silent open socket.
    const conn = await connectVm({ kind: 'unix', path: vm.socketPath }, deps.connectTimeoutMs, watch.signal).catch((err: VmConnectError) => err);
    if (conn instanceof Error) {
      if (watch.signal.aborted) return void socket.destroy();
      return refuseUpgrade(socket, 'bad_gateway', `VM unreachable: ${conn.message}`);
    }
    const b = await bridge(req, socket, watch.handOver(head), conn.socket, conn.greeting, g.rights);
    if (!b) return;
    bridges.add(b);
    void b.done.then((end) => {
      bridges.delete(b);
      deps.logger.info({ event: 'vnc_closed', session: id, rights: g.rights ?? 'owner', endedBy: end.endedBy, code: end.code, bytesIn: end.bytesIn, bytesOut: end.bytesOut }, 'a viewer left');
    });
  }

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    upgrade(req, socket, head).catch((err) => {
      deps.logger.error({ err }, 'vmhost upgrade failed');
      socket.destroy();
    });
  });

  return {
    server,
    /** A VM died on its own: remembered for the gateways' next status poll. */
    recordExit(sessionId: string): void {
      exits.push({ seq: ++lastSeq, sessionId });
      if (exits.length > MAX_EXITS_KEPT) exits.shift();
    },
    listen(port: number, host: string): Promise<number> {
      return listenOn(server, port, host);
    },
    /** Viewers get 1001 (their clients reconnect); the VMs themselves are the caller's to stop. */
    async close(): Promise<void> {
      closing = true;
      // Resolves once the port is free again and every connection has ended (a restart may take the port).
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...bridges].map((b) => b.close(CLOSE.GOING_AWAY, 'vmhost going away')));
      server.closeAllConnections();
      await stopped;
    },
  };
}

export type VmhostServer = ReturnType<typeof createVmhostServer>;

function refuseUpgrade(socket: Duplex, code: HttpErrorCode, message?: string): void {
  const err = new HttpError(code, message);
  const body = JSON.stringify(errorBody(code, err.message));
  if (socket.destroyed) return;
  socket.end(`HTTP/1.1 ${err.status} ${http.STATUS_CODES[err.status]}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}
