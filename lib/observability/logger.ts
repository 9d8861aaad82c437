import pino, { type DestinationStream, type Logger } from 'pino';
import { redactText } from './redact';

export type { Logger };

/**
 * JSON lines on stdout (or the given stream). Known secret-bearing fields are redacted by path, and
 * every finished line passes through redactText so a token pasted into a URL or a message is caught too.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'portico' },
      redact: {
        paths: [
          'token',
          '*.token',
          'password',
          '*.password',
          'req.headers.authorization',
          'req.headers.cookie',
          'headers.authorization',
          'headers.cookie',
        ],
        censor: '[REDACTED]',
      },
      hooks: {
        streamWrite: (line: string) => redactText(line),
      },
    },
    destination ?? logDestination(1),
  );
}

/**
 * Where the JSON lines go (stdout in production; the bench writes the same to /dev/null). Asynchronous, so
 * a stalled reader of stdout cannot stop the event loop, and bounded, so it cannot take the memory either:
 * past LOG_BUFFER_MAX_BYTES waiting, lines are dropped rather than queued.
 *
 * Lines are gathered for at most LOG_FLUSH_MS (or LOG_BATCH_CHARS) and written together. Each write of an
 * asynchronous destination is a round trip through libuv's thread pool: with one line per socket that was
 * 53-80 µs of the process's CPU per line (bench/, lines ~1 ms apart, as sockets end), against
 * 20-30 for the same lines gathered. A line is late by at most LOG_FLUSH_MS; on exit what is gathered is
 * written synchronously, so a crash's last lines are not lost (a SIGKILL loses at most LOG_FLUSH_MS of them).
 */
export function logDestination(dest: number | string): DestinationStream & { flush(cb?: () => void): void } {
  const out = pino.destination({ dest, sync: false, maxLength: LOG_BUFFER_MAX_BYTES });
  let batch = '';
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!batch) return;
    const lines = batch;
    batch = '';
    out.write(lines);
  };
  onExit.add(() => {
    flush();
    out.flushSync();
  });
  return {
    write(line: string) {
      batch += line;
      if (batch.length >= LOG_BATCH_CHARS) flush();
      else timer ??= setTimeout(flush, LOG_FLUSH_MS).unref();
    },
    // logger.flush() (shutdown) hands what is gathered to the destination at once.
    flush(cb?: () => void) {
      flush();
      cb?.();
    },
  };
}

// One 'exit' listener for every destination made in this process (tests make many loggers).
const onExit = new Set<() => void>();
process.once('exit', () => {
  for (const fn of onExit) {
    try {
      fn();
    } catch {
      // Not open yet, or a write in flight: nothing more can be done on the way out.
    }
  }
});

const LOG_BUFFER_MAX_BYTES = 16 * 1024 * 1024;
const LOG_BATCH_CHARS = 16 * 1024;
const LOG_FLUSH_MS = 100;
