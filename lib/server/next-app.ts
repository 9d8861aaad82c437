import type http from 'node:http';
import type { Config } from '../config/config';

export type NextMode = { dev: boolean; dir?: string };

export type NextApp = {
  handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;
  close(): Promise<void>;
};

/**
 * Prepares Next with `httpServer` set to a server that never listens: Next attaches its upgrade listener
 * there on the first request, so it cannot end sockets on the real server whose path happens to match a
 * page or route handler.
 */
export async function startNext(mode: NextMode, nextBus: http.Server, config: Config): Promise<NextApp> {
  // Loaded lazily: API-only servers (most tests) never pay for Next's start-up.
  const { default: next } = await import('next');
  const app = next({
    dev: mode.dev,
    dir: mode.dir ?? process.cwd(),
    hostname: 'localhost',
    port: config.port || 3000,
    httpServer: nextBus,
  });
  await app.prepare();
  const handle = app.getRequestHandler();
  return {
    handle: (req, res) => handle(req, res),
    close: () => app.close(),
  };
}
