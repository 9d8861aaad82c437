import { ConfigError, loadConfig } from './lib/config/config';
import { resolveJwtSecret } from './lib/auth/jwt-secret';
import { createBackendTokens } from './lib/auth/backend-tokens';
import { openConfiguredStore } from './lib/server/configured-store';
import { createLogger } from './lib/observability/logger';
import { startBuildBackend } from './lib/build/build-backend';
import { installSignalHandlers, SHUTDOWN_LIMIT_MS } from './lib/server/shutdown';

// `npm run backend`: the build backend alone, on BUILD_BACKEND_HOST:BUILD_BACKEND_PORT (set a fixed port:
// the default 0 picks a free one, printed below). Point the gateway at it with
// BUILD_BACKEND_URL=ws://<host>:<port>; both must share DATA_DIR (the store) and JWT_SECRET.

async function main() {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`portico backend: ${err.message}\n`);
    process.exit(78);
  }
  const logger = createLogger(config.logLevel);
  const store = await openConfiguredStore(config, logger);
  const backendTokens = createBackendTokens(resolveJwtSecret(config.jwtSecret, config.dataDir));
  const host = config.buildBackendHost;
  const backend = await startBuildBackend({ config, db: store.db, backendTokens, logger }, { port: config.buildBackendPort, host });
  process.stdout.write(`Portico build backend ready on ws://${host}:${backend.port}\n`);
  installSignalHandlers(
    async () => {
      await backend.close();
      await store.close();
      logger.flush();
    },
    logger,
    SHUTDOWN_LIMIT_MS,
  );
}

main().catch((err) => {
  process.stderr.write(`portico backend: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
