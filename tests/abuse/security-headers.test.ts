import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pageCsp } from '../../lib/http/content-security-policy';
import { startGateway, type TestGateway } from '../helpers/gateway';

// Issue 10, point 10: no answer carried a Content-Security-Policy, X-Content-Type-Options,
// Referrer-Policy or (over https) Strict-Transport-Security. The pages' own policy, with its nonce, is
// checked in Chromium by e2e/csp.spec.ts; here every kind of answer server.ts gives without Next.

describe('security headers on every API answer', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway();
  });
  after(() => gw.close());

  const answers: [string, string, RequestInit?][] = [
    ['a listing', '/api/projects'],
    ['a refusal (401)', '/api/sessions', { headers: {} }],
    ['a sign-in', '/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'wrong-password' }) }],
    ['an unknown API path', '/api/no-such-thing'],
    ['a path without a page', '/somewhere'],
    ['a socket route read as HTTP', '/api/events'],
  ];

  for (const [name, pathname, init] of answers) {
    test(`${name}: ${pathname}`, async () => {
      const res = await fetch(gw.url + pathname, init ?? { headers: { authorization: `Bearer ${gw.adminToken}` } });
      await res.arrayBuffer();
      assert.equal(res.headers.get('content-security-policy'), "default-src 'none'; frame-ancestors 'none'");
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(res.headers.get('referrer-policy'), 'same-origin');
      assert.equal(res.headers.get('strict-transport-security'), null, 'no HSTS over plain http');
    });
  }

  test('Strict-Transport-Security when a TLS proxy in front says https', async () => {
    const res = await fetch(gw.url + '/api/projects', { headers: { authorization: `Bearer ${gw.adminToken}`, 'x-forwarded-proto': 'https' } });
    await res.arrayBuffer();
    assert.match(res.headers.get('strict-transport-security') ?? '', /^max-age=\d{7,}/);
  });

  test('a file upload answer is JSON with the same headers (nothing the browser could sniff into a page)', async () => {
    const { id } = await gw.createProject(gw.adminToken);
    const res = await fetch(`${gw.url}/api/projects/${id}/files/x.html`, { method: 'PUT', headers: { authorization: `Bearer ${gw.adminToken}` }, body: '<script>alert(1)</script>' });
    await res.arrayBuffer();
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('content-security-policy'), "default-src 'none'; frame-ancestors 'none'");
  });
});

describe('the page policy', () => {
  test("allows scripts only by this request's nonce, and framing only by the same origin", () => {
    const csp = pageCsp('abc123==', false);
    const scripts = /script-src ([^;]*)/.exec(csp)![1];
    assert.ok(scripts.includes("'nonce-abc123=='"));
    assert.ok(!scripts.includes('unsafe-inline') && !scripts.includes('unsafe-eval'), scripts);
    assert.match(csp, /frame-ancestors 'self'(;|$)/);
    assert.match(csp, /object-src 'none'/);
    assert.match(csp, /connect-src 'self'/);
  });
});
