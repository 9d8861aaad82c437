import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { TOKEN_AUDIENCE, TOKEN_ISSUER, createTokens } from './tokens';

const SECRET = 'x'.repeat(48);
const tokens = createTokens(SECRET, 60);
const claims = { userId: 'u1', username: 'ann', role: 'user' as const };

describe('tokens', () => {
  test('a signed token verifies to the same claims', async () => {
    const { token, expiresAt } = await tokens.sign(claims);
    const v = await tokens.verify(token);
    assert.ok(v.ok);
    assert.deepEqual(v.claims, claims);
    assert.equal(v.expiresAt, expiresAt);
  });
  test('missing and malformed tokens say so', async () => {
    assert.deepEqual(await tokens.verify(undefined), { ok: false, reason: 'missing' });
    assert.deepEqual(await tokens.verify('a.b'), { ok: false, reason: 'malformed' });
    assert.deepEqual(await tokens.verify('%%%.%%%.%%%'), { ok: false, reason: 'malformed' });
  });
  test('expired, wrong-key, wrong-algorithm and wrong-audience tokens are refused', async () => {
    const key = new TextEncoder().encode(SECRET);
    const base = () => new SignJWT({ name: 'ann', role: 'user' }).setSubject('u1').setIssuer(TOKEN_ISSUER).setAudience(TOKEN_AUDIENCE);
    const expired = await base().setProtectedHeader({ alg: 'HS256' }).setExpirationTime(Math.floor(Date.now() / 1000) - 5).sign(key);
    assert.deepEqual(await tokens.verify(expired), { ok: false, reason: 'expired' });
    const otherKey = await base().setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new TextEncoder().encode('y'.repeat(48)));
    assert.equal((await tokens.verify(otherKey)).ok, false);
    const hs512 = await base().setProtectedHeader({ alg: 'HS512' }).setExpirationTime('1h').sign(new TextEncoder().encode('x'.repeat(64)));
    assert.equal((await tokens.verify(hs512)).ok, false);
    const aud = await new SignJWT({ name: 'ann' }).setSubject('u1').setIssuer(TOKEN_ISSUER).setAudience('other').setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(key);
    assert.equal((await tokens.verify(aud)).ok, false);
    const noExp = await base().setProtectedHeader({ alg: 'HS256' }).sign(key);
    assert.equal((await tokens.verify(noExp)).ok, false);
  });
});
