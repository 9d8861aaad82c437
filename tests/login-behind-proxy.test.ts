import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startGateway, type TestGateway } from './helpers/gateway';

// Behind nginx every sign-in arrives from the proxy's address: the per-address login limit must count the
// client nginx names in X-Forwarded-For (only because the peer is a trusted proxy), or one busy address
// would lock every user out, and a direct client must not pick its own bucket by sending the header.

describe('login limits per client address', () => {
  let gw: TestGateway;
  before(async () => (gw = await startGateway({ LOGIN_ATTEMPTS_PER_IP: '3', LOGIN_FAILURES_PER_USER: '1000', LOGIN_FREE_FAILURES: '1000' })));
  after(() => gw.close());

  const attempt = (xff?: string) =>
    gw.api('POST', '/api/auth/login', { body: { username: 'nobody', password: 'wrong-password' }, headers: xff ? { 'x-forwarded-for': xff } : {} });

  test('through a trusted proxy (loopback by default), each forwarded client has a bucket of its own', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await attempt('198.51.100.1')).status, 401);
    const limited = await attempt('198.51.100.1');
    assert.equal(limited.status, 429);
    assert.match(limited.body.error.message, /from your address/);
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    // Another client behind the same proxy is not locked out by the first.
    assert.equal((await attempt('198.51.100.2')).status, 401);
  });

  test('a client that is not a trusted proxy cannot choose its bucket with the header', async () => {
    const strict = await startGateway({ LOGIN_ATTEMPTS_PER_IP: '3', LOGIN_FAILURES_PER_USER: '1000', LOGIN_FREE_FAILURES: '1000', TRUSTED_PROXIES: 'none' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const r = await strict.api('POST', '/api/auth/login', { body: { username: 'nobody', password: 'wrong-password' }, headers: { 'x-forwarded-for': `203.0.113.${i}` } });
        statuses.push(r.status);
      }
      // The admin's own sign-in in startGateway spent one attempt of the same address.
      assert.deepEqual(statuses, [401, 401, 429, 429]);
    } finally {
      await strict.close();
    }
  });
});
