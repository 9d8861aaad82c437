import type { Config } from '../config/config';
import type { Logger } from '../observability/logger';
import { openStore, type Store } from '../store/db';

/** The store the configuration names: Postgres at DATABASE_URL, else SQLite in DATA_DIR. */
export function openConfiguredStore(config: Config, logger: Logger): Promise<Store> {
  return openStore(config.dataDir, {
    databaseUrl: config.databaseUrl,
    // An idle pooled connection dropped by the server (restart, failover): the pool replaces it on the next
    // query; requests during an outage get 503 / 1013 (lib/store/postgres.ts isStoreUnavailable).
    onConnectionError: (err) => logger.warn({ event: 'store_connection_lost', err: err.message }, 'a pooled database connection failed; a new one is opened on the next query'),
  });
}
