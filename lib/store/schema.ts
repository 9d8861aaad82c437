import type { Selectable } from 'kysely';
import type { Role, SessionKind, SessionStatus, ShareRights } from '../protocol/api';

// Row types of the store. Times are epoch milliseconds; ids are short random url-safe strings.

export type { Role, SessionKind, SessionStatus, ShareRights } from '../protocol/api';

export interface UsersTable {
  id: string;
  username: string;
  password_hash: string;
  role: Role;
  created_at: number;
  /** Set while an admin has disabled the account: no sign-in, every session revoked. */
  disabled_at: number | null;
}

export type AuthSessionEnd = 'logout' | 'password' | 'role' | 'disabled' | 'deleted' | 'signed_out_everywhere';

/** One sign-in: the `jti` of its token. Valid while not revoked and `expires_at` is ahead. */
export interface AuthSessionsTable {
  id: string;
  user_id: string;
  created_at: number;
  last_seen_at: number;
  /** Slides forward with activity (idle expiry), never past created_at + the absolute cap. */
  expires_at: number;
  revoked_at: number | null;
  reason: AuthSessionEnd | null;
  ip: string | null;
  user_agent: string | null;
}

export interface ProjectsTable {
  id: string;
  name: string;
  owner_id: string;
  created_at: number;
}


export interface SessionsTable {
  id: string;
  owner_id: string;
  name: string;
  /** tcp://host:port (bridged) or ws://host:port/path (proxied); never taken from a socket request. */
  target: string;
  kind: SessionKind;
  status: SessionStatus;
  created_at: number;
  /** When the current (or last) desktop of a local session started; null for external targets. */
  desktop_started_at: number | null;
  /** When the last desktop ended: before desktop_started_at, the previous one; after it, this one. */
  desktop_ended_at: number | null;
}


export type BuildStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface BuildsTable {
  id: string;
  project_id: string;
  user_id: string;
  prompt: string;
  status: BuildStatus;
  provider: string | null;
  summary: string | null;
  /** JSON array of {path, bytes}: what the build wrote. */
  files: string;
  last_seq: number;
  created_at: number;
  finished_at: number | null;
  duration_ms: number | null;
}

export interface BuildEventsTable {
  build_id: string;
  seq: number;
  /** The event exactly as sent, JSON. */
  event: string;
}

/** A share link of a VM session: valid while not revoked and `expires_at` is ahead. */
export interface SessionSharesTable {
  id: string;
  session_id: string;
  /** The session's owner (or an admin) who made the link. */
  created_by: string;
  /** SHA-256 (hex) of the link's token; the token itself is shown once, when the link is made. */
  token_hash: string;
  rights: ShareRights;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

/** A signed-in user who opened a share link and accepted it. */
export interface SessionShareGrantsTable {
  share_id: string;
  user_id: string;
  accepted_at: number;
}

/** A user's preferences of one kind (`name`), as JSON; read through lib/store/preferences.ts. */
export interface UserPreferencesTable {
  user_id: string;
  name: string;
  value: string;
  updated_at: number;
}

export interface Database {
  users: UsersTable;
  projects: ProjectsTable;
  sessions: SessionsTable;
  builds: BuildsTable;
  build_events: BuildEventsTable;
  auth_sessions: AuthSessionsTable;
  user_preferences: UserPreferencesTable;
  session_shares: SessionSharesTable;
  session_share_grants: SessionShareGrantsTable;
}

export type User = Selectable<UsersTable>;
export type Project = Selectable<ProjectsTable>;
export type Session = Selectable<SessionsTable>;
export type Build = Selectable<BuildsTable>;
export type AuthSession = Selectable<AuthSessionsTable>;
export type SessionShare = Selectable<SessionSharesTable>;
