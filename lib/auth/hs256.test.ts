import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { SignJWT, jwtVerify } from 'jose';
import { verifyHs256 } from './hs256';

// The synchronous check must say yes exactly where jose's jwtVerify (what it replaced on the upgrade path)
// says yes, and for the same reasons say no.

const key = new TextEncoder().encode('a secret of enough length for HS256 here');
const expect = { issuer: 'portico', audience: 'portico-gateway', requiredClaims: ['sub', 'exp'] };
const now = Math.floor(Date.now() / 1000);
const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const sign = (input: string, k = key) => createHmac('sha256', k).update(input).digest('base64url');
const forge = (header: unknown, payload: unknown, k = key) => {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign(input, k)}`;
};
const good = { sub: 'u1', name: 'ann', iss: 'portico', aud: 'portico-gateway', exp: now + 60, iat: now };

async function joseSays(token: string): Promise<'ok' | 'expired' | 'no'> {
  try {
    await jwtVerify(token, key, { algorithms: ['HS256'], issuer: expect.issuer, audience: expect.audience, requiredClaims: expect.requiredClaims as string[] });
    return 'ok';
  } catch (err) {
    return (err as { code?: string }).code === 'ERR_JWT_EXPIRED' ? 'expired' : 'no';
  }
}

function oursSays(token: string): 'ok' | 'expired' | 'no' {
  const r = verifyHs256(token, key, expect, now);
  return r.ok ? 'ok' : r.problem === 'expired' ? 'expired' : 'no';
}

test('agrees with jose on good, forged, expired and malformed tokens', async () => {
  const signed = await new SignJWT({ name: 'ann' }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject('u1').setIssuer('portico').setAudience('portico-gateway').setIssuedAt().setExpirationTime(now + 60).sign(key);
  const [h, p, sig] = signed.split('.');
  const cases: Record<string, string> = {
    'signed by jose': signed,
    'forged here, same key': forge({ alg: 'HS256' }, good),
    'audience as a list': forge({ alg: 'HS256' }, { ...good, aud: ['x', 'portico-gateway'] }),
    'another key': forge({ alg: 'HS256' }, good, new TextEncoder().encode('another secret of enough length......')),
    'alg none': `${b64({ alg: 'none' })}.${b64(good)}.`,
    'alg HS512': forge({ alg: 'HS512' }, good),
    'crit header': forge({ alg: 'HS256', crit: ['exp'], exp: 1 }, good),
    'payload swapped': `${h}.${b64({ ...good, sub: 'admin' })}.${sig}`,
    'signature cut': `${h}.${p}.${sig.slice(0, -2)}`,
    'no signature': `${h}.${p}.`,
    expired: forge({ alg: 'HS256' }, { ...good, exp: now - 1 }),
    'expires now': forge({ alg: 'HS256' }, { ...good, exp: now }),
    'exp a string': forge({ alg: 'HS256' }, { ...good, exp: String(now + 60) }),
    'no exp': forge({ alg: 'HS256' }, { ...good, exp: undefined }),
    'no sub': forge({ alg: 'HS256' }, { ...good, sub: undefined }),
    'sub a number (the callers refuse it)': forge({ alg: 'HS256' }, { ...good, sub: 7 }),
    'another issuer': forge({ alg: 'HS256' }, { ...good, iss: 'elsewhere' }),
    'another audience': forge({ alg: 'HS256' }, { ...good, aud: 'portico-socket-ticket' }),
    'not yet valid': forge({ alg: 'HS256' }, { ...good, nbf: now + 30 }),
    'iat a string': forge({ alg: 'HS256' }, { ...good, iat: 'yesterday' }),
    'payload an array': forge({ alg: 'HS256' }, [good]),
    'payload not JSON': (() => { const input = `${b64({ alg: 'HS256' })}.${b64('not json')}`; return `${input}.${sign(input)}`; })(),
    'header not JSON': `${b64('{')}.${p}.${sig}`,
    'two parts': `${h}.${p}`,
    'bad characters': `${h}.${p}.${sig}%`,
  };
  for (const [name, token] of Object.entries(cases)) {
    assert.equal(oursSays(token), await joseSays(token), name);
  }
  assert.equal(oursSays(signed), 'ok');
  assert.equal(oursSays(cases.expired), 'expired');
});

test('is stricter than jose on one point: only the canonical encoding of the signature passes', async () => {
  const signed = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('u1').setIssuer('portico').setAudience('portico-gateway').setExpirationTime(now + 60).sign(key);
  const [h, p, sig] = signed.split('.');
  // 32 bytes are 43 characters: the last carries 4 bits of the signature and 2 padding bits. Flipping a
  // padding bit decodes to the same bytes, so jose (which decodes first) accepts it; the text differs.
  const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const stray = `${h}.${p}.${sig.slice(0, -1)}${ALPHABET[ALPHABET.indexOf(sig[sig.length - 1]) ^ 1]}`;
  assert.equal(await joseSays(stray), 'ok');
  assert.equal(oursSays(stray), 'no');
});

test('says malformed for what is not a compact JWS, invalid for a bad signature', () => {
  assert.deepEqual(verifyHs256('a.b', key, expect), { ok: false, problem: 'malformed' });
  assert.deepEqual(verifyHs256('%%%.%%%.%%%', key, expect), { ok: false, problem: 'malformed' });
  assert.deepEqual(verifyHs256(forge({ alg: 'HS256' }, good, new Uint8Array(32)), key, expect), { ok: false, problem: 'invalid' });
  assert.deepEqual(verifyHs256(`${b64({ alg: 'HS256' })}.${b64(good)}.${'A'.repeat(5000)}`, key, expect), { ok: false, problem: 'malformed' });
});
