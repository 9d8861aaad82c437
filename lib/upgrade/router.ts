import type { IncomingMessage } from 'node:http';
import net, { type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { CLOSE } from '../errors/close-codes';
import type { TokenClaims, Tokens, Verified } from '../auth/tokens';
import type { BackendTokens } from '../auth/backend-tokens';
import { vetTarget } from '../sessions/target-allow';
import { upgradeToken } from '../auth/request-token';
import { ticketResource, type SocketTickets } from '../auth/socket-tickets';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import type { EventHub } from '../hub/event-hub';
import { authorise, type AuthoriseDeps, type Resource } from './authorise';
import type { Leases } from './leases';
import { checkOrigin } from '../auth/origin';
import { rejectWithClose, rejectWithStatus } from './reject';
import { matchRoute, type MatchedRoute } from './route-table';
import type { OpenSocket, RouteName, SocketRegistry } from './socket-registry';
import { buildUpstream, pinnedAgent, prepareUpstreamRequest, sessionUpstream, type Upstream } from './upstream';
import { bridge } from './vnc-bridge';
import { connectVm, VmConnectError } from './vm-connect';
import { watchClient, type ClientWatch } from './client-gone';
import type { WsProxy } from './ws-proxy';
import { joinProxiedPair } from './proxied-socket';
import { requestUrl } from '../http/request-url';

// The only listener on the server's `upgrade` event. Each step of design.md "An upgrade, step by step"
// is a guard: it either passes or refuses the socket itself and the handler returns.

export type UpgradeRouterDeps = AuthoriseDeps & {
  allowedOrigins: readonly string[];
  buildBackend: URL;
  upstreamConnectTimeoutMs: number;
  tokens: Tokens;
  tickets: SocketTickets;
  /** Mints the build backend's credential; the user's own token never goes upstream. */
  backendTokens: BackendTokens;
  /** External VNC targets are vetted against it again at every connect. */
  vncTargetAllow: readonly string[];
  leases: Leases;
  registry: SocketRegistry;
  hub: EventHub;
  wsProxy: WsProxy;
  metrics: Metrics;
  logger: Logger;
  /** Hands a `/_next/` upgrade to Next (HMR in dev); false when nothing there takes it yet. */
  nextUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
};

type Ctx = {
  route: RouteName;
  started: number;
  user?: TokenClaims;
  resource?: string;
  upstream?: string;
};

export type UpgradeRouter = ReturnType<typeof createUpgradeRouter>;

export function createUpgradeRouter(deps: UpgradeRouterDeps) {
  const { logger, metrics } = deps;
  let draining = false;

  function refuse(req: IncomingMessage, socket: Duplex, ctx: Ctx, code: number, reason: string) {
    metrics.upgrades.inc({ route: ctx.route, outcome: String(code) });
    metrics.upgradeSeconds.observe({ route: ctx.route }, (Date.now() - ctx.started) / 1000);
    rejectWithClose(req, socket, code, reason, () => logEnd(ctx, { outcome: 'refused', code, reason, bytesIn: 0, bytesOut: 0 }));
  }

  function logEnd(ctx: Ctx, end: { outcome: string; code?: number; reason?: string; endedBy?: string; bytesIn: number; bytesOut: number }) {
    logger.info(
      {
        event: 'socket_end',
        route: ctx.route,
        user: ctx.user?.username,
        resource: ctx.resource,
        upstream: ctx.upstream,
        outcome: end.outcome,
        endedBy: end.endedBy,
        code: end.code,
        reason: end.reason,
        durationMs: Date.now() - ctx.started,
        bytesIn: end.bytesIn,
        bytesOut: end.bytesOut,
      },
      'socket ended',
    );
  }

  async function handle(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    // An error on the raw socket before anything else listens would be an unhandled 'error' event.
    socket.on('error', () => undefined);
    // Interactive traffic (keystrokes, progress lines) must not wait for Nagle; keep-alive lets the
    // kernel notice a peer that vanished without a FIN.
    if (socket instanceof net.Socket) {
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 30_000);
    }
    const url = requestUrl(req.url);
    if (!url) {
      metrics.upgrades.inc({ route: 'none', outcome: '400' });
      return rejectWithStatus(socket, 400, 'bad_request', 'The request target is not a path.');
    }
    const match = matchRoute(url.pathname, url.searchParams);

    // Step 1: the route table.
    if (!match) {
      metrics.upgrades.inc({ route: 'none', outcome: '404' });
      return rejectWithStatus(socket, 404, 'not_found', 'No WebSocket route at this path.');
    }
    if (match.route === 'next') {
      if (deps.nextUpgrade(req, socket, head)) return;
      metrics.upgrades.inc({ route: 'next', outcome: '404' });
      return rejectWithStatus(socket, 404, 'not_found', 'Nothing serves WebSockets under /_next/ here (HMR runs only in dev mode).');
    }
    const ctx: Ctx = { route: match.route, started: Date.now() };
    // From here on a client that leaves is noticed at once, whatever step we are waiting in.
    const watch = watchClient(socket);
    if (draining) return refuse(req, socket, ctx, CLOSE.TRY_AGAIN_LATER, 'server is shutting down');
    if (match.problem) return refuse(req, socket, ctx, CLOSE.BAD_REQUEST, match.problem);

    // Step 2: Origin.
    const origin = checkOrigin(req, deps.allowedOrigins);
    if (!origin.ok) return refuse(req, socket, ctx, CLOSE.FORBIDDEN, 'origin not allowed');

    // Step 3: the credential. A socket ticket (browsers) is spent here, for this route and resource only;
    // Bearer / ?token= are for non-browser clients. A cookie rides along on any request a browser makes,
    // so it only counts when a browser's Origin vouches for the page that opened the socket. The token
    // check includes the server-side session behind it (revoked or expired: 4401).
    const found = upgradeToken(url.searchParams, req.headers);
    if (!found) return refuse(req, socket, ctx, CLOSE.UNAUTHORIZED, 'no token');
    if (found.source === 'cookie' && !origin.browser) return refuse(req, socket, ctx, CLOSE.UNAUTHORIZED, 'cookie without origin');
    let verified: Verified;
    if (found.source === 'ticket') {
      const redeemed = await deps.tickets.redeem(found.token, { route: match.route, resource: ticketResource(match) });
      if (!redeemed.ok) return refuse(req, socket, ctx, CLOSE.UNAUTHORIZED, redeemed.reason);
      verified = { ok: true, claims: redeemed.claims, expiresAt: 0 };
    } else {
      verified = await deps.tokens.verify(found.token);
      if (!verified.ok) return refuse(req, socket, ctx, CLOSE.UNAUTHORIZED, `token ${verified.reason}`);
    }
    ctx.user = verified.claims;

    // Step 4: authorise against the store.
    const decision = await authorise(match, verified.claims, deps).catch((err: Error) => {
      logger.error({ err, route: ctx.route }, 'authorisation failed');
      return { ok: false as const, code: CLOSE.INTERNAL_ERROR, reason: 'internal error' };
    });
    if (!decision.ok) return refuse(req, socket, ctx, decision.code, decision.reason);
    ctx.resource = describeResource(decision.resource);

    // Step 5: limits.
    if (watch.signal.aborted) return clientLeft(socket, ctx);
    const refusal = deps.leases.acquire(verified.claims.userId);
    if (refusal) return refuse(req, socket, ctx, CLOSE.TOO_MANY, refusal === 'user' ? 'too many sockets for this user' : 'server socket limit reached');
    const release = once(() => deps.leases.release(verified.claims.userId));
    // The slot is held exactly as long as the client's TCP connection, however the socket ends.
    socket.on('close', release);
    if (watch.signal.aborted) return clientLeft(socket, ctx, release);

    // Step 6: resolve the target and connect.
    const upstream = await resolveUpstream(match, decision.resource, url.searchParams, verified.claims).catch((err: Error) => {
      logger.error({ err, route: ctx.route }, 'resolving the upstream failed');
      return { code: CLOSE.INTERNAL_ERROR, reason: 'internal error' };
    });
    if (watch.signal.aborted) return clientLeft(socket, ctx, release);
    if ('code' in upstream) {
      release();
      return refuse(req, socket, ctx, upstream.code, upstream.reason);
    }
    ctx.upstream = describeUpstream(upstream);
    try {
      await connect(req, socket as Socket, head, ctx, upstream, release, watch);
    } catch (err) {
      release();
      if (watch.signal.aborted) return clientLeft(socket, ctx);
      logger.error({ err, route: ctx.route }, 'upgrade failed');
      refuse(req, socket, ctx, CLOSE.INTERNAL_ERROR, 'internal error');
    }
  }

  /** The client ended its connection (FIN, RST or close) before it was joined to anything: let go of it all. */
  function clientLeft(socket: Duplex, ctx: Ctx, release?: () => void) {
    release?.();
    socket.destroy();
    metrics.upgrades.inc({ route: ctx.route, outcome: 'client_left' });
    logEnd(ctx, { outcome: 'client_left', endedBy: 'client', bytesIn: 0, bytesOut: 0 });
  }

  async function resolveUpstream(match: MatchedRoute, resource: Resource, query: URLSearchParams, user: TokenClaims): Promise<Upstream | { code: number; reason: string }> {
    if (resource.kind === 'hub') return { kind: 'hub' };
    if (resource.kind === 'project') {
      const url = buildUpstream(deps.buildBackend, (match as { projectId: string }).projectId, query);
      return { kind: 'ws', url, bearer: await deps.backendTokens.mint({ user, projectId: resource.id }) };
    }
    const target = sessionUpstream(resource.target);
    if (!target) return { code: CLOSE.INTERNAL_ERROR, reason: 'session has no usable target' };
    if (!resource.external || target.kind === 'hub' || target.kind === 'unix') return target;
    // An admin's registration was checked then; the allow-list or the name's addresses may have changed.
    const vetted = await vetTarget(resource.target, deps.vncTargetAllow);
    if (!vetted.ok) {
      return vetted.problem === 'unresolved'
        ? { code: CLOSE.BAD_GATEWAY, reason: 'VM unreachable: its host does not resolve' }
        : { code: CLOSE.FORBIDDEN, reason: 'VM target no longer allowed by VNC_TARGET_ALLOW' };
    }
    if (target.kind === 'tcp') return { ...target, host: vetted.address };
    return { ...target, pinned: { address: vetted.address, family: vetted.family } };
  }

  function opened(ctx: Ctx, close: OpenSocket['close'], done: Promise<{ endedBy: string; code?: number; bytesIn: number; bytesOut: number }>, release: () => void) {
    const entry: OpenSocket = { route: ctx.route, userId: ctx.user!.userId, sessionId: ctx.user!.sessionId, close };
    deps.registry.add(entry);
    metrics.upgrades.inc({ route: ctx.route, outcome: 'accepted' });
    metrics.upgradeSeconds.observe({ route: ctx.route }, (Date.now() - ctx.started) / 1000);
    void done.then((end) => {
      deps.registry.remove(entry);
      release();
      metrics.bytes.inc({ route: ctx.route, direction: 'in' }, end.bytesIn);
      metrics.bytes.inc({ route: ctx.route, direction: 'out' }, end.bytesOut);
      logEnd(ctx, { outcome: 'closed', ...end });
    });
  }

  async function connect(req: IncomingMessage, socket: Socket, head: Buffer, ctx: Ctx, upstream: Upstream, release: () => void, watch: ClientWatch) {
    if (upstream.kind === 'hub') {
      const conn = await deps.hub.accept(req, socket, watch.handOver(head), ctx.user!);
      if (!conn) return (release(), logEnd(ctx, { outcome: 'client_left', bytesIn: 0, bytesOut: 0 }));
      const done = conn.done.then(() => ({ endedBy: 'client', bytesIn: socket.bytesRead, bytesOut: socket.bytesWritten }));
      return opened(ctx, conn.close, done, release);
    }
    if (upstream.kind === 'tcp' || upstream.kind === 'unix') {
      const vm = await connectVm(upstream, deps.upstreamConnectTimeoutMs, watch.signal).catch((err: VmConnectError) => err);
      if (vm instanceof Error) {
        if (watch.signal.aborted) return clientLeft(socket, ctx, release);
        release();
        return refuse(req, socket, ctx, CLOSE.BAD_GATEWAY, `VM unreachable: ${vm.message}`);
      }
      const b = await bridge(req, socket, watch.handOver(head), vm.socket, vm.greeting);
      if (!b) return (release(), logEnd(ctx, { outcome: 'client_left', bytesIn: 0, bytesOut: 0 }));
      return opened(ctx, b.close, b.done, release);
    }
    prepareUpstreamRequest(req, upstream.url, upstream.bearer);
    const agent = upstream.pinned ? pinnedAgent(upstream.url, upstream.pinned) : undefined;
    // The watcher keeps reading while the proxy connects (the library is handed no early bytes); they are
    // written upstream once the pair is joined, ahead of anything the client sends later.
    deps.wsProxy.proxy(req, socket, head, upstream.url, watch.signal, {
      onOpen(upstreamSocket) {
        const early = watch.handOver(Buffer.alloc(0));
        if (early.length) upstreamSocket.write(early);
        const pair = joinProxiedPair(socket, upstreamSocket);
        opened(ctx, pair.close, pair.done, release);
      },
      onFail(code, reason) {
        release();
        refuse(req, socket, ctx, code, reason);
      },
      onAbort() {
        clientLeft(socket, ctx, release);
      },
    }, agent);
  }

  return {
    handle(req: IncomingMessage, socket: Duplex, head: Buffer) {
      handle(req, socket, head).catch((err) => {
        logger.error({ err }, 'upgrade handler crashed');
        socket.destroy();
      });
    },
    /** From now on every new upgrade is refused with 1013; open sockets are left to the caller. */
    drain() {
      draining = true;
    },
  };
}

function describeResource(r: Resource): string {
  return r.kind === 'hub' ? 'hub' : `${r.kind}:${r.id}`;
}

function describeUpstream(u: Upstream): string {
  if (u.kind === 'hub') return 'in-process';
  if (u.kind === 'tcp') return `tcp://${u.host}:${u.port}`;
  if (u.kind === 'unix') return 'local VM socket';
  return u.url.origin + u.url.pathname;
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
