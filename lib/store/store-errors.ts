// Telling an outage of the store (Postgres restarted, unreachable, failing over) from a bug, so that the
// gateway answers 503 / 1013 with a sentence and the client retries, instead of 500 / 1011. SQLite, a
// file in this process, has no outage of this kind. No import of pg here: the HTTP and upgrade layers
// use this without loading the driver.

/** The close reason of an upgrade refused for it (the HTTP sentence is `store_unavailable` in lib/errors). */
export const STORE_UNAVAILABLE_REASON = 'database unreachable, try again';

/** A store call that failed because the database could not be reached; `cause` is the driver's error. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  constructor(cause: unknown) {
    super(`The database is unreachable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** Whether `err` (or what it wraps) is an outage of the store rather than a bug. */
export function isStoreUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (e.name === 'StoreUnavailableError') return true;
  }
  return false;
}

// What a lost database looks like from the driver: the connection refused, reset or closed under a query,
// the pool's connect timeout or the client's query timeout, or the server saying it is shutting down / starting up (SQLSTATE class 08,
// 57P01–57P03). Only errors from the Postgres pool are looked at (lib/store/postgres.ts), so a reset
// upstream socket elsewhere is never taken for the database.
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const LOST_MESSAGES = [/^Connection terminated/, /timeout exceeded when trying to connect/i, /Client has encountered a connection error/, /Client was closed and is not queryable/, /^Query read timeout/];

export function looksLikeLostDatabase(err: unknown): boolean {
  if (err instanceof AggregateError && err.errors.some(looksLikeLostDatabase)) return true;
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || code.startsWith('08') || /^57P0[123]$/.test(code))) return true;
  return LOST_MESSAGES.some((re) => re.test(err.message));
}
