import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN, startGateway, type TestGateway } from './helpers/gateway';

// The JSON API of design.md: status codes and sentences a client can rely on.

describe('auth API', () => {
  let gw: TestGateway;
  before(async () => (gw = await startGateway()));
  after(() => gw.close());

  test('login returns a token and sets an httpOnly SameSite=Lax cookie', async () => {
    const r = await gw.api('POST', '/api/auth/login', { body: ADMIN });
    assert.equal(r.status, 200);
    gw.issuedTokens.push(r.body.token);
    assert.equal(r.body.user.username, 'admin');
    assert.equal(r.body.user.role, 'admin');
    assert.ok(r.body.expiresAt > Date.now());
    const cookie = r.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^portico_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=604800$/);
    const me = await gw.api('GET', '/api/auth/me', { headers: { cookie: cookie.split(';')[0] } });
    assert.equal(me.status, 200);
    assert.equal(me.body.username, 'admin');
  });

  test('a wrong password or unknown user is 401 with one sentence for both', async () => {
    const wrong = await gw.api('POST', '/api/auth/login', { body: { username: 'admin', password: 'nope-nope' } });
    const unknown = await gw.api('POST', '/api/auth/login', { body: { username: 'ghost', password: 'nope-nope' } });
    assert.equal(wrong.status, 401);
    assert.deepEqual(wrong.body, unknown.body);
    assert.deepEqual(wrong.body, { error: { code: 'bad_credentials', message: 'That username and password do not match.' } });
  });

  test('bad login bodies get 400 / 415 with a sentence', async () => {
    const empty = await gw.api('POST', '/api/auth/login', { body: { username: '', password: 'x' } });
    assert.equal(empty.status, 400);
    assert.equal(empty.body.error.message, 'Enter your username.');
    const text = await fetch(gw.url + '/api/auth/login', { method: 'POST', body: 'username=admin' });
    assert.equal(text.status, 415);
    const huge = await gw.api('POST', '/api/auth/login', { body: { username: 'a', password: 'x'.repeat(70 * 1024) } });
    assert.equal(huge.status, 413);
  });

  test('logout clears the cookie; me without a token is 401', async () => {
    const r = await fetch(gw.url + '/api/auth/logout', { method: 'POST' });
    assert.equal(r.status, 204);
    assert.match(r.headers.get('set-cookie') ?? '', /^portico_session=; .*Max-Age=0/);
    const me = await gw.api('GET', '/api/auth/me');
    assert.equal(me.status, 401);
    assert.equal(me.body.error.code, 'unauthorized');
  });

  test('a wrong method is 405 with Allow', async () => {
    const r = await gw.api('GET', '/api/auth/login');
    assert.equal(r.status, 405);
    assert.equal(r.headers.get('allow'), 'POST');
  });
});

describe('users and projects API', () => {
  let gw: TestGateway;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };
  before(async () => {
    gw = await startGateway();
    alice = await gw.createUser('alice');
    bob = await gw.createUser('bob');
  });
  after(() => gw.close());

  test('only an admin creates users; a taken name is 409; a short password is 400', async () => {
    assert.equal((await gw.api('POST', '/api/users', { token: alice.token, body: { username: 'carol', password: 'password-1' } })).status, 403);
    const taken = await gw.api('POST', '/api/users', { token: gw.adminToken, body: { username: 'alice', password: 'password-1' } });
    assert.equal(taken.status, 409);
    assert.equal(taken.body.error.message, 'The username "alice" is taken.');
    const short = await gw.api('POST', '/api/users', { token: gw.adminToken, body: { username: 'carol', password: 'short' } });
    assert.equal(short.status, 400);
    assert.equal(short.body.error.message, 'The password must be at least 8 characters long.');
  });

  test('the users API: admins only, a list with who is signed in, sentences for bad changes', async () => {
    assert.equal((await gw.api('GET', '/api/users', { token: alice.token })).status, 403);
    const list = await gw.api('GET', '/api/users', { token: gw.adminToken });
    assert.equal(list.status, 200);
    const a = (list.body as { username: string; disabled: boolean; activeSessions: number }[]).find((u) => u.username === 'alice')!;
    assert.equal(a.disabled, false);
    assert.ok(a.activeSessions >= 1);
    assert.equal((await gw.api('PATCH', '/api/users/nosuchuser1', { token: gw.adminToken, body: { role: 'admin' } })).status, 404);
    const extra = await gw.api('PATCH', `/api/users/${bob.id}`, { token: gw.adminToken, body: { username: 'robert' } });
    assert.equal(extra.status, 400);
    const role = await gw.api('PATCH', `/api/users/${bob.id}`, { token: gw.adminToken, body: { role: 'sysop' } });
    assert.equal(role.body.error.message, 'role is "admin" or "user".');
  });

  test('a user changes their own password: the other sign-ins end, this one stays', async () => {
    const carol = await gw.createUser('carol', 'first-password-1');
    const elsewhere = await gw.login('carol', 'first-password-1');
    const wrong = await gw.api('POST', '/api/auth/password', { token: carol.token, body: { currentPassword: 'not-it-at-all', newPassword: 'second-password-2' } });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.error.message, 'The current password is not right.');
    assert.equal((await gw.api('POST', '/api/auth/password', { token: carol.token, body: { currentPassword: 'first-password-1', newPassword: 'second-password-2' } })).status, 204);
    assert.equal((await gw.api('GET', '/api/auth/me', { token: carol.token })).status, 200);
    assert.equal((await gw.api('GET', '/api/auth/me', { token: elsewhere })).status, 401);
    assert.equal((await gw.api('POST', '/api/auth/login', { body: { username: 'carol', password: 'first-password-1' } })).status, 401);
    await gw.login('carol', 'second-password-2');
  });

  test('each user lists only their own projects; a foreign one is 403, an unknown one 404', async () => {
    const a = await gw.createProject(alice.token, 'alpha');
    await gw.createProject(bob.token, 'beta');
    const list = await gw.api('GET', '/api/projects', { token: alice.token });
    assert.deepEqual(list.body.map((p: { name: string }) => p.name), ['alpha']);
    assert.equal((await gw.api('GET', `/api/projects/${a.id}`, { token: bob.token })).status, 403);
    assert.equal((await gw.api('GET', `/api/projects/${'q'.repeat(12)}`, { token: bob.token })).status, 404);
    assert.equal((await gw.api('GET', `/api/projects/${a.id}`, { token: gw.adminToken })).status, 200);
    assert.equal((await gw.api('DELETE', `/api/projects/${a.id}`, { token: bob.token })).status, 403);
    assert.equal((await gw.api('DELETE', `/api/projects/${a.id}`, { token: alice.token })).status, 204);
    assert.equal((await gw.api('GET', `/api/projects/${a.id}`, { token: alice.token })).status, 404);
  });

  test('a project needs a name', async () => {
    const r = await gw.api('POST', '/api/projects', { token: alice.token, body: { name: '   ' } });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.message, 'Give the project a name.');
  });

  test('a cookie-authenticated change from another site is refused', async () => {
    const r = await gw.api('POST', '/api/projects', {
      headers: { cookie: `portico_session=${alice.token}`, origin: 'https://evil.example' },
      body: { name: 'csrf' },
    });
    assert.equal(r.status, 403);
  });
});
