import { ConfigError, loadConfig } from './lib/config/config';
import { resolveJwtSecret } from './lib/auth/jwt-secret';
import { createTokens } from './lib/auth/tokens';
import { createSessionGuard } from './lib/auth/session-guard';
import { createAuthSessionStore } from './lib/store/auth-sessions';
import { openStore } from './lib/store/db';
import { createLogger } from './lib/observability/logger';
import { startBuildBackend } from './lib/build/build-backend';
import { installSignalHandlers, SHUTDOWN_LIMIT_MS } from './lib/server/shutdown';

// `npm run backend`: the build backend alone, on BUILD_BACKEND_PORT. Point the gateway at it with
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
  const store = await openStore(config.dataDir);
  // The same store as the gateway, so a sign-in the gateway revoked is refused here too (within SESSION_CACHE_MS).
  const guard = createSessionGuard({ store: createAuthSessionStore(store.db), idleMs: config.tokenTtlS * 1000, maxMs: config.sessionMaxS * 1000, cacheMs: config.sessionCacheMs });
  const tokens = createTokens(resolveJwtSecret(config.jwtSecret, config.dataDir), config.sessionMaxS, guard);
  const host = process.env.BUILD_BACKEND_HOST ?? '127.0.0.1';
  const backend = await startBuildBackend({ config, db: store.db, tokens, logger }, { port: config.buildBackendPort, host });
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
