import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { startPostgresServer, type PostgresServer } from '../engines/postgres-server';
import { createSqliteEventLog } from '../build/event-log';
import { openStore, preparedFirst, type Store } from './db';
import { createBuilds } from './builds';
import { createProjects } from './projects';
import { createUsers } from './users';
import { isStoreUnavailable } from './store-errors';
import { createAuthSessionStore } from './auth-sessions';
import { createSessionGuard } from '../auth/session-guard';

// The dialect-specific parts of the store on a real Postgres (DATABASE_URL).

describe('the store on Postgres', () => {
  let server: PostgresServer;
  before(async () => {
    server = await startPostgresServer();
  });
  after(() => server.close());

  const open = (url: string) => openStore('/nonexistent-unused', { databaseUrl: url });

  test('two processes starting at once on an empty database migrate it once, and both open it', async () => {
    const url = await server.createDatabase();
    const stores = await Promise.all([open(url), open(url), open(url)]);
    try {
      const ran = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(stores[0].db);
      assert.deepEqual(ran.rows.map((r) => r.name), ['0001_users_projects_sessions', '0002_builds', '0003_auth_sessions', '0004_session_desktops', '0005_session_shares', '0006_user_preferences']);
      // Epoch milliseconds overflow a 32-bit integer: every time column is bigint.
      const types = await sql<{ table_name: string; column_name: string; data_type: string }>`
        select table_name, column_name, data_type from information_schema.columns
        where table_schema = 'public' and (column_name like '%\_at' or column_name = 'duration_ms')`.execute(stores[0].db);
      assert.ok(types.rows.length >= 10);
      for (const c of types.rows) assert.equal(c.data_type, 'bigint', `${c.table_name}.${c.column_name}`);
      assert.equal(stores[0].dialect, 'postgres');
      assert.equal(stores[0].file, null);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  test('a millisecond timestamp and a count come back as numbers, as on SQLite', async () => {
    const store = await open(await server.createDatabase());
    try {
      const users = createUsers(store.db);
      const made = (await users.create({ username: 'Ada', passwordHash: 'x', role: 'user' }))!;
      assert.ok(made.created_at > 2 ** 31, 'a real timestamp, beyond int4');
      const read = await users.byId(made.id);
      assert.equal(read?.created_at, made.created_at);
      assert.equal(typeof read?.created_at, 'number');
      assert.equal(await users.count(), 1);
      assert.equal(await users.create({ username: 'Ada', passwordHash: 'y', role: 'user' }), null, 'a taken username is refused (on conflict do nothing)');
      assert.equal(await users.byUsername('ada'), undefined, 'usernames compare case-sensitively, as on SQLite');
      const project = await createProjects(store.db).create(made.id, 'p');
      const byId = preparedFirst(store.db, store.db.selectFrom('projects').selectAll().where('id', '=', ''));
      const answer = byId(project.id);
      assert.ok(answer instanceof Promise, 'on Postgres the prepared lookup is a round trip');
      assert.deepEqual(await answer, project);
      assert.equal(await byId('nope'), undefined);
      const builds = createBuilds(store.db);
      const b = await builds.create({ projectId: project.id, userId: made.id, prompt: 'x' });
      assert.deepEqual(await builds.startedSince(made.id, 0), { count: 1, oldest: b.created_at });
    } finally {
      await store.close();
    }
  });

  test('two processes appending to one build at once get contiguous seqs, none twice', async () => {
    const url = await server.createDatabase();
    const [a, b] = [await open(url), await open(url)];
    try {
      const owner = (await createUsers(a.db).create({ username: 'u', passwordHash: 'x', role: 'user' }))!.id;
      const project = await createProjects(a.db).create(owner, 'p');
      const build = await createBuilds(a.db).create({ projectId: project.id, userId: owner, prompt: 'x' });
      const [logA, logB] = [createSqliteEventLog(a.db), createSqliteEventLog(b.db)];
      const appended = await Promise.all(
        Array.from({ length: 60 }, (_, i) => (i % 2 ? logA : logB).append(build.id, { type: 'log', level: 'info', text: `line ${i}` })),
      );
      const seqs = appended.map((e) => e.seq).sort((x, y) => x - y);
      assert.deepEqual(seqs, Array.from({ length: 60 }, (_, i) => i + 1));
      const stored = await logB.replay(build.id, 0);
      assert.deepEqual(stored.map((e) => e.seq), seqs);
      assert.equal((await createBuilds(b.db).byId(build.id))?.last_seq, 60);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  test('a deleted project is gone at once in its process and within a second in another; a new one is found at once', async () => {
    const url = await server.createDatabase();
    const [a, b] = [await open(url), await open(url)];
    try {
      const owner = (await createUsers(a.db).create({ username: 'o', passwordHash: 'x', role: 'user' }))!.id;
      const [here, there] = [createProjects(a.db), createProjects(b.db)];
      assert.equal(await there.byId('not-yet-made'), undefined);
      const p = await here.create(owner, 'p');
      assert.equal((await there.byId(p.id))?.id, p.id, 'created through one process, found through the other at once');
      assert.equal((await here.byId(p.id))?.id, p.id);
      await here.remove(p.id);
      assert.equal(await here.byId(p.id), undefined, 'the deleting process forgets it at once');
      const deletedAt = Date.now();
      while ((await there.byId(p.id)) !== undefined) {
        assert.ok(Date.now() - deletedAt < 1500, 'another process still finds it after its cache bound');
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  test('the sign-in check is one round trip, and a revocation here is seen at once even if a check was in flight', async () => {
    const store = await open(await server.createDatabase());
    try {
      const userId = (await createUsers(store.db).create({ username: 's', passwordHash: 'x', role: 'user' }))!.id;
      const guard = createSessionGuard({ store: createAuthSessionStore(store.db), idleMs: 60_000, maxMs: 120_000, cacheMs: 5000 });
      const s = await guard.start(userId);
      const first = guard.check(s.id, userId);
      assert.ok(first instanceof Promise, 'on Postgres the store is asked with a promise');
      const inFlight = guard.check('x'.repeat(22), userId); // a cold check still on its way …
      await guard.revoke(s.id, 'logout'); // … while this process revokes
      assert.equal((await first).ok, true, 'the check asked before the revocation answers for its own request');
      await inFlight;
      assert.deepEqual(await guard.check(s.id, userId), { ok: false, reason: 'revoked' });
    } finally {
      await store.close();
    }
  });

  test('a database that is not there is an outage, not a bug', async () => {
    const store = await open(await server.createDatabase());
    const projects = createProjects(store.db);
    try {
      await server.restart();
      // The pooled connection was dropped by the restart: the next query gets a fresh one.
      assert.equal(await projects.byId('x'), undefined);
      await assert.rejects(openStore('/unused', { databaseUrl: `postgres://portico:wrong@127.0.0.1:1/none` }), (err) => isStoreUnavailable(err));
    } finally {
      await store.close();
    }
  });
});
