import http, { type Agent, type ClientRequest, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { createProxyServer } from 'http-proxy-3';
import { CLOSE } from '../errors/close-codes';
import { closeCodeForStatus } from '../errors/status-map';
import type { ClientGone } from './client-gone';

// The proxied leg of an upgrade (design.md step 6-7), on http-proxy-3's `proxy.ws`. This module adds
// what the library leaves to us: a connect timeout, a close code instead of a raw HTTP answer when the
// upstream refuses, and a hook per connection once both sockets are joined.

export type ProxyHooks = {
  /** Both legs are joined; `upstream` is the socket to the backend. */
  onOpen(upstream: Socket): void;
  /** The upstream could not be reached or refused the upgrade; nothing was sent to the client yet. */
  onFail(code: number, reason: string): void;
  /** The client left before the pair was joined; the upstream attempt is already stopped. */
  onAbort(): void;
};

export type WsProxy = {
  /**
   * `agent`: set to connect to a vetted address rather than what the target's name resolves to now;
   * `connectTimeoutMs`: this route's, instead of the gateway's.
   */
  proxy(req: IncomingMessage, socket: Socket, head: Buffer, target: URL, clientGone: ClientGone, hooks: ProxyHooks, opts?: { agent?: Agent; connectTimeoutMs?: number }): void;
  close(): void;
};

// An upstream's HTTP answer to the upgrade, mapped to the close code the client should see.
export function closeCodeForUpstreamStatus(status: number): number {
  // Any status the one map (lib/errors/status-map.ts) does not name is an upstream misbehaving: 1014.
  return closeCodeForStatus(status) ?? CLOSE.BAD_GATEWAY;
}

export function createWsProxy(connectTimeoutMs: number): WsProxy {
  const proxy = createProxyServer({ ws: true, xfwd: false, prependPath: false });
  const pending = new WeakMap<IncomingMessage, Pending>();
  // Given no agent, http-proxy-3 passes `agent: false`, and for that Node builds a new http.Agent for every
  // upstream request (node:_http_client). One agent per proxy instead, without keep-alive: an upgraded
  // socket leaves its agent anyway, and a refused one is closed.
  const agents = { 'ws:': new http.Agent({ keepAlive: false }), 'wss:': new https.Agent({ keepAlive: false }) };
  const joining = new WeakMap<Socket, Joining>();

  // http-proxy-3 pipes the pair and leaves its own listeners on both sockets for as long as they are
  // open; those hold the request, the upstream request and its 101 response (about 14 KB of heap per
  // pair, measured with bench/), and each chunk passes through two 'data' listeners. Once the library
  // has done the handshake, the pair is ours: its pipes and listeners go and proxied-socket.ts relays.
  proxy.on('open', (upstream: Socket) => {
    const j = joining.get(upstream);
    if (!j) return;
    joining.delete(upstream);
    upstream.unpipe(j.client);
    j.client.unpipe(upstream);
    dropListenersAddedSince(upstream, j.upstreamBefore);
    dropListenersAddedSince(j.client, j.clientBefore);
    // The library set keep-alive with the system's delay; design.md wants a dead peer noticed sooner.
    upstream.setKeepAlive(true, KEEPALIVE_MS);
    j.client.setKeepAlive(true, KEEPALIVE_MS);
    j.hooks.onOpen(upstream);
  });

  // http-proxy-3 re-emits client socket errors here; each connection handles its own sockets, so this
  // listener only keeps the process from treating them as unhandled.
  proxy.on('error', () => undefined);

  // The handshake's listeners and its timer are module functions that find their state on the request
  // (REQ_STATE): no closure per upgrade, beside the one the client watch calls back.
  proxy.on('proxyReqWs', (proxyReq: ClientRequest, req: IncomingMessage, socket: Socket) => {
    const state = pending.get(req);
    if (!state) return;
    state.proxyReq = proxyReq;
    state.client = socket;
    state.joining = joining;
    state.timeoutMs = state.connectTimeoutMs ?? connectTimeoutMs;
    state.timer = setTimeout(connectTimedOut, state.timeoutMs, state);
    // The client left while we were still connecting (the router's watcher saw its FIN, RST or close):
    // stop the upstream attempt too.
    state.stopWatching = state.clientGone.onGone(() => clientWentAway(state));
    (proxyReq as StatefulRequest)[REQ_STATE] = state;
    proxyReq.on('error', upstreamErrored);
    // Registered before http-proxy-3's own listeners (it emits proxyReqWs first), so these run first.
    proxyReq.on('upgrade', upstreamUpgraded);
    proxyReq.on('response', upstreamAnswered);
  });

  return {
    proxy(req, socket, head, target, clientGone, hooks, opts) {
      shareCounterId(socket);
      if (clientGone.aborted) return hooks.onAbort();
      pending.set(req, { hooks, settled: false, clientBefore: listenerSnapshot(socket), clientGone, connectTimeoutMs: opts?.connectTimeoutMs });
      const upstream = upstreamOrigin(target);
      const agent = opts?.agent ?? (upstream.protocol === 'wss:' ? agents['wss:'] : agents['ws:']);
      proxy.ws(req, socket, head, { target: upstream, agent }, (err: Error) => {
        const state = pending.get(req);
        if (!state || state.settled) return;
        state.settled = true;
        hooks.onFail(CLOSE.BAD_GATEWAY, `upstream unreachable: ${describe(err)}`);
      });
    },
    close() {
      proxy.close();
      agents['ws:'].destroy();
      agents['wss:'].destroy();
    },
  };
}

// The library parses a string target into a URL on every upgrade; the few origins a gateway proxies to
// (its backends, the operator's routes, sessions' websockify) are parsed once. Bounded: sessions come
// and go, so past the bound the table starts again.
const ORIGINS_MAX = 1024;
const origins = new Map<string, URL>();
function upstreamOrigin(target: URL): URL {
  const key = target.origin;
  let url = origins.get(key);
  if (!url) {
    if (origins.size >= ORIGINS_MAX) origins.clear();
    url = new URL(key.replace(/^http/, 'ws'));
    origins.set(key, url);
  }
  return url;
}

type Pending = {
  hooks: ProxyHooks;
  settled: boolean;
  clientBefore: ListenerSnapshot;
  clientGone: ClientGone;
  stopWatching?: () => void;
  connectTimeoutMs?: number;
  // Set once http-proxy-3 has made the upstream request.
  proxyReq?: ClientRequest;
  client?: Socket;
  joining?: WeakMap<Socket, Joining>;
  timeoutMs?: number;
  timer?: NodeJS.Timeout;
};

const REQ_STATE = Symbol('upgrade state');
type StatefulRequest = ClientRequest & { [REQ_STATE]: Pending };

function fail(state: Pending, code: number, reason: string): void {
  if (state.settled) return;
  state.settled = true;
  clearTimeout(state.timer);
  state.stopWatching?.();
  state.hooks.onFail(code, reason);
}

function connectTimedOut(state: Pending): void {
  state.proxyReq!.destroy(new Error(`upstream did not answer within ${state.timeoutMs} ms`));
}

function clientWentAway(state: Pending): void {
  if (state.settled) return;
  state.settled = true;
  clearTimeout(state.timer);
  // With an error, so the upstream connection goes whatever agent made it (a request destroyed
  // without one may hand its socket back to a keep-alive pool).
  state.proxyReq!.destroy(new Error('the client left'));
  state.hooks.onAbort();
}

function upstreamErrored(this: StatefulRequest, err: Error): void {
  fail(this[REQ_STATE], CLOSE.BAD_GATEWAY, `upstream unreachable: ${describe(err)}`);
}

function upstreamUpgraded(this: StatefulRequest, _res: IncomingMessage, upstream: Socket): void {
  const state = this[REQ_STATE];
  clearTimeout(state.timer);
  state.stopWatching?.();
  if (state.settled) return void upstream.destroy();
  state.settled = true;
  upstream.on('error', ignoreError);
  shareCounterId(upstream);
  // Not onOpen yet: bytes that came with the 101 are unshifted next, and a 'data' listener attached
  // now would take them before the pipe exists. 'open' fires once the library is done with the pair.
  state.joining!.set(upstream, { hooks: state.hooks, client: state.client!, clientBefore: state.clientBefore, upstreamBefore: listenerSnapshot(upstream) });
  // Nothing of the handshake may stay reachable from the state for the socket's life (ws-proxy's point).
  state.proxyReq = state.client = undefined;
}

function upstreamAnswered(this: StatefulRequest, res: IncomingMessage): void {
  const state = this[REQ_STATE];
  res.resume();
  fail(state, closeCodeForUpstreamStatus(res.statusCode ?? 502), `upstream refused the upgrade with HTTP ${res.statusCode}`);
  // http-proxy-3 would now relay the raw HTTP answer, which a browser can only report as 1006. Our
  // close frame is already queued; ending the socket here makes its writes no-ops.
  state.client!.end();
}
type Joining = { hooks: ProxyHooks; client: Socket; clientBefore: ListenerSnapshot; upstreamBefore: ListenerSnapshot };

const KEEPALIVE_MS = 30_000;

// Module-level, not an arrow inside the handshake: a closure there would keep the whole handshake (the
// upstream request and everything it references) alive for as long as the socket is open.
export const ignoreError = () => undefined;

// The events on which http-proxy-3 (and the pipes it makes) listen on the two sockets.
const ADOPTED_EVENTS = ['close', 'end', 'error', 'data', 'drain', 'finish', 'unpipe'] as const;
type ListenerSnapshot = ReadonlyMap<string, readonly Function[]>;

export function listenerSnapshot(socket: Socket): ListenerSnapshot {
  return new Map(ADOPTED_EVENTS.map((e) => [e, socket.listeners(e)]));
}

/** Removes every listener on the adopted events that was not there when `before` was taken. */
export function dropListenersAddedSince(socket: Socket, before: ListenerSnapshot): void {
  for (const event of ADOPTED_EVENTS) {
    const kept = before.get(event) ?? [];
    for (const fn of socket.listeners(event)) {
      if (!kept.includes(fn)) socket.removeListener(event, fn as (...a: unknown[]) => void);
    }
  }
}

// http-proxy-3 counts open sockets (for its debug log) in a Set of ids it assigns to each socket, and
// removes an id in a 'close' listener we take away on adoption. Every socket we hand it carries the same
// id, so that Set holds one entry, not one per socket ever proxied.
const SHARED_COUNTER_ID = 1;
function shareCounterId(socket: Socket): void {
  (socket as Socket & { id?: number }).id = SHARED_COUNTER_ID;
}

function describe(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code ? `${code} ${err.message}`.slice(0, 80) : err.message.slice(0, 80);
}
