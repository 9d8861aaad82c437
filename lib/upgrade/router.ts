import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { CLOSE } from '../errors/close-codes';
import type { TokenClaims, Tokens, Verified } from '../auth/tokens';
import { upgradeToken } from '../auth/request-token';
import type { Redeemed, SocketTickets } from '../auth/socket-tickets';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { createOutcomes, type Ctx } from './outcomes';
import { requestUrl } from '../http/request-url';
import type { Leases } from './leases';
import { ADDRESS, createSocketSlots, type SocketSlot } from './socket-slots';
import { checkOrigin } from '../auth/origin';
import { rejectWithClose } from './reject';
import { isStoreUnavailable, STORE_UNAVAILABLE_REASON } from '../store/store-errors';
import type { SocketRegistry } from './socket-registry';
import { watchClient, type ClientWatch } from './client-gone';
import type { WsProxy } from './ws-proxy';
import { findRoute } from './routes';
import { createTransports } from './transports';
import { describeTarget, type AnyRoute, type Authorised, type Refusal, type RouteDeps, type Target } from './routes/route';

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

/** One upgrade on its way through the steps; what the log line needs is in `ctx`, which outlives it. */
type Upgrade = {
  req: IncomingMessage;
  socket: Duplex;
  head: Buffer;
  url: URL;
  route: AnyRoute;
  params: unknown;
  ctx: Ctx;
  watch: ClientWatch;
  user: TokenClaims | null;
  /** The token presented (not a ticket): a declared route may send it upstream. */
  token: string | null;
  resource: unknown;
  release?: () => void;
};

const ignore = () => undefined;

export type UpgradeRouter = ReturnType<typeof createUpgradeRouter>;

