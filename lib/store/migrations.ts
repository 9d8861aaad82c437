import { type Kysely, type Migration, type MigrationProvider, sql } from 'kysely';

// Migrations live in code (not files on disk) so that the bundled server and the tests run the same
// list. Append only: a migration that has shipped is never edited.
//
// The same list runs on SQLite and Postgres. Where the two differ, a migration takes the column type from
// `t`: epoch milliseconds overflow Postgres's 32-bit `integer`, so there `t.ms` is `bigint` (read back as
// numbers: lib/store/postgres.ts). 0001 and 0002 shipped on SQLite only; on SQLite `t.ms` is the
// `integer` they always used, so their SQLite statements are unchanged.

export type StoreDialect = 'sqlite' | 'postgres';
type ColumnTypes = { ms: 'integer' | 'bigint' };
const COLUMN_TYPES: Record<StoreDialect, ColumnTypes> = { sqlite: { ms: 'integer' }, postgres: { ms: 'bigint' } };
type DialectMigration = { up(db: Kysely<unknown>, t: ColumnTypes): Promise<void> };

const migrations: Record<string, DialectMigration> = {
  '0001_users_projects_sessions': {
    async up(db: Kysely<unknown>, t: ColumnTypes) {
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull().unique())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('admin', 'user')`))
        .addColumn('created_at', t.ms, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('projects')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', t.ms, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('projects_owner').on('projects').column('owner_id').execute();
      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('local', 'external')`))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', t.ms, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sessions_owner').on('sessions').column('owner_id').execute();
    },
  },
  '0002_builds': {
    async up(db: Kysely<unknown>, t: ColumnTypes) {
      await db.schema
        .createTable('builds')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('prompt', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('provider', 'text')
        .addColumn('summary', 'text')
        .addColumn('files', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('last_seq', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', t.ms, (c) => c.notNull())
        .addColumn('finished_at', t.ms)
        .addColumn('duration_ms', t.ms)
        .execute();
      await db.schema.createIndex('builds_project').on('builds').columns(['project_id', 'created_at']).execute();
      await db.schema
        .createTable('build_events')
        .addColumn('build_id', 'text', (c) => c.notNull().references('builds.id').onDelete('cascade'))
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('event', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('build_events_pk', ['build_id', 'seq'])
        .execute();
    },
  },
  // Sign-ins become server-side sessions (a `jti` row) so logout, password / role change, disable and
  // delete can revoke them. Plain types and an index only: the same statements run on Postgres.
  '0003_auth_sessions': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('auth_sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .addColumn('reason', 'text')
        .addColumn('ip', 'text')
        .addColumn('user_agent', 'text')
        .execute();
      await db.schema.createIndex('auth_sessions_user').on('auth_sessions').column('user_id').execute();
      await db.schema.alterTable('users').addColumn('disabled_at', 'bigint').execute();
    },
  },
  // When a session's desktop started and when the last one ended, so the viewer can say "this is a new
  // desktop; the previous one ended at …" after a restart or a VM that was started again.
  '0004_session_desktops': {
    async up(db: Kysely<unknown>, t: ColumnTypes) {
      await db.schema.alterTable('sessions').addColumn('desktop_started_at', t.ms).execute();
      await db.schema.alterTable('sessions').addColumn('desktop_ended_at', t.ms).execute();
    },
  },
  // Share links of a VM session (issue 14 point 6): the link's token is stored only as its SHA-256; who
  // accepted a link is a row of its own, so one link may let several people in and each shows by name.
  '0005_session_shares': {
    async up(db: Kysely<unknown>, t: ColumnTypes) {
      await db.schema
        .createTable('session_shares')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('rights', 'text', (c) => c.notNull())
        .addColumn('created_at', t.ms, (c) => c.notNull())
        .addColumn('expires_at', t.ms, (c) => c.notNull())
        .addColumn('revoked_at', t.ms)
        .execute();
      await db.schema.createIndex('session_shares_session').on('session_shares').column('session_id').execute();
      await db.schema
        .createTable('session_share_grants')
        .addColumn('share_id', 'text', (c) => c.notNull().references('session_shares.id').onDelete('cascade'))
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('accepted_at', t.ms, (c) => c.notNull())
        .addPrimaryKeyConstraint('session_share_grants_pk', ['share_id', 'user_id'])
        .execute();
      await db.schema.createIndex('session_share_grants_user').on('session_share_grants').column('user_id').execute();
    },
  },
  // One row per user and kind of preference ('viewer'), the value as JSON: a new kind is a new name,
  // not a migration. Text and bigint only, so the same statements run on Postgres.
  '0006_user_preferences': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('user_preferences')
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('user_preferences_pk', ['user_id', 'name'])
        .execute();
    },
  },
};

export function migrationProvider(dialect: StoreDialect): MigrationProvider {
  const t = COLUMN_TYPES[dialect];
  const bound = Object.entries(migrations).map(([name, m]): [string, Migration] => [name, { up: (db) => m.up(db, t) }]);
  return {
    async getMigrations() {
      return Object.fromEntries(bound);
    },
  };
}
