import { ConfigError, loadConfig } from './lib/config/config';
import { createLogger } from './lib/observability/logger';
import { startVmhost } from './lib/server/vmhost';
import { installSignalHandlers, SHUTDOWN_LIMIT_MS } from './lib/server/shutdown';

// `npm run vmhost`: the local VM provider alone, on VMHOST_HOST:VMHOST_PORT (set a fixed port: the default 0
// picks a free one, printed below). Point gateways at it with VMHOST_URL=http://<host>:<port>; all share the
// store (DATA_DIR or its database) and VMHOST_SECRET. It needs no JWT_SECRET and should not be given one.

async function main() {
  let config;
  try {
    config = loadConfig(process.env, { role: 'vmhost' });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`portico vmhost: ${err.message}\n`);
    process.exit(78);
  }
  const logger = createLogger(config.logLevel);
  const vmhost = await startVmhost(config, logger);
  if (vmhost.problem) process.stdout.write(`${vmhost.problem}\n`);
  process.stdout.write(`Portico vmhost ready on ${vmhost.url}\n`);
  installSignalHandlers(
    async () => {
      await vmhost.close();
      logger.flush();
    },
    logger,
    SHUTDOWN_LIMIT_MS,
  );
}

main().catch((err) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`portico vmhost: ${err.message}\n`);
    process.exit(78);
  }
  process.stderr.write(`portico vmhost: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
