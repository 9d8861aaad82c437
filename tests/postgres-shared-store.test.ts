import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { startPostgresServer, type PostgresServer } from '../lib/engines/postgres-server';
import { startGateway, type TestGateway } from './helpers/gateway';

// Two gateways on one Postgres database (DATABASE_URL), as behind a load balancer: they start at the same
// moment on an empty database (one migrates, one admin is made) and then serve the same users and projects.

let pg: PostgresServer;
const gateways: TestGateway[] = [];

before(async () => {
  pg = await startPostgresServer();
});
after(async () => {
  await Promise.all(gateways.map((g) => g.close()));
  await pg.close();
});

test('two gateways starting at once on one empty database both start, and share users and projects', async () => {
  const env = { DATABASE_URL: await pg.createDatabase(), JWT_SECRET: randomBytes(48).toString('base64url') };
  const [a, b] = await Promise.all([startGateway(env), startGateway(env)]);
  gateways.push(a, b);
  const admins = await a.api('GET', '/api/users', { token: a.adminToken });
  assert.equal(admins.status, 200);
  assert.deepEqual(admins.body.map((u: { username: string }) => u.username), ['admin'], 'one admin, made once');
  const dora = await a.createUser('dora');
  const token = await b.login('dora', 'user-password-1');
  const project = await b.createProject(token, 'shared');
  const seen = await a.api('GET', `/api/projects/${project.id}`, { token: dora.token });
  assert.equal(seen.status, 200);
  assert.equal(seen.body.name, 'shared');
  // A sign-out through one gateway ends the sign-in at the other (within SESSION_CACHE_MS).
  assert.equal((await b.api('POST', '/api/auth/logout', { token })).status, 204);
  const deadline = Date.now() + 6000;
  let status = 200;
  while (status === 200 && Date.now() < deadline) {
    status = (await a.api('GET', '/api/projects', { token })).status;
    if (status === 200) await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(status, 401);
});
