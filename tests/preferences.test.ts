import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startGateway, type TestGateway } from './helpers/gateway';

// GET / PUT /api/preferences against a real gateway: each user's viewer settings, remembered on the
// server, refused with a 400 and a sentence when they are not settings the viewer knows.

describe('preferences API', () => {
  let gw: TestGateway;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };
  before(async () => {
    gw = await startGateway();
    alice = await gw.createUser('alice');
    bob = await gw.createUser('bob');
  });
  after(() => gw.close());

  test('a new user gets the viewer defaults', async () => {
    const r = await gw.api('GET', '/api/preferences', { token: alice.token });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { viewer: { scaling: 'fit', quality: 6, compression: 2 } });
  });

  test('a change is remembered for that user only, in a new sign-in too, and keeps what it left out', async () => {
    const put = await gw.api('PUT', '/api/preferences', { token: alice.token, body: { viewer: { quality: 2, scaling: 'remote' } } });
    assert.equal(put.status, 200);
    assert.deepEqual(put.body, { viewer: { scaling: 'remote', quality: 2, compression: 2 } });
    await gw.api('PUT', '/api/preferences', { token: alice.token, body: { viewer: { compression: 8 } } });
    const again = await gw.login('alice', 'user-password-1');
    assert.deepEqual((await gw.api('GET', '/api/preferences', { token: again })).body, { viewer: { scaling: 'remote', quality: 2, compression: 8 } });
    assert.deepEqual((await gw.api('GET', '/api/preferences', { token: bob.token })).body, { viewer: { scaling: 'fit', quality: 6, compression: 2 } });
  });

  test('bad bodies are 400 with a sentence, and change nothing', async () => {
    const cases: [unknown, string][] = [
      [{ viewer: { quality: 10 } }, 'quality is a whole number from 0 to 9.'],
      [{ viewer: { compression: 1.5 } }, 'compression is a whole number from 0 to 9.'],
      [{ viewer: { scaling: 'stretch' } }, 'scaling is "fit", "actual" or "remote".'],
    ];
    for (const [body, message] of cases) {
      const r = await gw.api('PUT', '/api/preferences', { token: bob.token, body });
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.deepEqual(r.body, { error: { code: 'bad_request', message } });
    }
    const unknown = await gw.api('PUT', '/api/preferences', { token: bob.token, body: { viewer: { zoom: 2 } } });
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.error.message, /zoom/);
    assert.equal((await gw.api('PUT', '/api/preferences', { token: bob.token, body: [] })).status, 400);
    const text = await fetch(gw.url + '/api/preferences', { method: 'PUT', headers: { authorization: `Bearer ${bob.token}` }, body: 'quality=1' });
    assert.equal(text.status, 415);
    const notJson = await fetch(gw.url + '/api/preferences', { method: 'PUT', headers: { authorization: `Bearer ${bob.token}`, 'content-type': 'application/json' }, body: '{' });
    assert.equal(notJson.status, 400);
    assert.deepEqual((await gw.api('GET', '/api/preferences', { token: bob.token })).body, { viewer: { scaling: 'fit', quality: 6, compression: 2 } });
  });

  test('without a sign-in it is 401; from another site with the cookie it is 403', async () => {
    assert.equal((await gw.api('GET', '/api/preferences')).status, 401);
    assert.equal((await gw.api('PUT', '/api/preferences', { body: { viewer: { quality: 1 } } })).status, 401);
    const foreign = await gw.api('PUT', '/api/preferences', { headers: { cookie: `portico_session=${alice.token}`, origin: 'https://evil.example' }, body: { viewer: { quality: 1 } } });
    assert.equal(foreign.status, 403);
    assert.equal((await gw.api('GET', '/api/preferences', { token: alice.token })).body.viewer.quality, 2);
  });

  test('a wrong method is 405 with Allow', async () => {
    const r = await gw.api('POST', '/api/preferences', { token: alice.token, body: {} });
    assert.equal(r.status, 405);
    assert.equal(r.headers.get('allow'), 'GET, PUT');
  });
});
