import type { BuildEvent, BuildInfo } from './build';

// The JSON bodies of the HTTP API that the browser reads (lib/http/routes/*), declared once for both
// ends: the server builds them, the UI renders them. Types only.

export type Role = 'admin' | 'user';
export type SessionKind = 'local' | 'external';
export type SessionStatus = 'starting' | 'running' | 'stopped' | 'failed';

export type PublicUser = { id: string; username: string; role: Role };
/** What the users screen lists: the public user plus what an admin manages. */
export type ManagedUser = PublicUser & { disabled: boolean; createdAt: number; activeSessions: number };

export type PublicProject = { id: string; name: string; ownerId: string; createdAt: number };

/**
 * A VM session as the API shows it: its target stays server side. `access` and `ownerName` are set on
 * GET /api/sessions/:id (and on sessions shared with the caller): `owner` for the owner or an admin.
 * A local session's desktop is re-created when the server restarts or the VM is started again:
 * `desktopStartedAt` says when the current (or last) one started, `desktopEndedAt` when the last one ended
 * (before desktopStartedAt: the previous desktop's end; after it: this one has ended too). Null where never
 * recorded (external targets, older rows).
 */
export type PublicSession = {
  id: string;
  name: string;
  kind: SessionKind;
  status: SessionStatus;
  ownerId: string;
  createdAt: number;
  access?: SessionAccess;
  ownerName?: string;
  desktopStartedAt?: number | null;
  desktopEndedAt?: number | null;
};

/** What a share link lets its users do in the desktop. */
export type ShareRights = 'interactive' | 'view-only';
export type SessionAccess = 'owner' | ShareRights;
/** How long a new share link lasts. */
export type ShareExpiry = '1h' | '1d' | '7d';
export type ShareState = 'active' | 'expired' | 'revoked';

/** A share link as its session's owner sees it (never its token, which is shown once). */
export type PublicShare = {
  id: string;
  rights: ShareRights;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
  state: ShareState;
  /** Who opened the link and accepted it. */
  accepted: { userId: string; username: string; acceptedAt: number }[];
};
/** Someone with a viewer socket open on the session right now. */
export type SessionWatcher = { userId: string; username: string; access: SessionAccess; since: number; shareId: string | null };
/** GET /api/sessions/:id/shares. `watchingScope`: `gateway` when only this gateway's sockets are known. */
export type SessionShares = { shares: PublicShare[]; watching: SessionWatcher[]; limit: number; watchingScope: 'all' | 'gateway' };
/** POST /api/sessions/:id/shares: the link, with its token, exactly once. */
export type CreatedShare = { share: PublicShare; path: string };
/** GET /api/shares/:token: what the link gives, for the page that accepts it. */
export type ShareInvite = { sessionId: string; sessionName: string; ownerName: string; rights: ShareRights; expiresAt: number; state: ShareState; accepted: boolean; own: boolean };

/** GET /api/sessions/:id/home[/<folder>]: one entry of a folder of the VM's home. Links are never followed. */
export type VmHomeEntry = { name: string; type: 'file' | 'dir' | 'link' | 'other'; bytes: number; modifiedAt: number };
export type VmHomeListing = { path: string; entries: VmHomeEntry[]; more: boolean };

/** GET /api/vm-provider. */
export type VmProviderInfo = { available: boolean; sandboxed: boolean; canStart: boolean; sentence: string | null };

/** GET /api/usage: where the account stands against each quota. */
export type UsageLine = { used: number; limit: number; text: string };
export type Usage = { projects: UsageLine; sessions: UsageLine; storageBytes: UsageLine; buildsLastHour: UsageLine };

/** An event of the hub's `system` topic (the status page's live numbers). */
export type SystemSample = {
  at: number;
  cpuPercent: number;
  loadAverage: number[];
  memory: { rss: number; heapUsed: number; systemTotal: number; systemFree: number };
  sockets: Record<string, number>;
  activeBuilds: number | null;
  uptimeS: number;
};

/** GET …/builds/:id/events: one page of a build's stored events. */
export type BuildEventsPage = { events: BuildEvent[]; lastSeq: number; more: boolean };

export type FileChangeKind = 'added' | 'removed' | 'changed';
export type FileDiff = {
  path: string;
  change: FileChangeKind;
  /** Unified diff hunks; null when binary or too large. */
  diff: string | null;
  binary: boolean;
  tooLarge: boolean;
  added: number;
  removed: number;
};
export type DirDiff = { files: FileDiff[]; unchanged: number; notCompared: number };
/** GET …/builds/:id/diff: what a build changed against the project's previous successful build. */
export type BuildDiff = DirDiff & { base: BuildInfo | null; baseFilesGone: boolean };

/** GET …/files: one entry of the workspace's tree. */
export type TreeEntry = { path: string; bytes: number; modifiedAt: number };

/** GET …/files?path=: one workspace file for the viewer. */
export type FileView = { path: string; bytes: number; binary: boolean; truncated: boolean; content: string | null };

/** GET /api/admin/health: one socket route (built in or declared) and its open sockets, for the status page. */
export type RouteStatus = { name: string; label: string; pattern: string; origin: 'builtin' | 'declared'; access: 'public' | 'user'; open: number };

/** GET /api/admin/health `declaredRoutes`: one operator-declared route (ROUTES_FILE) and its upstream's health. */
export type DeclaredRouteStatus = {
  name: string;
  path: string;
  upstream: string;
  traffic: 'http' | 'websocket' | 'both';
  auth: string;
  maxSockets: number | null;
  openSockets: number;
  health: { reachable: boolean; ms: number; error?: string } | null;
};

/** The jobs a Portico process does (design.md "Scale-out"); `npm start` does all three in one. */
export type ProcessRole = 'gateway' | 'worker' | 'vmhost';

/** One running Portico process as the status page lists it, from its last heartbeat. */
export type ProcessStatus = {
  id: string;
  roles: ProcessRole[];
  host: string;
  pid: number;
  /** Where it serves (a gateway's or vmhost's URL), when it does. */
  url: string | null;
  startedAt: number;
  /** When its last heartbeat was written. */
  seenAt: number;
  /** ok, or draining (a gateway on its way out), or late (a heartbeat missed: it may be gone). */
  state: 'ok' | 'draining' | 'late';
  /** What it is doing: open sockets, running builds, VMs. */
  load: Record<string, number>;
};
