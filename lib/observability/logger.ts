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
 * past LOG_BUFFER_MAX_BYTES waiting, lines are dropped rather than queued. (Gathering lines into larger
 * writes was measured with bench/upgrades.ts and bought nothing, so each line is written as it comes.)
 */
export function logDestination(dest: number | string): DestinationStream {
  return pino.destination({ dest, sync: false, maxLength: LOG_BUFFER_MAX_BYTES });
}

const LOG_BUFFER_MAX_BYTES = 16 * 1024 * 1024;
