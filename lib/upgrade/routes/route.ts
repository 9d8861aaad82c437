import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { TokenClaims } from '../../auth/tokens';
import type { BackendTokens } from '../../auth/backend-tokens';
import type { EventHub } from '../../hub/event-hub';
import type { Projects } from '../../store/projects';
import type { Sessions } from '../../store/sessions';
import type { ShareRights } from '../../protocol/api';
import type { SessionSharing } from '../../sessions/session-shares';

// A socket route is one record (design.md "Routes are data"). The router walks the records in order and
// runs every step of "An upgrade, step by step" around them: the record only says what is route-specific —
// which paths are its own, what the path means, who may open it, and where it goes. Built-in routes are
// module constants (so their names are a type); operator-declared routes are made from ROUTES_FILE.

/** How the client's socket is joined to its target. */
export type Transport = 'proxy' | 'bridge' | 'in-process';

export type Refusal = { ok: false; code: number; reason: string };

/**
 * What a record's `match` says about a path: not mine (null), mine with a malformed id or query
 * (`problem`, closed with 4400 after the route is known), or mine with its parsed params.
 */
export type Matched<P> = { params: P; problem?: undefined } | { problem: string; params?: undefined } | null;

/**
 * The resource a socket is for, once authorised; `describe` goes into the socket's log line. `onOpen` is
 * called with the socket's close once it is open, and what it returns once it ended (a share link's
 * viewers are counted, and closed when the link is revoked).
 */
export type Authorised<R> = { ok: true; resource: R; describe: string; onOpen?: (close: (code: number, reason: string) => Promise<void>) => () => void } | Refusal;

/** Where the socket goes. Each transport is handled by the router; a new one is a compile error there. */
export type Target =
  | {
      transport: 'proxy';
      /** The upstream socket's URL (ws:, wss:, http: or https:), path and query included. */
      url: URL;
      /** Headers the upstream gets on top of the client's (minus every credential of the user's). */
      headers?: Readonly<Record<string, string>>;
      /** A credential minted for this upstream (the build backend's); nothing of the user's. */
      bearer?: string;
      /** The address VNC_TARGET_ALLOW vetted: the connect goes there, the name is not resolved again. */
      pinned?: { address: string; family: 4 | 6 };
      /** Overrides UPSTREAM_CONNECT_TIMEOUT_MS for this route. */
      connectTimeoutMs?: number;
      /** Close the pair after this long without a byte either way (declared routes). */
      idleTimeoutMs?: number;
    }
  | {
      transport: 'bridge';
      to: { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };
      /** A share link's viewer: the bridge reads its RFB and drops a view-only viewer's input. */
      rights?: ShareRights;
    }
  | { transport: 'in-process'; accept: InProcessAccept };

/** Where a socket went, for its log line: never a credential, only the place. */
export function describeTarget(t: Target): string {
  switch (t.transport) {
    case 'in-process':
      return 'in-process';
    case 'bridge':
      return t.to.kind === 'tcp' ? `tcp://${t.to.host}:${t.to.port}` : 'local VM socket';
    case 'proxy':
      return t.url.origin + t.url.pathname;
  }
}

/** An in-process endpoint (the hub): answers the handshake itself; null when the client left meanwhile. */
export type InProcessAccept = (
  req: IncomingMessage,
  socket: Socket,
  head: Buffer,
  user: TokenClaims,
) => Promise<{ close(code: number, reason: string): Promise<void>; done: Promise<void> } | null>;

/** What a record may use to authorise and resolve; one bag, wired once in server.ts. */
export type RouteDeps = {
  projects: Projects;
  sessions: Sessions;
  hub: EventHub;
  /** The build backend's base URL (ws:). */
  buildBackend: URL;
  backendTokens: BackendTokens;
  /** External VNC targets are vetted against it again at every connect. */
  vncTargetAllow: readonly string[];
  /** VMHOST_URL: a local session's viewer is proxied to the vmhost, with a token for that session alone. */
  vmhost?: { viewer(sessionId: string, user: TokenClaims, rights?: ShareRights): Promise<{ url: URL; bearer: string }> } | null;
  /** Share links: who else may open a session's viewer, with which rights (absent: owners only). */
  sharing?: Pick<SessionSharing, 'accessTo' | 'opened'> | null;
};

export type ResolveContext = {
  /** The client's query (the router strips token and ticket from what goes upstream). */
  query: URLSearchParams;
  pathname: string;
  /** Null only on a `public` route. */
  user: TokenClaims | null;
  /** The credential the client presented (for a declared route's `Bearer` identity header); null on public. */
  token: string | null;
  req: IncomingMessage;
};

export interface RouteRecord<N extends string = string, P = unknown, R = unknown> {
  readonly name: N;
  /** The path shape, for the status page, the docs and logs (e.g. `/api/build/:projectId`). */
  readonly pattern: string;
  /** What the status page calls it ("Build streams"). */
  readonly label: string;
  readonly transport: Transport;
  /** Built-in routes are all `user` (ownership is checked in `authorise`); declared ones may be `public`. */
  readonly access: 'public' | 'user';
  /** Where the record came from: shown on the status page. */
  readonly origin: 'builtin' | 'declared';
  /** A cap on this route's open sockets, beside the per-user and global ones (declared routes). */
  readonly maxSockets?: number;
  match(pathname: string, query: URLSearchParams): Matched<P>;
  /** What a socket ticket for this socket names (the project, the session, `hub`). */
  ticketResource(params: P): string;
  // Both may answer without a promise when the answer is at hand (SQLite, a memo): the router then runs
  // the whole upgrade in one tick. A promise is awaited as before.
  authorise(params: P, user: TokenClaims | null, deps: RouteDeps): Authorised<R> | Promise<Authorised<R>>;
  resolve(params: P, resource: R, ctx: ResolveContext, deps: RouteDeps): Target | Refusal | Promise<Target | Refusal>;
}

// The router holds records of every shape; the record's own types only matter inside the record.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteRecord<string, any, any>;

/** Declares a route with its name kept as a literal type (so the built-in names are a union). */
export function defineRoute<const N extends string, P, R>(record: RouteRecord<N, P, R>): RouteRecord<N, P, R> {
  return Object.freeze(record);
}
