import { randomBytes } from 'node:crypto';
import { createPortico } from '../../server';
import { loadConfig } from '../../lib/config/config';
import { announceReady } from './ready';
import { logDestination } from '../../lib/observability/logger';

// Portico's gateway (API + upgrade router, no pages) as its own process, the way tests start it, in
// production mode with a fresh DATA_DIR (made and removed by the orchestrator). BUILD_BACKEND_URL is the
// bench's echo backend; VNC targets on 127.0.0.1 may be registered by the admin. The per-user socket
// limit is raised so one user can hold the idle-socket test's 8,000 sockets; every other setting is the
// default.

async function main() {
  const config = loadConfig({
    NODE_ENV: 'production',
    PORT: '0',
    PREVIEW_PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: process.env.BENCH_DATA_DIR!,
    JWT_SECRET: randomBytes(48).toString('base64'),
    ADMIN_USERNAME: 'admin',
    ADMIN_PASSWORD: process.env.BENCH_ADMIN_PASSWORD!,
    BUILD_BACKEND_URL: process.env.BENCH_TARGET!,
    VNC_PROVIDER: 'external',
    VNC_TARGET_ALLOW: '127.0.0.1',
    MAX_SOCKETS: '20000',
    MAX_SOCKETS_PER_USER: '20000',
    LLM_PROVIDER: 'offline',
    // The line every socket logs when it ends is part of the upgrade path: it is written, to /dev/null,
    // through the destination production writes stdout with.
    LOG_LEVEL: 'info',
    // The scale-out rows (bench/scale-out-rows.ts): gateways that share one Redis and one Postgres, a
    // JWT secret (a token from one is good on the other) and a publishing token, behind HAProxy.
    ...(process.env.BENCH_JWT_SECRET ? { JWT_SECRET: process.env.BENCH_JWT_SECRET } : {}),
    ...(process.env.BENCH_REDIS_URL ? { REDIS_URL: process.env.BENCH_REDIS_URL } : {}),
    ...(process.env.BENCH_DATABASE_URL ? { DATABASE_URL: process.env.BENCH_DATABASE_URL } : {}),
    ...(process.env.BENCH_EMIT_TOKEN ? { EMIT_TOKEN: process.env.BENCH_EMIT_TOKEN } : {}),
    ...(process.env.BENCH_TRUSTED_PROXIES ? { TRUSTED_PROXIES: process.env.BENCH_TRUSTED_PROXIES } : {}),
  });
  // BENCH_PAGES=1: the dashboard's pages too, from this checkout's `next build` (the page-rendering row).
  const portico = await createPortico({
    config,
    next: process.env.BENCH_PAGES === '1' ? { dev: false } : false,
    logDestination: logDestination('/dev/null'),
    // `npm run gateway`'s role when it shares Redis with others (its builds go to BUILD_BACKEND_URL here).
    ...(process.env.BENCH_REDIS_URL ? { role: 'gateway' as const } : {}),
  });
  process.on('SIGTERM', () => void portico.close().then(() => process.exit(0)));
  announceReady(portico.port);
}

main().catch((err) => {
  process.stderr.write(`portico bench server: ${err instanceof Error ? err.stack : err}\n`);
  process.exit(1);
});
