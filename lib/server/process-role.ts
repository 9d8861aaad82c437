import { ConfigError, type Config } from '../config/config';

// Which job a server process does (design.md "Scale-out"). `all` is `npm start`: everything in one
// process, builds too (in-process, or with REDIS_URL on the queue and a worker inside). `gateway` is
// `npm run gateway`: pages, API and upgrades; builds are started and watched here but run on `npm run
// worker` processes, so it needs the queue they take them from.

export type PorticoRole = 'all' | 'gateway';

export function roleFromArgs(argv: readonly string[]): PorticoRole {
  return argv.includes('--gateway') ? 'gateway' : 'all';
}

/** Throws the sentence an operator needs when this role cannot run with this configuration. */
export function checkRole(role: PorticoRole, config: Config): void {
  if (role === 'gateway' && !config.redisUrl && !config.buildBackendUrl) {
    throw new ConfigError('npm run gateway runs no builds itself: set REDIS_URL to the Redis its build workers (npm run worker) take builds from.');
  }
}

/** With REDIS_URL, whether this process also runs a build worker. */
export const runsBuildWorker = (role: PorticoRole) => role === 'all';
