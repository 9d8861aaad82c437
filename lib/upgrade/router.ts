import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { CLOSE } from '../errors/close-codes';
import type { TokenClaims, Tokens } from '../auth/tokens';
import { upgradeToken } from '../auth/request-token';
import type { SocketTickets } from '../auth/socket-tickets';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { requestUrl } from '../http/request-url';
import type { Leases } from './leases';
import { ADDRESS, createSocketSlots } from './socket-slots';
import { checkOrigin } from '../auth/origin';
import { rejectWithClose, rejectWithStatus } from './reject';
import { isStoreUnavailable, STORE_UNAVAILABLE_REASON } from '../store/store-errors';
import type { OpenSocket, SocketRegistry } from './socket-registry';
import { pinnedAgent, prepareUpstreamRequest } from './upstream';
import { bridge } from './vnc-bridge';
import { connectVm, type VmConnectError } from './vm-connect';
import { watchClient, type ClientWatch } from './client-gone';
import type { WsProxy } from './ws-proxy';
import { joinProxiedPair } from './proxied-socket';
import { findRoute } from './routes';
import { describeTarget, type AnyRoute, type Refusal, type RouteDeps, type Target } from './routes/route';

// The only listener on the server's `upgrade` event. It walks the route records (lib/upgrade/routes/) and
// runs each step of design.md "An upgrade, step by step" around the one that matched: every step either
// passes or refuses the socket itself and the handler returns. The records say only what is theirs.

export type UpgradeRouterDeps = {
  /** The records to try, in order: built-in first, then the operator's (which may be reloaded any time). */
  routes(): readonly AnyRoute[];
  routeDeps: RouteDeps;
  allowedOrigins: readonly string[];
  /** Who a client on a public route is, for its slots: behind a trusted proxy, the address it names. */
  clientAddress(req: IncomingMessage): string;
  upstreamConnectTimeoutMs: number;
  tokens: Tokens;
  tickets: SocketTickets;
  leases: Leases;
  registry: SocketRegistry;
  wsProxy: WsProxy;
  metrics: Metrics;
  logger: Logger;
  /** Hands a `/_next/` upgrade to Next (HMR in dev); false when nothing there takes it yet. */
  nextUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
};

type Ctx = {
  route: string;
  path: string;
  started: number;
  user?: TokenClaims;
  resource?: string;
  upstream?: string;
  /** What the refusal was about when the reason alone would not say (the Origin that was not allowed). */
  refused?: string;
  /** The record's hook for the open socket (a share link's viewers); what it returns runs when it ends. */
  onOpen?: (close: Opened['close']) => () => void;
};

type End = { outcome: string; code?: number; reason?: string; endedBy?: string; bytesIn: number; bytesOut: number };
type Opened = { close(code: number, reason: string): Promise<void>; done: Promise<Omit<End, 'outcome'>> };

export type UpgradeRouter = ReturnType<typeof createUpgradeRouter>;

