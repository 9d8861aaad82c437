import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { HTTP_ERRORS } from '../lib/errors/http-errors';
import { CLOSE } from '../lib/errors/close-codes';
import { startPostgresServer, type PostgresServer } from '../lib/engines/postgres-server';
import { closed, opened, startGateway, type TestGateway } from './helpers/gateway';

// Postgres going away under a running gateway (issue 13 point 3): while it is gone, requests get 503 and
// upgrades 1013, each with a sentence, and sockets already open stay open (an outage is not a sign-out);
// once it is back everything works again without restarting Portico, and nothing crashed on the way.

/** Resolves once nothing accepts connections on the port any more. */
async function portClosed(port: number): Promise<void> {
  for (;;) {
    const refused = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(false)));
      s.once('error', () => resolve(true));
    });
    if (refused) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Postgres restarted under a running gateway', () => {
  let pg: PostgresServer;
  let gw: TestGateway;
  let carol: { id: string; token: string };
  let dave: { id: string; token: string };
  let projectId: string;

  before(async () => {
    pg = await startPostgresServer();
    // Sign-in checks are remembered 2 s: carol, just seen, meets the outage at the store lookups behind
    // the sign-in; dave, never seen, meets it at the sign-in check itself.
    gw = await startGateway({ DATABASE_URL: await pg.createDatabase(), SESSION_CACHE_MS: '2000' });
    carol = await gw.createUser('carol');
    dave = await gw.createUser('dave');
    projectId = (await gw.createProject(carol.token, 'outage')).id;
  });
  after(async () => {
    await gw?.close();
    await pg?.close();
  });

  test('503 and 1013 with a sentence while it is down, then everything works again', async () => {
    assert.equal(gw.portico.config.databaseUrl?.startsWith('postgres://'), true);
    const hub = gw.open(`/api/events?token=${carol.token}`);
    await opened(hub);
    let hubClosed = false;
    hub.on('close', () => (hubClosed = true));
    assert.equal((await gw.api('GET', '/api/projects', { token: carol.token })).status, 200);

    process.kill(pg.pid, 'SIGINT'); // fast shutdown: every connection is cut
    await portClosed(pg.port);

    const atLookup = await closed(gw.open(`/api/sessions/AAAAAAAAAAAA/vnc?token=${carol.token}`));
    assert.deepEqual(atLookup, { code: CLOSE.TRY_AGAIN_LATER, reason: 'database unreachable, try again' });
    const atSignIn = await closed(gw.open(`/api/build/${projectId}?token=${dave.token}`));
    assert.deepEqual(atSignIn, { code: CLOSE.TRY_AGAIN_LATER, reason: 'database unreachable, try again' });

    for (const token of [carol.token, dave.token]) {
      const list = await gw.api('GET', '/api/projects', { token });
      assert.equal(list.status, 503);
      assert.deepEqual(list.body, { error: { code: 'store_unavailable', message: HTTP_ERRORS.store_unavailable.message } });
    }
    const login = await gw.api('POST', '/api/auth/login', { body: { username: 'carol', password: 'user-password-1' } });
    assert.equal(login.status, 503);
    assert.equal(login.body.error.code, 'store_unavailable');

    // The sweep of open sockets asks about their sign-ins every second, from the store once the 2 s memo
    // is stale; a store that cannot answer signs nobody out.
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(hubClosed, false, 'the open socket stayed open through the outage');

    await pg.restart(); // starts it again on the same port: the pool connects anew on demand

    // Postgres accepts connections a moment before it accepts queries ("the database system is starting
    // up": 503 too); a client retrying, as ours do on 503 / 1013, is served within seconds.
    const deadline = Date.now() + 10_000;
    let again = await gw.api('GET', '/api/projects', { token: carol.token });
    while (again.status === 503 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      again = await gw.api('GET', '/api/projects', { token: carol.token });
    }
    assert.equal(again.status, 200);
    assert.deepEqual(again.body.map((p: { id: string }) => p.id), [projectId]);
    assert.equal((await gw.api('POST', '/api/auth/login', { body: { username: 'carol', password: 'user-password-1' } })).status, 200);
    const build = gw.open(`/api/build/${projectId}?token=${carol.token}`);
    const hello = await new Promise<{ type: string }>((resolve, reject) => {
      build.once('message', (d) => resolve(JSON.parse(d.toString())));
      build.once('close', (code, reason) => reject(new Error(`closed: ${code} ${reason}`)));
    });
    assert.equal(hello.type, 'hello');
    build.close();
    hub.close();
    assert.ok(gw.logs.lines.some((l) => l.includes('store_connection_lost')), 'the dropped pooled connections were logged, not thrown');
    // gw.close() (after) fails the test if anything was thrown outside an await during all this.
  });
});
