import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SignJWT } from 'jose';
import { createBackendTokens } from './backend-tokens';
import { VMHOST_TOKEN_AUDIENCE, VMHOST_TOKEN_ISSUER, createVmhostTokens } from './vmhost-tokens';

const SECRET = 'a-vmhost-secret-that-is-at-least-32-bytes-long';
const grant = { op: 'connect' as const, sessionId: 's1', userId: 'u1', role: 'user' as const };

test('a vmhost token is good for its one operation on its one session', async () => {
  const vt = createVmhostTokens(SECRET);
  const t = await vt.mint(grant);
  assert.deepEqual(await vt.verify(t, 'connect', 's1'), grant);
  assert.equal(await vt.verify(t, 'connect', 's2'), 'out_of_scope');
  assert.equal(await vt.verify(t, 'delete', 's1'), 'out_of_scope');
  assert.equal(await vt.verify(t, 'status', null), 'out_of_scope');
  assert.equal(await vt.verify(undefined, 'connect', 's1'), 'invalid');
  assert.equal(await createVmhostTokens('another-secret-that-is-at-least-32-bytes').verify(t, 'connect', 's1'), 'invalid');
});

test('a status token names no session and opens none', async () => {
  const vt = createVmhostTokens(SECRET);
  const t = await vt.mint({ op: 'status', sessionId: null, userId: null, role: 'user' });
  assert.deepEqual(await vt.verify(t, 'status', null), { op: 'status', sessionId: null, userId: null, role: 'user' });
  assert.equal(await vt.verify(t, 'connect', 's1'), 'out_of_scope');
});

test('signed with the raw secret, or a build-backend token from the same secret: refused', async () => {
  const vt = createVmhostTokens(SECRET);
  const forged = await new SignJWT({ op: 'connect', session: 's1', role: 'admin' })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(VMHOST_TOKEN_ISSUER)
    .setAudience(VMHOST_TOKEN_AUDIENCE)
    .setExpirationTime('1m')
    .setIssuedAt()
    .sign(new TextEncoder().encode(SECRET));
  assert.equal(await vt.verify(forged, 'connect', 's1'), 'invalid');
  const backend = await createBackendTokens(SECRET).mint({ user: { userId: 'u1', username: 'a', role: 'user' }, projectId: 's1' });
  assert.equal(await vt.verify(backend, 'connect', 's1'), 'invalid');
});

test('a share link viewer\'s rights travel in the connect token, and a token for one rights is not the other\'s', async () => {
  const vt = createVmhostTokens(SECRET);
  const viewOnly = await vt.mint({ ...grant, rights: 'view-only' });
  const owner = await vt.mint(grant);
  assert.notEqual(viewOnly, owner);
  assert.deepEqual(await vt.verify(viewOnly, 'connect', 's1'), { ...grant, rights: 'view-only' });
  assert.deepEqual(await vt.verify(await vt.mint({ ...grant, rights: 'interactive' }), 'connect', 's1'), { ...grant, rights: 'interactive' });
  assert.equal((await vt.verify(owner, 'connect', 's1') as { rights?: string }).rights, undefined);
});
