import http from 'node:http';
import path from 'node:path';
import type { DestinationStream } from 'pino';
import { ConfigError, loadConfig, type Config } from './lib/config/config';
import { resolveJwtSecret } from './lib/auth/jwt-secret';
import { createTokens } from './lib/auth/tokens';
import { createSessionGuard } from './lib/auth/session-guard';
import { createSocketTickets } from './lib/auth/socket-tickets';
import { createLoginLimits } from './lib/auth/login-limits';
import { createHashPool } from './lib/auth/hash-pool';
import { createAuthSessionStore } from './lib/store/auth-sessions';
import { createBackendTokens } from './lib/auth/backend-tokens';
import { ensureAdmin } from './lib/auth/admin-bootstrap';
import { openConfiguredStore } from './lib/server/configured-store';
import { createUsers } from './lib/store/users';
import { createProjects } from './lib/store/projects';
import { createPreferences } from './lib/store/preferences';
import { createSessions } from './lib/store/sessions';
import { createBuilds } from './lib/store/builds';
import { startBuildBackend } from './lib/build/build-backend';
import { startGatewayVms } from './lib/server/local-vms';
import { lockDownDataDir } from './lib/store/data-dir';
import { createSessionService } from './lib/sessions/session-service';
import { createLogger } from './lib/observability/logger';
import { createMetrics } from './lib/observability/metrics';
import { createHealth } from './lib/observability/health';
import { openProcessRegistry, serverRoles } from './lib/cluster/process-registry';
import { createEventHub } from './lib/hub/event-hub';
import { sessionEventsForOwner, topicAuthoriser } from './lib/hub/authorise-topic';
import { publishSystemStats } from './lib/hub/system-stats';
import { watchWorkspaces } from './lib/files/workspace-watcher';
import { openSharedState } from './lib/server/shared-state';
import { createSocketRegistry } from './lib/upgrade/socket-registry';
import { createWsProxy } from './lib/upgrade/ws-proxy';
import { createUpgradeRouter } from './lib/upgrade/router';
import { startSessionSweep } from './lib/upgrade/session-sweep';
import { BUILTIN_ROUTES, findRoute } from './lib/upgrade/routes';
import { createApi } from './lib/http/api';
import { startSessionSharing } from './lib/server/session-sharing';
import { createPreviewTokens } from './lib/preview/preview-tokens';
import { startPreviewServer } from './lib/preview/preview-server';
import { sendError } from './lib/http/json';
import { answerClientError } from './lib/http/client-error';
import { requestUrl } from './lib/http/request-url';
import { clientAddress, trustedProxies } from './lib/http/client-address';
import { setSecurityHeaders } from './lib/http/security-headers';
import { keepIdleConnections } from './lib/http/keep-alive';
import { PREVIEW_ORIGIN_HEADER } from './lib/http/content-security-policy';
import { startNext, type NextMode } from './lib/server/next-app';
import { installSignalHandlers, SHUTDOWN_LIMIT_MS } from './lib/server/shutdown';
import { checkRole, roleFromArgs, runsBuildWorker, type PorticoRole } from './lib/server/process-role';
import { CLOSE } from './lib/errors/close-codes';
import { projectBuildsTopic } from './lib/protocol/topics';
import type { BuildChange } from './lib/protocol/hub';
import { createDeclaredRoutes } from './lib/declared-routes/declared-routes';
import { createRouteTokens } from './lib/declared-routes/route-tokens';
import { readRoutesFile, RoutesFileError } from './lib/declared-routes/spec';

// server.ts wires; lib/ works. Read top to bottom: config → store → backends → Next → HTTP server →
// upgrade router → shutdown.

export type PorticoOptions = {
  config: Config;
  /** Serve pages with Next (`false` for API- and socket-only servers in tests). */
  next: NextMode | false;
  logDestination?: DestinationStream;
  /** `gateway` (`npm run gateway`): builds run on workers only (lib/server/process-role.ts). Default `all`. */
  role?: PorticoRole;
};

