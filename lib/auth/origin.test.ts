import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, test } from 'node:test';
import { checkOrigin } from './origin';

const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe('checkOrigin', () => {
  test('no Origin header: a non-browser client, allowed', () => {
    assert.deepEqual(checkOrigin(req({ host: 'a:3000' }), []), { ok: true, browser: false });
  });
  test('by default only the origin the server was reached at is allowed', () => {
    assert.deepEqual(checkOrigin(req({ host: 'dash.example:3000', origin: 'http://dash.example:3000' }), []), { ok: true, browser: true });
    assert.equal(checkOrigin(req({ host: 'dash.example:3000', origin: 'http://evil.example:3000' }), []).ok, false);
    assert.equal(checkOrigin(req({ host: 'dash.example', origin: 'null' }), []).ok, false);
  });
  test('behind a proxy the forwarded host is the one the browser saw', () => {
    assert.equal(checkOrigin(req({ host: '127.0.0.1:3000', 'x-forwarded-host': 'dash.example', 'x-forwarded-proto': 'https', origin: 'https://dash.example' }), []).ok, true);
  });
  test('scheme and port count: same host, other scheme or port, is another origin', () => {
    assert.equal(checkOrigin(req({ host: 'dash.example:3000', origin: 'https://dash.example:3000' }), []).ok, false);
    assert.equal(checkOrigin(req({ host: 'dash.example:3000', origin: 'http://dash.example:3001' }), []).ok, false);
    assert.equal(checkOrigin(req({ host: 'dash.example', 'x-forwarded-proto': 'https', origin: 'http://dash.example' }), []).ok, false);
    assert.equal(checkOrigin(req({ host: 'dash.example:443', 'x-forwarded-proto': 'https', origin: 'https://dash.example' }), []).ok, true);
  });
  test('a configured list replaces the default', () => {
    const allowed = ['https://dash.example'];
    assert.equal(checkOrigin(req({ host: 'dash.example', origin: 'https://dash.example' }), allowed).ok, true);
    assert.equal(checkOrigin(req({ host: 'other', origin: 'http://other' }), allowed).ok, false);
  });
});
