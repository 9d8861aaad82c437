import crypto from 'node:crypto';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import pg from 'pg';
import { looksLikeLostDatabase, StoreUnavailableError } from './store-errors';

// The store on Postgres (DATABASE_URL): one bounded pool per process, shared by Kysely and the prepared
// per-upgrade lookups.

/** Connections per process: a gateway's queries are short, so a few carry it; N gateways × this must fit max_connections. */
const POOL_MAX = 10;
/** A connect that takes longer is an outage: fail the request (503 / 1013) rather than queue it. */
const CONNECT_TIMEOUT_MS = 5_000;
/** No store query of ours runs this long; one that does holds a pooled connection from everyone else. */
const STATEMENT_TIMEOUT_MS = 15_000;
/**
 * The client's own bound, for a server that stopped answering without closing (paused, a dead host behind
 * a live route): statement_timeout cannot fire there. The request gets 503 and the connection is dropped.
 */
const QUERY_TIMEOUT_MS = 20_000;

const INT8_OID = 20;

// Times are epoch milliseconds in bigint columns (they overflow int4). pg hands int8 back as a string so
// that no value loses precision; ours stay far below 2^53 (counts, seqs, ms until the year 287396), so
// they come back as numbers like on SQLite.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

export function createPostgresPool(url: string, onError: (err: Error) => void): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: POOL_MAX,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
    keepAlive: true,
    types,
  });
  // An idle pooled client whose server went away (restart, failover) emits 'error' on the pool; without a
  // listener that is an uncaught exception. The pool drops that client and connects anew on demand.
  pool.on('error', onError);
  return pool;
}

/**
 * One row by a prepared statement: `name` makes pg parse the statement once per connection and then send
 * only the values — a single round trip per lookup.
 */
export function preparedPostgresFirst<Row>(pool: pg.Pool, text: string): (params: unknown[]) => Promise<Row | undefined> {
  const name = `portico_${crypto.createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
  return async (values) => {
    const result = await pool.query({ name, text, values }).catch(asOutage);
    return result.rows[0] as Row | undefined;
  };
}

/** A lost connection becomes a StoreUnavailableError (503 / 1013); any other error stays what it is. */
function asOutage(err: unknown): never {
  throw looksLikeLostDatabase(err) ? new StoreUnavailableError(err) : err;
}

/** The pool as Kysely sees it, with every connect and query failing as an outage when the database is gone. */
export function kyselyPool(pool: pg.Pool): PostgresPool {
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect().catch(asOutage);
      let lost: Error | undefined;
      return {
        // Kysely streams no query of ours (no cursor), so only the (sql, parameters) form is needed.
        query: ((text: string, params: readonly unknown[]) =>
          client.query(text, [...params]).catch((err: Error) => {
            if (looksLikeLostDatabase(err)) lost = err;
            return asOutage(err);
          })) as unknown as PostgresPoolClient['query'],
        // A connection that was lost goes back with its error, so the pool closes it instead of reusing it.
        release: () => client.release(lost),
      };
    },
    end: () => pool.end(),
  };
}