export type Portico = Awaited<ReturnType<typeof createPortico>>;

export async function createPortico({ config, next, logDestination, role = 'all' }: PorticoOptions) {
  checkRole(role, config);
  const logger = createLogger(config.logLevel, logDestination);
  // Operator-declared routes (ROUTES_FILE) are read first: a bad file is a configuration error, before
  // anything is opened or started.
  const routesRead = config.routesFile
    ? await readRoutesFile(config.routesFile).catch((err) => {
        throw err instanceof RoutesFileError ? new ConfigError(err.message) : err;
      })
    : null;

  // Store and identity.
  const store = await openConfiguredStore(config, logger);
  const users = createUsers(store.db);
  const projects = createProjects(store.db);
  const sessions = createSessions(store.db);
  // Sign-ins are server-side sessions: the token lives as long as the absolute cap, the session behind it
  // expires after TOKEN_TTL_S idle (design.md "Trust boundaries").
  const jwtSecret = resolveJwtSecret(config.jwtSecret, config.dataDir);
  const authSessions = createAuthSessionStore(store.db);
  const guard = createSessionGuard({ store: authSessions, idleMs: config.tokenTtlS * 1000, maxMs: config.sessionMaxS * 1000, cacheMs: config.sessionCacheMs });
  const tokens = createTokens(jwtSecret, config.sessionMaxS, guard);
  const tickets = createSocketTickets(jwtSecret, guard);
  const backendTokens = createBackendTokens(jwtSecret);
  const loginLimits = createLoginLimits({
    attemptsPerIp: config.loginAttemptsPerIp,
    failuresPerUser: config.loginFailuresPerUser,
    windowS: config.loginWindowS,
    freeFailures: config.loginFreeFailures,
    maxBackoffS: config.loginMaxBackoffS,
  });
  const hashPool = createHashPool(config.passwordHashConcurrency, config.passwordHashQueue);
  await guard.prune();
  const admin = await ensureAdmin(users, config.adminUsername, config.adminPassword);
  lockDownDataDir(config.dataDir);
  // The hub's bus and the socket limits: in this process, or on Redis (REDIS_URL) shared by every gateway.
  const shared = await openSharedState(config, logger);
  const { bus, leases } = shared;

  // Backends the gateway proxies to. The build backend is reached through the proxy even when it runs
  // in this process, exactly as a remote one would be.
  const embedded = config.buildBackendUrl
    ? null
    : await startBuildBackend(
        { config, db: store.db, backendTokens, logger, onBuildChange: (projectId, buildId, status) => bus.publish(projectBuildsTopic(projectId), { buildId, status } satisfies BuildChange), inProcessWorker: runsBuildWorker(role) },
        { port: config.buildBackendPort, host: '127.0.0.1' },
      );
  const buildBackend = new URL(config.buildBackendUrl ?? embedded!.url);
  const buildBackendHttp = new URL(buildBackend.href.replace(/^ws/, 'http'));

  // VM sessions: the local provider's sandboxed desktops (or, with VMHOST_URL, the vmhost's), swept and
  // resumed at start.
  const { localVnc, vmhost, vncMissing, vmSandboxProblem } = await startGatewayVms(config, logger, { exited: (id) => void sessionService.vmExited(id), exitedOnVmhost: (id) => void sessionService.vmExitedElsewhere(id) });
  const sessionService = createSessionService({ sessions, users, bus, logger, provider: config.vncProvider, localVnc, vmhost, vncTargetAllow: config.vncTargetAllow });
  await sessionService.resume();

  // Sockets: who holds what, the hub, the proxy.
  const metrics = createMetrics();
  const registry = createSocketRegistry((route, open) => metrics.openSockets.set({ route }, open));
  const hub = createEventHub({ bus, authoriseTopic: topicAuthoriser(projects), heartbeatMs: config.heartbeatMs, canSee: sessionEventsForOwner });
  const wsProxy = createWsProxy(config.upstreamConnectTimeoutMs);
  // Behind nginx every client has nginx's address; the one it names is believed from TRUSTED_PROXIES only.
  const proxies = trustedProxies(config.trustedProxies);
  const addressOf = (req: http.IncomingMessage) => clientAddress(req, proxies);
  // The operator's routes (ROUTES_FILE): records for the upgrade router, HTTP before the API, status for
  // the health details; reloaded on a change of the file and on SIGHUP (main).
  const declared = createDeclaredRoutes({
    file: config.routesFile,
    initial: routesRead,
    logger,
    tokens,
    projects,
    allowedOrigins: config.allowedOrigins,
    routeTokens: createRouteTokens(jwtSecret),
    connectTimeoutMs: config.upstreamConnectTimeoutMs,
    clientAddress: addressOf,
    openSockets: (name) => registry.byRoute()[name] ?? 0,
  });
  const sharing = startSessionSharing({ db: store.db, users, sessions, bus, logger, redis: shared.redis });
  const socketRoutes = { list: declared.routesAfter(BUILTIN_ROUTES), deps: { projects, sessions, hub, buildBackend, backendTokens, vncTargetAllow: config.vncTargetAllow, vmhost, sharing } };
  const sessionSweep = startSessionSweep({ registry, guard, logger });

  // Next gets a server of its own that never listens, so it can only ever see the `/_next/` upgrades
  // the router hands it (design.md "One process, one front door").
  const nextBus = new http.Server();
  const nextApp = next ? await startNext(next, nextBus, config) : null;

  // Live feeds for the hub: files changing on disk, and system stats while someone watches.
  const watcher = watchWorkspaces(path.join(config.dataDir, 'workspaces'), bus);
  const systemStats = publishSystemStats(bus, () => ({ sockets: registry.byRoute(), activeBuilds: embedded?.runner.active ?? null }));

  let draining = false;
  let publicUrl: string | null = null;
  // Embedded, this one process does every job; with REDIS_URL each process beats into Redis instead.
  const myRoles = serverRoles({ runsBuilds: !config.redisUrl || runsBuildWorker(role), runsVms: Boolean(localVnc) });
  const processes = openProcessRegistry(
    shared.redis,
    { roles: myRoles, url: () => publicUrl, state: () => (draining ? 'draining' : 'ok'), load: (): Record<string, number> => (myRoles.includes('worker') ? { sockets: registry.size, builds: embedded?.runner.active ?? 0 } : { sockets: registry.size }) },
    (err) => logger.warn({ event: 'heartbeat_failed', err: err.message }, 'could not write this process\'s heartbeat to Redis'),
  );
  const health = createHealth({ registry, routes: socketRoutes.list, buildBackendHttp, isDraining: () => draining, declaredRoutes: declared.status, processes: processes.list });
  const builds = createBuilds(store.db);
  // The preview origin: built apps run from a port of their own, never the dashboard's (issue 11).
  const previewTokens = createPreviewTokens(jwtSecret);
  const preview = await startPreviewServer({ config, tokens: previewTokens, projects, builds, logger });
  const api = createApi({ config, tokens, guard, authSessions, tickets, loginLimits, hashPool, backendTokens, leases, users, projects, sessions, sessionService, builds, preferences: createPreferences(store.db), buildBackendHttp, bus, logger, metrics, health, registry, socketRoutes, sharing, preview: { tokens: previewTokens, originFor: preview.originFor } });

  const server = http.createServer((req, res) => {
    setSecurityHeaders(req, res);
    if (declared.handleHttp(req, res)) return;
    if (api(req, res)) return;
    // proxy.ts puts the preview origin in the pages' frame-src; set here, so a client cannot choose it.
    req.headers[PREVIEW_ORIGIN_HEADER] = preview.originFor(req);
    if (nextApp) return void nextApp.handle(req, res);
    // Without pages, a plain GET on a socket route still says what it is (with pages, a route handler does).
    const pathname = requestUrl(req.url)?.pathname ?? '';
    if (findRoute(BUILTIN_ROUTES, pathname, new URLSearchParams())) return sendError(res, 'upgrade_required');
    sendError(res, 'not_found', 'No page here: this server runs without the dashboard pages.');
  });
  server.on('clientError', answerClientError);
  keepIdleConnections(server);

  const router = createUpgradeRouter({
    routes: socketRoutes.list,
    routeDeps: socketRoutes.deps,
    allowedOrigins: config.allowedOrigins,
    clientAddress: addressOf,
    upstreamConnectTimeoutMs: config.upstreamConnectTimeoutMs,
    tokens,
    tickets,
    leases,
    registry,
    wsProxy,
    metrics,
    logger,
    nextUpgrade(req, socket, head) {
      // Only dev mode has an upgrade to serve there (HMR); production Next would hold the socket open and
      // never answer. Next attaches to nextBus on its first HTTP request; before that nobody would answer.
      if (!next || !next.dev || nextBus.listenerCount('upgrade') === 0) return false;
      nextBus.emit('upgrade', req, socket, head);
      return true;
    },
  });
  server.on('upgrade', router.handle);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as { port: number };
  const url = `http://${config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host}:${address.port}`;
  publicUrl = url;
  logger.info({ event: 'listening', url, mode: next ? next.dev ? 'dev' : 'production' : 'api-only', buildBackend: buildBackend.origin }, 'Portico is listening');

  /** Stops taking upgrades (new ones get 1013); open sockets stay until close(). */
  function drain(): void {
    draining = true;
    router.drain();
  }

  let closing: Promise<void> | null = null;
  async function close(): Promise<void> {
    closing ??= (async () => {
      drain();
      sessionSweep.close();
      sharing.close();
      server.close();
      await registry.closeAll(CLOSE.GOING_AWAY, 'server going away');
      server.closeAllConnections();
      wsProxy.close();
      declared.close();
      await embedded?.close();
      await preview.close();
      await sessionService.stopAll();
      watcher.close();
      systemStats.close();
      await nextApp?.close();
      await processes.close();
      await shared.close();
      await store.close();
      logger.info({ event: 'stopped' }, 'Portico stopped');
      logger.flush();
    })();
    return closing;
  }

  return { url, port: address.port, server, config, logger, store, users, projects, sessions, tokens, bus, hub, registry, metrics, admin, backendTokens, leases, declared, buildBackend: embedded, preview, localVnc, vmhost, vncMissing, vmSandboxProblem, drain, close };
}

