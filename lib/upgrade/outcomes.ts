import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TokenClaims } from '../auth/tokens';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { rejectWithClose, rejectWithStatus } from './reject';
import type { OpenSocket, SocketRegistry } from './socket-registry';

// How an upgrade ends, whichever step it ends at: refused (a close code, or an HTTP status before any
// route is known), the client gone before it was joined, or open until it closes. Each outcome counts in
// /metrics and writes the socket's one log line (design.md "An upgrade, step by step").

/** What the log line says about a socket; it lives as long as the socket does. */
export type Ctx = {
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

type RouteMetrics = {
  accepted: { inc(): void };
  seconds: { observe(v: number): void };
  bytesIn: { inc(v: number): void };
  bytesOut: { inc(v: number): void };
};

export function createOutcomes(deps: { logger: Logger; metrics: Metrics; registry: SocketRegistry }) {
  const { logger, metrics } = deps;
  // Label sets resolved once per route: prom-client otherwise sorts and hashes the labels on every call,
  // four calls per socket.
  const perRoute = new Map<string, RouteMetrics>();
  const routeMetrics = (route: string): RouteMetrics => {
    let m = perRoute.get(route);
    if (!m) {
      m = {
        accepted: metrics.upgrades.labels({ route, outcome: 'accepted' }),
        seconds: metrics.upgradeSeconds.labels({ route }),
        bytesIn: metrics.bytes.labels({ route, direction: 'in' }),
        bytesOut: metrics.bytes.labels({ route, direction: 'out' }),
      };
      perRoute.set(route, m);
    }
    return m;
  };
  // The socket-end line's fields are this file's own and none is a secret's name, so path redaction (a
  // clone of every line's object) has nothing to find there; the text redaction of every line still runs.
  const endLog = logger.child({}, { redact: { paths: [] } });

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
    endLog.info(
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
    const m = routeMetrics(ctx.route);
    m.accepted.inc();
    m.seconds.observe((Date.now() - ctx.started) / 1000);
    void socket.done.then((end) => {
      deps.registry.remove(entry);
      ended?.();
      release();
      m.bytesIn.inc(end.bytesIn);
      m.bytesOut.inc(end.bytesOut);
      logEnd(ctx, { outcome: 'closed', ...end });
    });
  }

  return { refuse, refuseWithStatus, clientLeft, opened, logEnd };
}
