import type { IncomingMessage } from 'node:http';
import type { Config } from '../config/config';
import type { Tokens } from '../auth/tokens';
import type { SessionGuard } from '../auth/session-guard';
import type { SocketTickets } from '../auth/socket-tickets';
import type { LoginLimits } from '../auth/login-limits';
import type { HashPool } from '../auth/hash-pool';
import type { AuthSessionStore } from '../store/auth-sessions';
import type { BackendTokens } from '../auth/backend-tokens';
import type { Users } from '../store/users';
import type { Projects } from '../store/projects';
import type { Sessions } from '../store/sessions';
import type { Builds } from '../store/builds';
import type { Preferences } from '../store/preferences';
import type { SessionService } from '../sessions/session-service';
import type { SessionSharing } from '../sessions/session-shares';
import type { Bus } from '../hub/bus';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import type { Health } from '../observability/health';
import type { SocketRegistry } from '../upgrade/socket-registry';
import type { AccountQuotas } from '../quotas/account-quotas';
import type { Leases } from '../upgrade/leases';
import type { PreviewTokens } from '../preview/preview-tokens';
import type { AnyRoute, RouteDeps } from '../upgrade/routes/route';

export type ApiDeps = {
  config: Config;
  tokens: Tokens;
  /** Server-side sign-ins: start, check, revoke. */
  guard: SessionGuard;
  authSessions: AuthSessionStore;
  tickets: SocketTickets;
  loginLimits: LoginLimits;
  hashPool: HashPool;
  /** Mints the per-request credential the build backend accepts (never the user's own token). */
  backendTokens: BackendTokens;
  /** Socket slots; an SSE stream holds one like a socket does. */
  leases: Leases;
  users: Users;
  projects: Projects;
  sessions: Sessions;
  builds: Builds;
  /** Each user's own settings (the viewer's scaling, quality, compression). */
  preferences: Preferences;
  sessionService: SessionService;
  /** The build backend's HTTP origin, for the SSE stream. */
  buildBackendHttp: URL;
  bus: Bus;
  logger: Logger;
  metrics: Metrics;
  health: Health;
  registry: SocketRegistry;
  /** Preview links: the capability minted for a build's output or a workspace, and where its origin is. */
  preview: { tokens: PreviewTokens; originFor(req: IncomingMessage): string };
  /** The socket route records (built-in and declared) and what they authorise with: socket tickets use them. */
  socketRoutes: { list(): readonly AnyRoute[]; deps: RouteDeps };
  /** Share links of VM sessions: who else may watch or work in one. */
  sharing: SessionSharing;
  /** Per-user limits; createApi makes them from the stores and config above. */
  quotas: AccountQuotas;
};
