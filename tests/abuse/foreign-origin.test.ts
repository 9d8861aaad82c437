import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { closed, startGateway, type TestGateway } from '../helpers/gateway';

// Issue 10 point 11: Origin checks compared the host alone, so http://host:port and https://host:port were
// one origin, and logout took no Origin check at all. An origin is scheme, host and port; logout and every
// cookie-authenticated change refuse any other.

describe('foreign Origin', () => {
  let gw: TestGateway;
  let cookie: string;
  let own: string;
  before(async () => {
    gw = await startGateway();
    own = gw.url;
    const r = await gw.api('POST', '/api/auth/login', { body: { username: 'admin', password: 'admin-password-1' }, headers: { origin: own } });
    cookie = (r.headers.get('set-cookie') ?? '').split(';')[0];
    gw.issuedTokens.push(cookie.split('=')[1]);
  });
  after(() => gw.close());

  const foreign = () => {
    const u = new URL(own);
    return {
      'same host and port, https': `https://${u.host}`,
      'same host, another port': `http://${u.hostname}:${Number(u.port) + 1}`,
      'another site': 'https://evil.example',
      'opaque (sandboxed frame)': 'null',
    };
  };

  test('a cookie-authenticated change from another origin is 403 with a sentence', async () => {
    for (const [what, origin] of Object.entries(foreign())) {
      const r = await gw.api('POST', '/api/projects', { body: { name: 'csrf' }, headers: { cookie, origin } });
      assert.equal(r.status, 403, what);
      assert.match(r.body.error.message, /not allowed/, what);
    }
    const ok = await gw.api('POST', '/api/projects', { body: { name: 'mine' }, headers: { cookie, origin: own } });
    assert.equal(ok.status, 201);
  });

  test('logout from another origin is refused and the session lives on', async () => {
    for (const [what, origin] of Object.entries(foreign())) {
      const r = await gw.api('POST', '/api/auth/logout', { headers: { cookie, origin } });
      assert.equal(r.status, 403, what);
    }
    assert.equal((await gw.api('GET', '/api/auth/me', { headers: { cookie } })).status, 200);
  });

  test('a socket opened from the same host on another scheme or port is 4403', async () => {
    for (const [what, origin] of Object.entries(foreign())) {
      const c = await closed(gw.open('/api/events', { headers: { cookie, origin } }));
      assert.equal(c.code, 4403, what);
    }
  });

  test('behind a TLS proxy the scheme comes from X-Forwarded-Proto', async () => {
    const host = new URL(own).host;
    const https = await gw.api('POST', '/api/projects', { body: { name: 'tls' }, headers: { cookie, origin: `https://${host}`, 'x-forwarded-proto': 'https' } });
    assert.equal(https.status, 201);
    const downgraded = await gw.api('POST', '/api/projects', { body: { name: 'tls' }, headers: { cookie, origin: `http://${host}`, 'x-forwarded-proto': 'https' } });
    assert.equal(downgraded.status, 403);
  });
});
