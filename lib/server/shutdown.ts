import type { Logger } from '../observability/logger';

/** SIGTERM must end the process within this; the orchestrator's kill follows soon after (design: 10 s). */
export const SHUTDOWN_LIMIT_MS = 10_000;

/**
 * SIGTERM / SIGINT: stop taking upgrades, close open sockets with 1001, close the store, exit 0. If that
 * takes too long the process exits anyway just before the limit, with 1 so the cause is visible; a
 * second signal exits at once.
 */
export function installSignalHandlers(close: () => Promise<void>, logger: Logger, limitMs: number): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ event: 'shutdown_forced', signal }, 'second signal: exiting now');
      process.exit(130);
    }
    stopping = true;
    logger.info({ event: 'shutdown', signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error({ event: 'shutdown_timeout', limitMs }, 'shutdown took too long; exiting');
      logger.flush();
      process.exit(1);
    }, limitMs - 500);
    force.unref();
    close().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        logger.flush();
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
