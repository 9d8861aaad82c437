import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type Compilable } from 'kysely';
import { migrationProvider } from './migrations';
import type { Database } from './schema';

export type Db = Kysely<Database>;

export type Store = {
  readonly db: Db;
  readonly file: string;
  close(): Promise<void>;
};

/** Opens (creating if needed) the SQLite store in dataDir and brings its schema up to date. */
export async function openStore(dataDir: string): Promise<Store> {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'portico.db');
  const sqlite = new SQLite(file);
  // WAL lets the HTTP API read while a build writes events; busy_timeout rides out a second process
  // (a standalone build backend) holding the write lock for a moment.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  connections.set(db, sqlite);
  const { error, results } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  if (error) {
    await db.destroy();
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`Store migration ${failed} failed in ${file}: ${String(error)}`);
  }
  let closed = false;
  return {
    db,
    file,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}

const connections = new WeakMap<Db, SQLite.Database>();

/**
 * A one-row lookup written with Kysely, compiled and prepared once, run synchronously. For the checks on
 * every upgrade: there Kysely's per-query work (building and compiling the query, its connection mutex,
 * better-sqlite3 preparing the statement again) cost several times the lookup itself (measured with
 * bench/). `query` is built with placeholder values; each call binds its own, in the same order.
 */
export function preparedFirst<Row>(db: Db, query: Compilable<Row>): (...params: unknown[]) => Row | undefined {
  const sqlite = connections.get(db);
  const compiled = query.compile();
  if (!sqlite) return () => { throw new Error('preparedFirst needs a store opened with openStore'); };
  let statement: SQLite.Statement | undefined;
  return (...params) => {
    // Prepared on first use: the table exists only once the migrations have run.
    statement ??= sqlite.prepare(compiled.sql);
    return statement.get(...params) as Row | undefined;
  };
}
