import type { Logger } from '../observability/logger';

/** SIGTERM must end the process within this; the orchestrator's kill follows soon after (design: 10 s). */
export const SHUTDOWN_LIMIT_MS = 10_000;

// How long the last log lines may take to drain before the process exits without them.
const LOG_FLUSH_MS = 1000;

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
      return exitAfterFlush(logger, 130, 0);
    }
    stopping = true;
    logger.info({ event: 'shutdown', signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error({ event: 'shutdown_timeout', limitMs }, 'shutdown took too long; exiting');
      exitAfterFlush(logger, 1, 200);
    }, limitMs - LOG_FLUSH_MS - 300);
    force.unref();
    close().then(
      () => exitAfterFlush(logger, 0, LOG_FLUSH_MS),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        exitAfterFlush(logger, 1, LOG_FLUSH_MS);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/**
 * Exits once the log has drained, or after `waitMs` regardless. pino also flushes synchronously in an
 * 'exit' hook, and when stdout is a pipe nobody reads any more (a supervisor that died) that flush waits
 * forever; past our own flush attempt those hooks are dropped, so the exit always happens.
 */
function exitAfterFlush(logger: Logger, code: number, waitMs: number): void {
  const exit = () => {
    process.removeAllListeners('exit');
    process.exit(code);
  };
  setTimeout(exit, waitMs).unref();
  try {
    logger.flush(() => exit());
  } catch {
    exit();
  }
}
