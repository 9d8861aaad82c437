import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Compilable } from 'kysely';
import type pg from 'pg';
import { migrationProvider, type StoreDialect } from './migrations';
import { createPostgresPool, kyselyPool, preparedPostgresFirst } from './postgres';
import type { Database } from './schema';

export type Db = Kysely<Database>;

export type Store = {
  readonly db: Db;
  readonly dialect: StoreDialect;
  /** The SQLite file; null on Postgres. */
  readonly file: string | null;
  close(): Promise<void>;
};

export type StoreOptions = {
  /** postgres://… (DATABASE_URL): the store lives there; unset, SQLite in dataDir. */
  databaseUrl?: string;
  /** A pooled Postgres connection failed while idle (the server restarted): told, never thrown. */
  onConnectionError?: (err: Error) => void;
};

/**
 * Opens the store and brings its schema up to date: SQLite in dataDir (created if needed), or Postgres
 * at `databaseUrl`. Two processes starting at once against one empty Postgres database do not both
 * migrate: Kysely's Migrator holds an advisory lock while it runs (lib/store/postgres.test.ts).
 */
export async function openStore(dataDir: string, opts: StoreOptions = {}): Promise<Store> {
  if (opts.databaseUrl) {
    const pool = createPostgresPool(opts.databaseUrl, opts.onConnectionError ?? (() => undefined));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: kyselyPool(pool) }) });
    connections.set(db, { pool });
    return migrated(db, 'postgres', null, redactedUrl(opts.databaseUrl));
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'portico.db');
  const sqlite = new SQLite(file);
  // WAL lets the HTTP API read while a build writes events; busy_timeout rides out a second process
  // (a standalone build backend) holding the write lock for a moment.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  connections.set(db, { sqlite });
  return migrated(db, 'sqlite', file, file);
}

async function migrated(db: Db, dialect: StoreDialect, file: string | null, where: string): Promise<Store> {
  const { error, results } = await new Migrator({ db, provider: migrationProvider(dialect) }).migrateToLatest();
  if (error) {
    await db.destroy();
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    const what = failed ? `Store migration ${failed} failed in ${where}` : `The store at ${where} could not be opened`;
    throw new Error(`${what}: ${String(error)}`, { cause: error });
  }
  let closed = false;
  return {
    db,
    dialect,
    file,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}

/** The URL without its password, for messages. */
function redactedUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.href;
}

const connections = new WeakMap<Db, { sqlite: SQLite.Database } | { pool: pg.Pool }>();

/**
 * A one-row lookup written with Kysely, compiled and prepared once. For the checks on every upgrade: there
 * Kysely's per-query work (building and compiling the query, its connection mutex, better-sqlite3
 * preparing the statement again) cost several times the lookup itself (measured with bench/). `query` is
 * built with placeholder values; each call binds its own, in the same order.
 *
 * On SQLite the answer is synchronous (a row, not a promise), and callers keep that path free of awaits;
 * on Postgres it is a promise of one round trip with a named (server-prepared) statement.
 */
export function preparedFirst<Row>(db: Db, query: Compilable<Row>): (...params: unknown[]) => Row | undefined | Promise<Row | undefined> {
  const conn = connections.get(db);
  const compiled = query.compile();
  if (!conn) return () => { throw new Error('preparedFirst needs a store opened with openStore'); };
  if ('pool' in conn) {
    const run = preparedPostgresFirst<Row>(conn.pool, compiled.sql);
    return (...params) => run(params);
  }
  let statement: SQLite.Statement | undefined;
  return (...params) => {
    // Prepared on first use: the table exists only once the migrations have run.
    statement ??= conn.sqlite.prepare(compiled.sql);
    return statement.get(...params) as Row | undefined;
  };
}
