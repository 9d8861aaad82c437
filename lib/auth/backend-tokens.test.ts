import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SignJWT } from 'jose';
import { BACKEND_TOKEN_AUDIENCE, BACKEND_TOKEN_ISSUER, createBackendTokens } from './backend-tokens';
import { createTokens } from './tokens';

const SECRET = 'a-test-secret-that-is-at-least-32-bytes-long';
const alice = { userId: 'u1', username: 'alice', role: 'user' as const };

test('a backend token is good for its one project only', async () => {
  const bt = createBackendTokens(SECRET);
  const t = await bt.mint({ user: alice, projectId: 'p1' });
  assert.deepEqual(await bt.verify(t, 'p1'), { projectId: 'p1', user: alice });
  assert.equal(await bt.verify(t, 'p2'), null);
  assert.equal(await bt.verify(undefined, 'p1'), null);
  assert.equal(await createBackendTokens('another-secret-that-is-at-least-32-bytes').verify(t, 'p1'), null);
});

test('backend and session tokens never stand in for each other, even with the audience forged', async () => {
  const sessions = createTokens(SECRET, 3600);
  const bt = createBackendTokens(SECRET);
  const session = (await sessions.sign(alice)).token;
  assert.equal(await bt.verify(session, 'p1'), null);
  assert.equal((await sessions.verify(await bt.mint({ user: alice, projectId: 'p1' }))).ok, false);
  // Signed with JWT_SECRET itself but claiming the backend's audience: the derived key refuses it.
  const forged = await new SignJWT({ name: 'alice', role: 'admin', project: 'p1' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('u1')
    .setIssuer(BACKEND_TOKEN_ISSUER)
    .setAudience(BACKEND_TOKEN_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('1m')
    .sign(new TextEncoder().encode(SECRET));
  assert.equal(await bt.verify(forged, 'p1'), null);
});

test('an expired backend token is refused', async () => {
  const bt = createBackendTokens(SECRET, -1);
  assert.equal(await bt.verify(await bt.mint({ user: alice, projectId: 'p1' }), 'p1'), null);
});

test("one user's sockets to one project share a token for half its life; anything else gets its own", async () => {
  // A 2 s life: reused for 1 s. Past that a new one is signed, with a later iat (whole seconds), so it differs.
  const bt = createBackendTokens(SECRET, 2);
  const first = await bt.mint({ user: alice, projectId: 'p1' });
  assert.equal(await bt.mint({ user: alice, projectId: 'p1' }), first);
  assert.notEqual(await bt.mint({ user: alice, projectId: 'p2' }), first);
  assert.notEqual(await bt.mint({ user: { ...alice, role: 'admin' }, projectId: 'p1' }), first);
  assert.notEqual(await bt.mint({ user: { ...alice, userId: 'u2' }, projectId: 'p1' }), first);
  await new Promise((r) => setTimeout(r, 1100));
  assert.notEqual(await bt.mint({ user: alice, projectId: 'p1' }), first);
});

test('a remembered verification still checks the project and the expiry', async () => {
  // exp is in whole seconds: a 2 s lifetime leaves at least one second for the checks below.
  const bt = createBackendTokens(SECRET, 2);
  const t = await bt.mint({ user: alice, projectId: 'p1' });
  assert.equal((await bt.verify(t, 'p1'))?.user.userId, 'u1');
  assert.equal(await bt.verify(t, 'p2'), null);
  assert.equal((await bt.verify(t, 'p1'))?.projectId, 'p1');
  await new Promise((r) => setTimeout(r, 2100));
  assert.equal(await bt.verify(t, 'p1'), null);
});