export function createUpgradeRouter(deps: UpgradeRouterDeps) {
  const { logger, metrics } = deps;
  let draining = false;
  const slots = createSocketSlots(deps.leases);

  function refuse(req: IncomingMessage, socket: Duplex, ctx: Ctx, code: number, reason: string) {
    metrics.upgrades.inc({ route: ctx.route, outcome: String(code) });
    metrics.upgradeSeconds.observe({ route: ctx.route }, (Date.now() - ctx.started) / 1000);
    rejectWithClose(req, socket, code, reason, () => logEnd(ctx, { outcome: 'refused', code, reason, bytesIn: 0, bytesOut: 0 }));
  }

  function refuseWithStatus(socket: Duplex, path: string, status: 400 | 404, code: 'bad_request' | 'not_found', sentence: string) {
    metrics.upgrades.inc({ route: 'none', outcome: String(status) });
    logger.info({ event: 'socket_end', route: 'none', path, outcome: 'refused', status, reason: sentence }, 'socket refused');
    rejectWithStatus(socket, status, code, sentence);
  }

  function logEnd(ctx: Ctx, end: End) {
    logger.info(
      {
        event: 'socket_end',
        route: ctx.route,
        path: ctx.path,
        user: ctx.user?.username,
        resource: ctx.resource,
        upstream: ctx.upstream,
        refused: ctx.refused,
        outcome: end.outcome,
        endedBy: end.endedBy,
        code: end.code,
        reason: end.reason,
        durationMs: Date.now() - ctx.started,
        bytesIn: end.bytesIn,
        bytesOut: end.bytesOut,
      },
      end.outcome === 'refused' ? `socket refused on ${ctx.route}: ${end.reason}${ctx.refused ? ` (${ctx.refused})` : ''}` : 'socket ended',
    );
  }

  async function handle(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    // An error on the raw socket before anything else listens would be an unhandled 'error' event.
    socket.on('error', () => undefined);
    const url = requestUrl(req.url);
    if (!url) return refuseWithStatus(socket, String(req.url).slice(0, 200), 400, 'bad_request', 'The request target is not a path.');

    // Step 1: the route records.
    if (url.pathname.startsWith('/_next/')) {
      if (deps.nextUpgrade(req, socket, head)) return;
      return refuseWithStatus(socket, url.pathname.slice(0, 200), 404, 'not_found', 'Nothing serves WebSockets under /_next/ here (HMR runs only in dev mode).');
    }
    const found = findRoute(deps.routes(), url.pathname, url.searchParams);
    if (!found) return refuseWithStatus(socket, url.pathname.slice(0, 200), 404, 'not_found', 'No WebSocket route at this path.');
    const { route, matched } = found;
    const ctx: Ctx = { route: route.name, path: url.pathname.slice(0, 200), started: Date.now() };
    // From here on a client that leaves is noticed at once, whatever step we are waiting in.
    const watch = watchClient(socket);
    if (draining) return refuse(req, socket, ctx, CLOSE.TRY_AGAIN_LATER, 'server is shutting down');
    if (matched.problem !== undefined) return refuse(req, socket, ctx, CLOSE.BAD_REQUEST, matched.problem);
    const params = matched.params;

    // Step 2: Origin.
    const origin = checkOrigin(req, deps.allowedOrigins);
    if (!origin.ok) {
      ctx.refused = `Origin ${origin.origin.slice(0, 100)}`;
      return refuse(req, socket, ctx, CLOSE.FORBIDDEN, 'origin not allowed');
    }

    // Step 3: the credential (none on a public route). A socket ticket (browsers) is spent here, for this
    // route and resource only; Bearer / ?token= are for non-browser clients. A cookie rides along on any
    // request a browser makes, so it only counts when a browser's Origin vouches for the page that opened
    // the socket. The token check includes the server-side session behind it (revoked or expired: 4401).
    let user: TokenClaims | null = null;
    let token: string | null = null;
    if (route.access === 'user') {
      const presented = upgradeToken(url.searchParams, req.headers);
      if (!presented) return refuse(req, socket, ctx, CLOSE.UNAUTHORIZED, 'no token');
      if (presented.source === 'cookie' && !origin.browser) return refuse(req, socket, ctx, CLOSE.UNAUTHORIZED, 'cookie without origin');
      if (presented.source === 'ticket') {
        const redeemed = await deps.tickets.redeem(presented.token, { route: route.name, resource: route.ticketResource(params) });
        if (!redeemed.ok) return refuse(req, socket, ctx, CLOSE.UNAUTHORIZED, redeemed.reason);
        user = redeemed.claims;
      } else {
        const verified = await deps.tokens.verify(presented.token);
        if (!verified.ok) return refuse(req, socket, ctx, CLOSE.UNAUTHORIZED, `token ${verified.reason}`);
        user = verified.claims;
        token = presented.token;
      }
      ctx.user = user;
    }

    // Step 4: authorise against the store.
    const decision = await route.authorise(params, user, deps.routeDeps).catch((err: Error): Refusal => {
      if (isStoreUnavailable(err)) return { ok: false, code: CLOSE.TRY_AGAIN_LATER, reason: STORE_UNAVAILABLE_REASON };
      logger.error({ err, route: ctx.route }, 'authorisation failed');
      return { ok: false, code: CLOSE.INTERNAL_ERROR, reason: 'internal error' };
    });
    if (!decision.ok) return refuse(req, socket, ctx, decision.code, decision.reason);
    ctx.resource = decision.describe;
    ctx.onOpen = decision.onOpen;

    // Step 5: limits.
    if (watch.aborted) return clientLeft(socket, ctx);
    const taken = slots.take(route, user ? user.userId : ADDRESS + deps.clientAddress(req));
    const slot = taken instanceof Promise ? await taken : taken;
    if ('ok' in slot) return refuse(req, socket, ctx, slot.code, slot.reason);
    // The slot is held exactly as long as the client's TCP connection, however the socket ends.
    socket.on('close', slot.release);
    if (watch.aborted) return clientLeft(socket, ctx, slot.release);

    // Step 6: resolve the target and connect.
    const target = await route.resolve(params, decision.resource, { query: url.searchParams, pathname: url.pathname, user, token, req }, deps.routeDeps).catch((err: Error): Refusal => {
      logger.error({ err, route: ctx.route }, 'resolving the upstream failed');
      return { ok: false, code: CLOSE.INTERNAL_ERROR, reason: 'internal error' };
    });
    if (watch.aborted) return clientLeft(socket, ctx, slot.release);
    if ('ok' in target) {
      slot.release();
      return refuse(req, socket, ctx, target.code, target.reason);
    }
    ctx.upstream = describeTarget(target);
    try {
      await connect(req, socket as Socket, head, ctx, target, slot.release, watch);
    } catch (err) {
      slot.release();
      if (watch.aborted) return clientLeft(socket, ctx);
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

  function opened(ctx: Ctx, socket: Opened, release: () => void) {
    const entry: OpenSocket = { route: ctx.route, userId: ctx.user?.userId, sessionId: ctx.user?.sessionId, close: socket.close };
    deps.registry.add(entry);
    const ended = ctx.onOpen?.(socket.close);
    metrics.upgrades.inc({ route: ctx.route, outcome: 'accepted' });
    metrics.upgradeSeconds.observe({ route: ctx.route }, (Date.now() - ctx.started) / 1000);
    void socket.done.then((end) => {
      deps.registry.remove(entry);
      ended?.();
      release();
      metrics.bytes.inc({ route: ctx.route, direction: 'in' }, end.bytesIn);
      metrics.bytes.inc({ route: ctx.route, direction: 'out' }, end.bytesOut);
      logEnd(ctx, { outcome: 'closed', ...end });
    });
  }

  async function connect(req: IncomingMessage, socket: Socket, head: Buffer, ctx: Ctx, target: Target, release: () => void, watch: ClientWatch) {
    // The proxied path sets the socket options on both legs as it joins them (ws-proxy.ts); set for every
    // upgrade up front as well, they were three more system calls per proxied upgrade for nothing.
    switch (target.transport) {
      case 'in-process': {
        interactive(socket);
        const conn = await target.accept(req, socket, watch.handOver(head), ctx.user!);
        if (!conn) return (release(), logEnd(ctx, { outcome: 'client_left', bytesIn: 0, bytesOut: 0 }));
        const done = conn.done.then(() => ({ endedBy: 'client', bytesIn: socket.bytesRead, bytesOut: socket.bytesWritten }));
        return opened(ctx, { close: conn.close, done }, release);
      }
      case 'bridge': {
        interactive(socket);
        const vm = await connectVm(target.to, deps.upstreamConnectTimeoutMs, watch.signal).catch((err: VmConnectError) => err);
        if (vm instanceof Error) {
          if (watch.aborted) return clientLeft(socket, ctx, release);
          release();
          return refuse(req, socket, ctx, CLOSE.BAD_GATEWAY, `VM unreachable: ${vm.message}`);
        }
        const b = await bridge(req, socket, watch.handOver(head), vm.socket, vm.greeting, target.rights);
        if (!b) return (release(), logEnd(ctx, { outcome: 'client_left', bytesIn: 0, bytesOut: 0 }));
        return opened(ctx, b, release);
      }
      case 'proxy':
        return proxy(req, socket, head, ctx, target, release, watch);
      default: {
        const unhandled: never = target;
        throw new Error(`no transport for ${JSON.stringify(unhandled)}`);
      }
    }
  }

  function proxy(req: IncomingMessage, socket: Socket, head: Buffer, ctx: Ctx, target: Extract<Target, { transport: 'proxy' }>, release: () => void, watch: ClientWatch) {
    prepareUpstreamRequest(req, target.url, target.bearer, target.headers);
    const agent = target.pinned ? pinnedAgent(target.url, target.pinned) : undefined;
    // The watcher keeps reading while the proxy connects (the library is handed no early bytes); they are
    // written upstream once the pair is joined, ahead of anything the client sends later.
    deps.wsProxy.proxy(
      req,
      socket,
      head,
      target.url,
      watch,
      {
        onOpen(upstreamSocket) {
          const early = watch.handOver(Buffer.alloc(0));
          if (early.length) upstreamSocket.write(early);
          const pair = joinProxiedPair(socket, upstreamSocket);
          // Every byte either way passes the client's socket, so its idleness is the pair's.
          if (target.idleTimeoutMs) socket.setTimeout(target.idleTimeoutMs, () => void pair.close(CLOSE.NORMAL, 'idle timeout'));
          opened(ctx, pair, release);
        },
        onFail(code, reason) {
          release();
          refuse(req, socket, ctx, code, reason);
        },
        onAbort() {
          clientLeft(socket, ctx, release);
        },
      },
      { agent, connectTimeoutMs: target.connectTimeoutMs },
    );
  }

  return {
    handle(req: IncomingMessage, socket: Duplex, head: Buffer) {
      handle(req, socket, head).catch((err) => {
        if (isStoreUnavailable(err)) return rejectWithClose(req, socket, CLOSE.TRY_AGAIN_LATER, STORE_UNAVAILABLE_REASON); // the token step's session check
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

/**
 * Interactive traffic (keystrokes, progress lines) must not wait for Nagle; keep-alive lets the kernel
 * notice a peer that vanished without a FIN.
 */
function interactive(socket: Socket): void {
  socket.setNoDelay(true);
  socket.setKeepAlive(true, 30_000);
}