export function createUpgradeRouter(deps: UpgradeRouterDeps) {
  const { logger } = deps;
  let draining = false;
  const slots = createSocketSlots(deps.leases);
  const outcomes = createOutcomes(deps);
  const { refuse, refuseWithStatus, clientLeft } = outcomes;
  const { connect, proxy } = createTransports(deps, outcomes);

  // Steps 1-2 and the start of 3. Every step below runs on straight from the one before in the same tick
  // when its answer is at hand (a memoised token, SQLite, in-memory leases, a reused backend token): no
  // `await`, no promise, no closure per step. A step whose answer must be waited for (Postgres, Redis, a
  // vmhost) continues from its promise, and the steps after it run the same code.
  function handle(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // An error on the raw socket before anything else listens would be an unhandled 'error' event.
    socket.on('error', ignore);
    const url = requestUrl(req.url);
    if (!url) return refuseWithStatus(socket, String(req.url).slice(0, 200), 400, 'bad_request', 'The request target is not a path.');
    const pathname = url.pathname; // a getter that makes a new string each time

    // Step 1: the route records.
    if (pathname.startsWith('/_next/')) {
      if (deps.nextUpgrade(req, socket, head)) return;
      return refuseWithStatus(socket, pathname.slice(0, 200), 404, 'not_found', 'Nothing serves WebSockets under /_next/ here (HMR runs only in dev mode).');
    }
    const found = findRoute(deps.routes(), pathname, url.searchParams);
    if (!found) return refuseWithStatus(socket, pathname.slice(0, 200), 404, 'not_found', 'No WebSocket route at this path.');
    const { route, matched } = found;
    const ctx: Ctx = { route: route.name, path: pathname.length > 200 ? pathname.slice(0, 200) : pathname, started: Date.now() };
    // From here on a client that leaves is noticed at once, whatever step we are waiting in.
    const watch = watchClient(socket);
    if (draining) return refuse(req, socket, ctx, CLOSE.TRY_AGAIN_LATER, 'server is shutting down');
    if (matched.problem !== undefined) return refuse(req, socket, ctx, CLOSE.BAD_REQUEST, matched.problem);
    const u: Upgrade = { req, socket, head, url, route, params: matched.params, ctx, watch, user: null, token: null, resource: undefined };

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
    if (route.access !== 'user') return authorise(u);
    const presented = upgradeToken(url.searchParams, req.headers);
    if (!presented) return refuse(req, socket, ctx, CLOSE.UNAUTHORIZED, 'no token');
    if (presented.source === 'cookie' && !origin.browser) return refuse(req, socket, ctx, CLOSE.UNAUTHORIZED, 'cookie without origin');
    if (presented.source === 'ticket') {
      const redeemed = deps.tickets.redeem(presented.token, { route: route.name, resource: route.ticketResource(u.params) });
      if (redeemed instanceof Promise) return later(u, redeemed, credentialChecked, credentialCrashed);
      return credentialChecked(u, redeemed);
    }
    u.token = presented.token;
    const verified = deps.tokens.verifyNow(presented.token);
    if (verified instanceof Promise) return later(u, verified, credentialChecked, credentialCrashed);
    credentialChecked(u, verified);
  }

  function credentialChecked(u: Upgrade, checked: Redeemed | Verified): void {
    if (!checked.ok) {
      const reason = u.token === null ? (checked.reason as string) : `token ${checked.reason}`;
      return refuse(u.req, u.socket, u.ctx, CLOSE.UNAUTHORIZED, reason);
    }
    u.user = u.ctx.user = checked.claims;
    authorise(u);
  }

  // The session check behind a credential could not be made (Postgres is down): 1013, as before routing.
  function credentialCrashed(u: Upgrade, err: unknown): void {
    if (isStoreUnavailable(err)) return rejectWithClose(u.req, u.socket, CLOSE.TRY_AGAIN_LATER, STORE_UNAVAILABLE_REASON);
    crashed(u, err);
  }

  // Step 4: authorise against the store.
  function authorise(u: Upgrade): void {
    let decision: ReturnType<AnyRoute['authorise']>;
    try {
      decision = u.route.authorise(u.params, u.user, deps.routeDeps);
    } catch (err) {
      return authorised(u, authoriseFailed(u, err));
    }
    if (decision instanceof Promise) return later(u, decision, authorised, (v, err) => authorised(v, authoriseFailed(v, err)));
    authorised(u, decision);
  }

  function authoriseFailed(u: Upgrade, err: unknown): Refusal {
    if (isStoreUnavailable(err)) return { ok: false, code: CLOSE.TRY_AGAIN_LATER, reason: STORE_UNAVAILABLE_REASON };
    logger.error({ err, route: u.ctx.route }, 'authorisation failed');
    return { ok: false, code: CLOSE.INTERNAL_ERROR, reason: 'internal error' };
  }

  // Step 5: limits.
  function authorised(u: Upgrade, decision: Authorised<unknown>): void {
    if (!decision.ok) return refuse(u.req, u.socket, u.ctx, decision.code, decision.reason);
    u.ctx.resource = decision.describe;
    u.ctx.onOpen = decision.onOpen;
    u.resource = decision.resource;
    if (u.watch.aborted) return clientLeft(u.socket, u.ctx);
    const taken = slots.take(u.route, u.user ? u.user.userId : ADDRESS + deps.clientAddress(u.req));
    if (taken instanceof Promise) return later(u, taken, slotTaken, crashed);
    slotTaken(u, taken);
  }

  function slotTaken(u: Upgrade, slot: SocketSlot | Refusal): void {
    if ('ok' in slot) return refuse(u.req, u.socket, u.ctx, slot.code, slot.reason);
    // The slot is held exactly as long as the client's TCP connection, however the socket ends.
    u.socket.on('close', slot.release);
    if (u.watch.aborted) return clientLeft(u.socket, u.ctx, slot.release);
    u.release = slot.release;
    // Step 6: resolve the target and connect.
    const { url, user, token, req } = u;
    let target: ReturnType<AnyRoute['resolve']>;
    try {
      target = u.route.resolve(u.params, u.resource, { query: url.searchParams, pathname: url.pathname, user, token, req }, deps.routeDeps);
    } catch (err) {
      return resolved(u, resolveFailed(u, err));
    }
    if (target instanceof Promise) return later(u, target, resolved, (v, err) => resolved(v, resolveFailed(v, err)));
    resolved(u, target);
  }

  function resolveFailed(u: Upgrade, err: unknown): Refusal {
    logger.error({ err, route: u.ctx.route }, 'resolving the upstream failed');
    return { ok: false, code: CLOSE.INTERNAL_ERROR, reason: 'internal error' };
  }

  function resolved(u: Upgrade, target: Target | Refusal): void {
    const { req, socket, ctx, watch } = u;
    const release = u.release!;
    if (watch.aborted) return clientLeft(socket, ctx, release);
    if ('ok' in target) {
      release();
      return refuse(req, socket, ctx, target.code, target.reason);
    }
    ctx.upstream = describeTarget(target);
    const failed = (err: unknown) => {
      release();
      if (watch.aborted) return clientLeft(socket, ctx);
      logger.error({ err, route: ctx.route }, 'upgrade failed');
      refuse(req, socket, ctx, CLOSE.INTERNAL_ERROR, 'internal error');
    };
    try {
      if (target.transport === 'proxy') return proxy(req, socket as Socket, u.head, ctx, target, release, watch);
      connect(req, socket as Socket, u.head, ctx, target, release, watch).catch(failed);
    } catch (err) {
      failed(err);
    }
  }

  /** The rest of an upgrade once `answer` settles (only where a step had to wait). */
  function later<T>(u: Upgrade, answer: Promise<T>, next: (u: Upgrade, v: T) => void, failed: (u: Upgrade, err: unknown) => void): void {
    answer.then(
      (v) => next(u, v),
      (err: unknown) => failed(u, err),
    ).catch((err: unknown) => crashed(u, err));
  }

  function crashed(u: Upgrade, err: unknown): void {
    logger.error({ err }, 'upgrade handler crashed');
    u.release?.();
    u.socket.destroy();
  }

  return {
    handle(req: IncomingMessage, socket: Duplex, head: Buffer) {
      try {
        handle(req, socket, head);
      } catch (err) {
        if (isStoreUnavailable(err)) return rejectWithClose(req, socket, CLOSE.TRY_AGAIN_LATER, STORE_UNAVAILABLE_REASON); // the token step's session check
        logger.error({ err }, 'upgrade handler crashed');
        socket.destroy();
      }
    },
    /** From now on every new upgrade is refused with 1013; open sockets are left to the caller. */
    drain() {
      draining = true;
    },
  };
}
