import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Tokens, Verified } from '../auth/tokens';
import { verifiedTokenCache } from './router';

// The router's memo of verified tokens: a signature is checked once, time is checked every time.

function fakeTokens(answer: (token: string) => Verified) {
  let calls = 0;
  const tokens: Tokens = {
    sign: () => Promise.reject(new Error('not used')),
    verify: async (token) => {
      calls++;
      return answer(token!);
    },
  };
  return { tokens, calls: () => calls };
}

const claims = { userId: 'u1', username: 'ada', role: 'user' as const };

describe('verifiedTokenCache', () => {
  test('verifies a good token once and answers from memory after that', async () => {
    const t = fakeTokens(() => ({ ok: true, claims, expiresAt: Date.now() + 60_000 }));
    const verify = verifiedTokenCache(t.tokens);
    for (let i = 0; i < 5; i++) assert.deepEqual((await verify('a.b.c')).ok, true);
    assert.equal(t.calls(), 1);
  });

  test('a token past its exp is verified again (and refused by the verifier)', async () => {
    let expired = false;
    const t = fakeTokens(() => (expired ? { ok: false, reason: 'expired' } : { ok: true, claims, expiresAt: Date.now() + 30 }));
    const verify = verifiedTokenCache(t.tokens);
    assert.equal((await verify('a.b.c')).ok, true);
    await new Promise((r) => setTimeout(r, 40));
    expired = true;
    assert.deepEqual(await verify('a.b.c'), { ok: false, reason: 'expired' });
    assert.equal(t.calls(), 2);
  });

  test('refusals are never remembered, and the memo keeps at most `max` tokens', async () => {
    const t = fakeTokens((token) => (token.startsWith('bad') ? { ok: false, reason: 'invalid' } : { ok: true, claims, expiresAt: Date.now() + 60_000 }));
    const verify = verifiedTokenCache(t.tokens, 2);
    await verify('bad.1');
    await verify('bad.1');
    assert.equal(t.calls(), 2);
    await verify('good.1');
    await verify('good.2');
    await verify('good.3'); // pushes good.1 out
    await verify('good.3');
    await verify('good.1');
    assert.equal(t.calls(), 6);
  });
});
