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
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
