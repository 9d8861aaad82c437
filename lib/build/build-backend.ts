import type { Config } from '../config/config';
import type { BackendTokens } from '../auth/backend-tokens';
import type { Logger } from '../observability/logger';
import type { Db } from '../store/db';
import { createBuilds } from '../store/builds';
import { createProjects } from '../store/projects';
import { createBackendServer } from './backend-server';
import { createBuildRunner, type BuildRunner } from './build-runner';
import { startQueuedBuilds } from './build-queue-mode';
import { providerSettingsFrom } from './build-worker';
import { createSqliteEventLog } from './event-log';
import { chooseProvider, describeProvider } from './providers/choose';
import { createStorageMeter } from '../quotas/storage-meter';
import { sweepStaleTemp } from './workspace';
import type { BuildStatus } from '../protocol/build';

// The build backend assembled: store tables, event log, runner and its HTTP/WebSocket server. server.ts
// embeds it on a loopback port; backend.ts runs it alone.

export type BuildBackendOptions = {
  config: Config;
  db: Db;
  backendTokens: BackendTokens;
  logger: Logger;
  onBuildChange?(projectId: string, buildId: string, status: BuildStatus): void;
  /** With REDIS_URL: also run a build worker in this process (`npm start`; not `npm run gateway`). */
  inProcessWorker?: boolean;
};

export async function startBuildBackend(opts: BuildBackendOptions, listen: { port: number; host: string }) {
  const { config } = opts;
  const builds = createBuilds(opts.db);
  const projects = createProjects(opts.db);
  // REDIS_URL: builds go to the queue and their events are followed on Redis Streams (build-queue-mode.ts).
  const redisUrl = config.redisUrl;
  const queued = redisUrl
    ? await startQueuedBuilds({ config: { ...config, redisUrl }, db: opts.db, logger: opts.logger, onBuildChange: opts.onBuildChange, inProcessWorker: opts.inProcessWorker ?? true })
    : null;
  const log = queued?.log ?? createSqliteEventLog(opts.db);
  const providerSettings = providerSettingsFrom(config);
  const runner: BuildRunner = queued?.runner ?? createBuildRunner({
    builds,
    log,
    dataDir: config.dataDir,
    buildOutputsKept: config.buildOutputsKept,
    chooseProvider: () => chooseProvider(providerSettings),
    logger: opts.logger,
    onChange: opts.onBuildChange,
    quota: {
      maxBuildsPerHour: config.maxBuildsPerHour,
      // The backend keeps its own figure (it may run in another process); it starts from the disk.
      storage: createStorageMeter({ dataDir: config.dataDir, projects, builds, limitBytes: config.maxStorageBytesPerUser }),
      projects,
    },
  });
  const swept = await sweepStaleTemp(config.dataDir);
  if (swept) opts.logger.warn({ event: 'temp_files_swept', count: swept }, 'removed half-written files a previous run left in DATA_DIR/tmp');
  const recovered = await runner.recoverInterrupted();
  if (recovered) opts.logger.warn({ event: 'builds_recovered', count: recovered }, 'marked builds interrupted by a previous stop as failed');
  const server = createBackendServer({
    backendTokens: opts.backendTokens,
    projects,
    builds,
    log,
    runner,
    logger: opts.logger,
    heartbeatMs: config.heartbeatMs,
    providerName: () => (config.llmProvider === 'auto' ? 'auto' : config.llmProvider),
    providerInfo: () => describeProvider(providerSettings),
  });
  const port = await server.listen(listen.port, listen.host).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EADDRINUSE') throw err;
    throw new Error(`the build backend's port ${listen.host}:${listen.port} is in use: set BUILD_BACKEND_PORT to a free port (0 picks one), or BUILD_BACKEND_URL to a backend that already runs.`);
  });
  opts.logger.info({ event: 'build_backend_listening', port }, 'build backend listening');
  return {
    port,
    url: `ws://${listen.host}:${port}`,
    builds,
    runner,
    async close() {
      await runner.stopAll();
      await server.close();
      await queued?.close();
    },
  };
}

export type BuildBackend = Awaited<ReturnType<typeof startBuildBackend>>;