async function main() {
  const dev = process.argv.includes('--dev');
  let config: Config;
  try {
    config = loadConfig({ ...process.env, NODE_ENV: dev ? 'development' : process.env.NODE_ENV });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`portico: ${err.message}\n`);
    process.exit(78);
  }
  const portico = await createPortico({ config, next: { dev }, role: roleFromArgs(process.argv) });
  if (portico.admin.created && portico.admin.generatedPassword) {
    // Printed once, on the first start only; it is not stored anywhere in clear.
    process.stdout.write(
      `\nFirst start: created admin "${portico.admin.username}" with password ${portico.admin.generatedPassword}\n` +
        'Sign in and keep it somewhere safe; it will not be shown again.\n\n',
    );
  }
  if (portico.vncMissing) process.stdout.write(`${portico.vncMissing}. VM sessions are off until then; everything else works.\n`);
  else if (portico.vmSandboxProblem) process.stdout.write(`${portico.vmSandboxProblem}\n`);
  process.stdout.write(`Preview on http://${config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host}:${portico.preview.port}\n`);
  process.stdout.write(`Portico ready on ${portico.url}\n`);
  installSignalHandlers(portico.close, portico.logger, SHUTDOWN_LIMIT_MS);
  // SIGHUP re-reads ROUTES_FILE; a bad file keeps the current table (one log line says why).
  process.on('SIGHUP', () => void portico.declared.reload());
}

if (require.main === module) {
  main().catch((err) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`portico: ${err.message}\n`);
      process.exit(78);
    }
    process.stderr.write(`portico: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
